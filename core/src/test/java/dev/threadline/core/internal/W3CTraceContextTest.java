package dev.threadline.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadline.core.CarrierGetter;
import dev.threadline.core.CarrierSetter;
import dev.threadline.core.Correlation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class W3CTraceContextTest {

  static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final String SPAN_ID = "00f067aa0ba902b7";
  static final String VALID = "00-" + TRACE_ID + "-" + SPAN_ID + "-01";

  static RemoteParent parse(String traceparent) {
    return W3CTraceContext.parse(List.of(traceparent), List.of());
  }

  static RemoteParent parse(String traceparent, String... tracestates) {
    return W3CTraceContext.parse(List.of(traceparent), List.of(tracestates));
  }

  @Test
  void validVersion00_givesTheCallersIds() {
    RemoteParent parent = parse(VALID);
    assertThat(parent.traceId()).isEqualTo(TRACE_ID);
    assertThat(parent.spanId()).isEqualTo(SPAN_ID);
    assertThat(parent.traceFlags()).isEqualTo(Correlation.FLAG_SAMPLED);
    assertThat(parent.traceState()).isEmpty();
  }

  @Test
  void versionFf_isInvalid() {
    assertThat(parse("ff-" + TRACE_ID + "-" + SPAN_ID + "-01")).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"0g", "0A", "x0", "-0"})
  void nonHexOrUppercaseVersion_isInvalid(String version) {
    assertThat(parse(version + "-" + TRACE_ID + "-" + SPAN_ID + "-01")).isNull();
  }

  @Test
  void version00_mustBeExactly55Characters() {
    assertThat(parse(VALID + "-extra")).isNull();
    assertThat(parse(VALID + "0")).isNull();
    assertThat(parse(VALID.substring(0, 54))).isNull();
  }

  @Test
  void higherVersion_isParsedByItsFirst55Characters() {
    RemoteParent parent = parse("cc-" + TRACE_ID + "-" + SPAN_ID + "-01-what-the-future-holds");
    assertThat(parent).isNotNull();
    assertThat(parent.traceId()).isEqualTo(TRACE_ID);
    assertThat(parent.spanId()).isEqualTo(SPAN_ID);
    assertThat(parse("cc-" + TRACE_ID + "-" + SPAN_ID + "-01")).isNotNull();
  }

  @Test
  void higherVersion_longerThan55_mustContinueWithADash() {
    assertThat(parse("cc-" + TRACE_ID + "-" + SPAN_ID + "-01.what")).isNull();
    assertThat(parse("cc-" + TRACE_ID + "-" + SPAN_ID + "-010")).isNull();
  }

  @Test
  void allZeroIds_areInvalid() {
    assertThat(parse("00-" + "0".repeat(32) + "-" + SPAN_ID + "-01")).isNull();
    assertThat(parse("00-" + TRACE_ID + "-" + "0".repeat(16) + "-01")).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e473z-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902bz-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0A",
      "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7_01",
      "00-4bf92f3577b34da6a3ce929d0e0e47-3600f067aa0ba902b7-01",
      "",
      "garbage",
  })
  void malformedValues_areInvalid(String value) {
    assertThat(parse(value)).isNull();
  }

  @Test
  void duplicateTraceparent_isInvalid() {
    assertThat(W3CTraceContext.parse(List.of(VALID, VALID), List.of())).isNull();
    assertThat(parse(VALID + "," + VALID)).isNull();
  }

  @Test
  void surroundingWhitespace_isTolerated() {
    assertThat(parse("  " + VALID + "\t")).isNotNull();
  }

  @Test
  void flags_keepSampledAndRandomAsReceived_andDropUnknownBits() {
    assertThat(parse("00-" + TRACE_ID + "-" + SPAN_ID + "-00").traceFlags()).isZero();
    assertThat(parse("00-" + TRACE_ID + "-" + SPAN_ID + "-02").traceFlags()).isEqualTo(Correlation.FLAG_RANDOM);
    assertThat(parse("00-" + TRACE_ID + "-" + SPAN_ID + "-03").traceFlags()).isEqualTo(3);
    assertThat(parse("00-" + TRACE_ID + "-" + SPAN_ID + "-ff").traceFlags()).isEqualTo(3);
    assertThat(parse("00-" + TRACE_ID + "-" + SPAN_ID + "-fc").traceFlags()).isZero();
  }

  @Test
  void invalidTraceparent_dropsTheTracestateToo() {
    assertThat(W3CTraceContext.parse(List.of("garbage"), List.of("a=b"))).isNull();
  }

  @Test
  void tracestate_isKeptWhenValid() {
    assertThat(parse(VALID, "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7").traceState())
        .isEqualTo("congo=t61rcWkgMzE,rojo=00f067aa0ba902b7");
  }

  @Test
  void tracestate_severalHeadersAreCombinedInOrder() {
    assertThat(parse(VALID, "congo=t61rcWkgMzE", "rojo=00f067aa0ba902b7").traceState())
        .isEqualTo("congo=t61rcWkgMzE,rojo=00f067aa0ba902b7");
  }

  @Test
  void tracestate_whitespaceAroundMembersAndEmptyMembersAreTolerated() {
    assertThat(parse(VALID, " congo=t61rcWkgMzE ,\t, rojo=00f067aa0ba902b7\t,").traceState())
        .isEqualTo("congo=t61rcWkgMzE,rojo=00f067aa0ba902b7");
  }

  @Test
  void tracestate_multiTenantKeysAreValid() {
    assertThat(parse(VALID, "fw529a3039@dt=abc,0tenant@sys-1=x").traceState())
        .isEqualTo("fw529a3039@dt=abc,0tenant@sys-1=x");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "Upper=1",
      "_startsWithUnderscore=1",
      "novalue=",
      "noequals",
      "a=b=c",
      "key=tab\tinside",
      "k=\u00e9",
      "@system=x",
      "good=1,bad key=2",
  })
  void tracestate_anInvalidMemberDropsTheWholeValue(String tracestate) {
    RemoteParent parent = parse(VALID, tracestate);
    assertThat(parent).isNotNull();
    assertThat(parent.traceState()).isEmpty();
  }

  @Test
  void tracestate_aRepeatedKeyKeepsItsLeftMostEntry() {
    // The W3C suite's tracestate_duplicated_keys: keeping both or de-duplicating both pass; one entry per key is
    // what the spec allows, and the left-most is the most recent position.
    assertThat(parse(VALID, "foo=1,foo=1").traceState()).isEqualTo("foo=1");
    assertThat(parse(VALID, "a=1,b=2,a=3").traceState()).isEqualTo("a=1,b=2");
    assertThat(parse(VALID, "a=1", "a=2").traceState()).isEqualTo("a=1");
  }

  @Test
  void tracestate_level2Keys_anyMixOfKeyCharactersUpTo256() {
    // The W3C suite's tracestate_key_illegal_vendor_format and tracestate_key_length_limit, on Trace Context
    // Level 2's key grammar: ( lcalpha / DIGIT ) 0*255( lcalpha / DIGIT / "_" / "-" / "*" / "/" / "@" ).
    assertThat(parse(VALID, "foo@=1,bar=2").traceState()).isEqualTo("foo@=1,bar=2");
    String tenant242 = "t".repeat(242) + "@v";
    assertThat(parse(VALID, tenant242 + "=1").traceState()).isEqualTo(tenant242 + "=1");
    assertThat(parse(VALID, "1starts-with-digit=1,a@b@c=2,tenant@systemnamewaytoolong=3").traceState())
        .isEqualTo("1starts-with-digit=1,a@b@c=2,tenant@systemnamewaytoolong=3");
    String key256 = "k".repeat(256);
    assertThat(parse(VALID, key256 + "=1").traceState()).isEqualTo(key256 + "=1");
    assertThat(parse(VALID, "k".repeat(257) + "=1").traceState()).isEmpty();
  }

  @Test
  void tracestate_atMost32Members() {
    List<String> members = new ArrayList<>();
    for (int i = 0; i < 32; i++) {
      members.add("k" + i + "=v");
    }
    assertThat(parse(VALID, String.join(",", members)).traceState()).isEqualTo(String.join(",", members));
    members.add("k32=v");
    assertThat(parse(VALID, String.join(",", members)).traceState()).isEmpty();
  }

  @Test
  void tracestate_longerThan512_isCutByWholeEntries_longOnesFirst() {
    String big = "big=" + "x".repeat(200);
    List<String> members = new ArrayList<>();
    members.add("first=1");
    members.add(big);
    for (int i = 0; i < 10; i++) {
      members.add("m" + i + "=" + "y".repeat(30));
    }
    String combined = String.join(",", members);
    assertThat(combined.length()).isGreaterThan(512);
    String kept = parse(VALID, combined).traceState();
    assertThat(kept.length()).isLessThanOrEqualTo(512);
    assertThat(kept).doesNotContain("big=").startsWith("first=1,m0=").endsWith("m9=" + "y".repeat(30));
  }

  @Test
  void tracestate_longerThan512_withoutLongEntries_dropsFromTheRight() {
    List<String> members = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      members.add("m" + i + "=" + "z".repeat(40));
    }
    String kept = parse(VALID, String.join(",", members)).traceState();
    assertThat(kept.length()).isLessThanOrEqualTo(512);
    assertThat(kept).startsWith("m0=");
    assertThat(kept.split(",")).hasSize(11).allMatch(m -> m.matches("m\\d+=z{40}"));
    assertThat(kept).endsWith("m10=" + "z".repeat(40));
  }

  @Test
  void format_writesVersion00WithFlags() {
    Correlation correlation = Correlation.builder()
        .traceId(TRACE_ID).spanId(SPAN_ID).traceFlags(Correlation.FLAG_SAMPLED | Correlation.FLAG_RANDOM).build();
    assertThat(W3CTraceContext.formatTraceparent(correlation)).isEqualTo("00-" + TRACE_ID + "-" + SPAN_ID + "-03");
  }

  @Test
  void roundTrip_injectThenExtract_givesTheSameSpanAndState() {
    Correlation sent = Correlation.builder().traceFlags(Correlation.FLAG_RANDOM).traceState("vendor=abc").build();
    Map<String, String> headers = new HashMap<>();
    W3CTraceContext.inject(sent, headers, CarrierSetter.ofMap());
    RemoteParent received = W3CTraceContext.extract(headers, CarrierGetter.ofMap()).orElseThrow();
    assertThat(received.traceId()).isEqualTo(sent.traceId());
    assertThat(received.spanId()).isEqualTo(sent.spanId());
    assertThat(received.traceFlags()).isEqualTo(Correlation.FLAG_RANDOM);
    assertThat(received.traceState()).isEqualTo("vendor=abc");
  }

  @Test
  void inject_omitsAnEmptyTracestate() {
    Map<String, String> headers = new HashMap<>();
    W3CTraceContext.inject(Correlation.newTrace(), headers, CarrierSetter.ofMap());
    assertThat(headers).containsOnlyKeys("traceparent");
  }

  @Test
  void extract_readsHeadersCaseInsensitivelyThroughTheGetter() {
    Map<String, String> headers = Map.of("TraceParent", VALID, "TRACESTATE", "a=b");
    RemoteParent parent = W3CTraceContext.extract(headers, CarrierGetter.ofMap()).orElseThrow();
    assertThat(parent.traceState()).isEqualTo("a=b");
  }

  @Test
  void extract_aThrowingGetterGivesNoParent() {
    CarrierGetter<Object> broken = (carrier, name) -> {
      throw new IllegalStateException("boom");
    };
    assertThat(W3CTraceContext.extract(new Object(), broken)).isEmpty();
  }
}
