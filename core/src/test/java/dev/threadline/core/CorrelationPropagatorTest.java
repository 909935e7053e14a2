package dev.threadline.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.threadline.core.internal.Ids;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class CorrelationPropagatorTest {

  static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final String SPAN_ID = "00f067aa0ba902b7";
  static final String TRACEPARENT = "00-" + TRACE_ID + "-" + SPAN_ID + "-01";

  private final CorrelationPropagator propagator = CorrelationPropagator.defaults();
  private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
  private Logger root;

  @BeforeEach
  void captureLogs() {
    root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    logged.start();
    root.addAppender(logged);
  }

  @AfterEach
  void stopCapturing() {
    root.detachAppender(logged);
  }

  @Test
  void besideATracersHeaders_theRequestIdAndBaggageFieldsAreAdded_neverReplacingTheTracersMembers() {
    CorrelationPropagator propagator = CorrelationPropagator.builder().baggageFields("tenant", "region").build();
    Correlation c = Correlation.builder().requestId("req-beside").baggage("tenant", "acme").baggage("region", "eu")
        .build();
    Map<String, String> headers = new HashMap<>();
    propagator.injectBeside(c, headers, CarrierSetter.ofMap(), "request.id=req-beside,region=us");
    assertThat(headers).containsEntry("X-Request-Id", "req-beside")
        .containsEntry("baggage", "request.id=req-beside,region=us,tenant=acme").doesNotContainKey("traceparent");

    Map<String, String> none = new HashMap<>();
    propagator.injectBeside(c, none, CarrierSetter.ofMap(), null);
    assertThat(none).containsEntry("baggage", "tenant=acme,region=eu");
  }

  @Test
  void theSharedPropagatorIsTheDefaultsUntilShared() {
    assertThat(CorrelationPropagator.shared()).isSameAs(CorrelationPropagator.defaults());
    CorrelationPropagator mine = CorrelationPropagator.defaults().toBuilder().requestIdHeader("X-Trace-Request")
        .build();
    try {
      CorrelationPropagator.share(mine);
      assertThat(CorrelationPropagator.shared()).isSameAs(mine);
      assertThat(mine.toBuilder().build().requestIdHeader()).isEqualTo("X-Trace-Request");
    } finally {
      CorrelationPropagator.share(CorrelationPropagator.defaults());
    }
  }

  @Test
  void extract_validTraceparent_startsAServerSpanAsTheCallersChild() {
    Correlation c = propagator.extract(
        Map.of("traceparent", TRACEPARENT, "tracestate", "a=b", "X-Request-Id", "req-42"), CarrierGetter.ofMap());
    assertThat(c.traceId()).isEqualTo(TRACE_ID);
    assertThat(c.parentSpanId()).contains(SPAN_ID);
    assertThat(c.spanId()).isNotEqualTo(SPAN_ID).matches("[0-9a-f]{16}");
    assertThat(c.isSampled()).isTrue();
    assertThat(c.traceState()).isEqualTo("a=b");
    assertThat(c.requestId()).isEqualTo("req-42");
  }

  @Test
  void extract_noHeaders_startsANewTraceWithAFreshRequestId() {
    Correlation c = propagator.extract(Map.of(), CarrierGetter.ofMap());
    assertThat(Ids.isValidTraceId(c.traceId())).isTrue();
    assertThat(c.parentSpanId()).isEmpty();
    assertThat(RequestIds.isValid(c.requestId())).isTrue();
  }

  @Test
  void extract_malformedTraceparent_restartsTheTrace() {
    Correlation c = propagator.extract(
        Map.of("traceparent", "00-" + TRACE_ID + "-" + SPAN_ID + "-zz", "tracestate", "a=b"), CarrierGetter.ofMap());
    assertThat(c.traceId()).isNotEqualTo(TRACE_ID);
    assertThat(c.parentSpanId()).isEmpty();
    assertThat(c.traceState()).isEmpty();
  }

  @Test
  void extract_duplicateTraceparent_restartsTheTrace() {
    Map<String, List<String>> headers = Map.of("traceparent", List.of(TRACEPARENT, TRACEPARENT));
    Correlation c = propagator.extract(headers, CarrierGetter.ofMultiMap());
    assertThat(c.traceId()).isNotEqualTo(TRACE_ID);
  }

  @Test
  void extract_severalTracestateHeadersAreCombined() {
    Map<String, List<String>> headers =
        Map.of("traceparent", List.of(TRACEPARENT), "tracestate", List.of("a=1", "b=2"));
    assertThat(propagator.extract(headers, CarrierGetter.ofMultiMap()).traceState()).isEqualTo("a=1,b=2");
  }

  @Test
  void extract_fallsBackToB3_butPrefersW3C() {
    Correlation fromB3 = propagator.extract(
        Map.of("b3", "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1"), CarrierGetter.ofMap());
    assertThat(fromB3.traceId()).isEqualTo("80f198ee56343ba864fe8b2a57d3eff7");
    assertThat(fromB3.parentSpanId()).contains("e457b5a2e4d86bd1");

    Correlation both = propagator.extract(
        Map.of("traceparent", TRACEPARENT, "b3", "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1"),
        CarrierGetter.ofMap());
    assertThat(both.traceId()).isEqualTo(TRACE_ID);

    CorrelationPropagator noB3 = CorrelationPropagator.builder().readB3(false).build();
    assertThat(noB3.extract(Map.of("b3", "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1"),
        CarrierGetter.ofMap()).traceId()).isNotEqualTo("80f198ee56343ba864fe8b2a57d3eff7");
  }

  @Test
  void requestId_correlationIdAliasIsAccepted_mainHeaderWins() {
    assertThat(propagator.extractRequestId(Map.of("X-Correlation-Id", "corr-1"), CarrierGetter.ofMap()))
        .isEqualTo("corr-1");
    assertThat(propagator.extractRequestId(
        Map.of("X-Correlation-Id", "corr-1", "x-request-id", "req-1"), CarrierGetter.ofMap())).isEqualTo("req-1");
  }

  @Test
  void requestId_headerNameIsConfigurable() {
    CorrelationPropagator custom =
        CorrelationPropagator.builder().requestIdHeader("X-Trace-Request").requestIdAliases().build();
    assertThat(custom.extractRequestId(Map.of("X-Trace-Request", "abc"), CarrierGetter.ofMap())).isEqualTo("abc");
    assertThat(custom.extractRequestId(Map.of("X-Correlation-Id", "abc"), CarrierGetter.ofMap())).isNotEqualTo("abc");
    Map<String, String> out = new HashMap<>();
    custom.inject(Correlation.newTrace("abc"), out, CarrierSetter.ofMap());
    assertThat(out).containsEntry("X-Trace-Request", "abc");
  }

  @Test
  void requestId_invalidValueIsReplaced_andNeverLogged() {
    String evil = "abc\"}\n{\"level\":\"error\",\"message\":\"forged";
    String first = propagator.extractRequestId(Map.of("X-Request-Id", evil), CarrierGetter.ofMap());
    String second = propagator.extractRequestId(Map.of("X-Request-Id", "x".repeat(129)), CarrierGetter.ofMap());
    assertThat(first).isNotEqualTo(evil).matches("[0-9a-z]{20}");
    assertThat(second).matches("[0-9a-z]{20}");
    assertThat(OnceWarnings.count(OnceWarnings.Kind.INVALID_REQUEST_ID)).isGreaterThanOrEqualTo(2);
    for (ILoggingEvent event : logged.list) {
      assertThat(event.getFormattedMessage()).doesNotContain("forged").doesNotContain("xxxxxxxx");
      assertThat(event.getMDCPropertyMap().values()).noneMatch(v -> v.contains("forged"));
    }
  }

  @Test
  void requestId_aBrokenGeneratorFallsBackToTheDefault() {
    CorrelationPropagator broken = CorrelationPropagator.builder().requestIdGenerator(() -> {
      throw new IllegalStateException("boom");
    }).build();
    assertThat(RequestIds.isValid(broken.extractRequestId(Map.of(), CarrierGetter.ofMap()))).isTrue();
    CorrelationPropagator invalid = CorrelationPropagator.builder().requestIdGenerator(() -> "not valid").build();
    assertThat(invalid.extractRequestId(Map.of(), CarrierGetter.ofMap())).matches("[0-9a-z]{20}");
  }

  @Test
  void inject_writesW3CAndTheRequestId_neverB3() {
    Correlation c = Correlation.newTrace("req-9").toBuilder().traceState("a=b").build();
    Map<String, String> out = new HashMap<>();
    propagator.inject(c, out, CarrierSetter.ofMap());
    assertThat(out).containsOnlyKeys("traceparent", "tracestate", "X-Request-Id");
    assertThat(out.get("traceparent")).isEqualTo("00-" + c.traceId() + "-" + c.spanId() + "-03");
    assertThat(out.get("X-Request-Id")).isEqualTo("req-9");
  }

  @Test
  void roundTrip_clientSpanInjected_serverSpanExtracted() {
    Correlation caller = Correlation.newTrace("round-trip");
    Correlation clientSpan = caller.newChild();
    Map<String, String> wire = new HashMap<>();
    propagator.inject(clientSpan, wire, CarrierSetter.ofMap());
    Correlation server = propagator.extract(wire, CarrierGetter.ofMap());
    assertThat(server.requestId()).isEqualTo("round-trip");
    assertThat(server.traceId()).isEqualTo(caller.traceId());
    assertThat(server.parentSpanId()).contains(clientSpan.spanId());
    assertThat(server.traceFlags()).isEqualTo(caller.traceFlags());
  }

  @Test
  void baggage_onlyAllowlistedFieldsTravel_percentEncoded() {
    CorrelationPropagator withBaggage = CorrelationPropagator.builder().baggageFields("tenant", "userId").build();
    Correlation c = Correlation.builder().baggage("tenant", "acme corp/eu").baggage("userId", "u+1").build();
    Map<String, String> wire = new HashMap<>();
    withBaggage.inject(c, wire, CarrierSetter.ofMap());
    assertThat(wire.get("baggage")).isEqualTo("tenant=acme%20corp%2Feu,userId=u%2B1");
    wire.put("baggage", wire.get("baggage") + ",secret=s3cr3t, other=1;prop=2");
    Correlation back = withBaggage.extract(wire, CarrierGetter.ofMap());
    assertThat(back.baggage()).containsExactly(Map.entry("tenant", "acme corp/eu"), Map.entry("userId", "u+1"));
    assertThat(CorrelationPropagator.defaults().extract(wire, CarrierGetter.ofMap()).baggage()).isEmpty();
  }

  @Test
  void baggage_malformedValuesAreSkipped() {
    CorrelationPropagator withBaggage = CorrelationPropagator.builder().baggageFields("tenant", "userId").build();
    Correlation c = withBaggage.extract(
        Map.of("baggage", "tenant=%zz,userId=ok;meta=1, junk"), CarrierGetter.ofMap());
    assertThat(c.baggage()).containsExactly(Map.entry("userId", "ok"));
  }

  @Test
  void builder_refusesInvalidSettingsNamingThem() {
    assertThatThrownBy(() -> CorrelationPropagator.builder().requestIdHeader("X Request").build())
        .hasMessageStartingWith("requestIdHeader:");
    assertThatThrownBy(() -> CorrelationPropagator.builder().requestIdAliases("").build())
        .hasMessageStartingWith("requestIdAliases:");
    assertThatThrownBy(() -> CorrelationPropagator.builder().baggageFields("trace_id").build())
        .hasMessageStartingWith("baggageFields:");
  }

  @Test
  void throwingCarriers_neverThrowIntoTheCaller() {
    CarrierGetter<Object> brokenGetter = new CarrierGetter<>() {
      @Override
      public String get(Object carrier, String name) {
        throw new IllegalStateException("getter boom");
      }
    };
    CarrierSetter<Object> brokenSetter = (carrier, name, value) -> {
      throw new IllegalStateException("setter boom");
    };
    CorrelationPropagator withBaggage = CorrelationPropagator.builder().baggageFields("tenant").build();
    assertThatCode(() -> {
      Correlation c = withBaggage.extract(new Object(), brokenGetter);
      assertThat(Ids.isValidTraceId(c.traceId())).isTrue();
      withBaggage.inject(c, new Object(), brokenSetter);
    }).doesNotThrowAnyException();
  }
}
