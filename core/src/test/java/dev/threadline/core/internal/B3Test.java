package dev.threadline.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadline.core.CarrierGetter;
import dev.threadline.core.Correlation;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class B3Test {

  static final String TRACE_ID = "80f198ee56343ba864fe8b2a57d3eff7";
  static final String SPAN_ID = "e457b5a2e4d86bd1";

  static RemoteParent single(String value) {
    return B3.extract(Map.of("b3", value), CarrierGetter.ofMap()).orElse(null);
  }

  @Test
  void singleHeader_withSamplingAndParent() {
    RemoteParent parent = single(TRACE_ID + "-" + SPAN_ID + "-1-05e3ac9a4f6e3b90");
    assertThat(parent.traceId()).isEqualTo(TRACE_ID);
    assertThat(parent.spanId()).isEqualTo(SPAN_ID);
    assertThat(parent.traceFlags()).isEqualTo(Correlation.FLAG_SAMPLED);
  }

  @Test
  void singleHeader_idsOnly_isNotSampled() {
    RemoteParent parent = single(TRACE_ID + "-" + SPAN_ID);
    assertThat(parent.traceFlags()).isZero();
  }

  @Test
  void singleHeader_debugCountsAsSampled_andZeroIsNot() {
    assertThat(single(TRACE_ID + "-" + SPAN_ID + "-d").traceFlags()).isEqualTo(Correlation.FLAG_SAMPLED);
    assertThat(single(TRACE_ID + "-" + SPAN_ID + "-0").traceFlags()).isZero();
  }

  @Test
  void singleHeader_64BitTraceIdIsLeftPadded() {
    assertThat(single("64fe8b2a57d3eff7-" + SPAN_ID + "-1").traceId()).isEqualTo("000000000000000064fe8b2a57d3eff7");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "0", "1", "d",
      "80f198ee56343ba864fe8b2a57d3eff-e457b5a2e4d86bd1",
      "80F198EE56343BA864FE8B2A57D3EFF7-e457b5a2e4d86bd1",
      "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd",
      "80f198ee56343ba864fe8b2a57d3eff7-0000000000000000",
      "00000000000000000000000000000000-e457b5a2e4d86bd1",
      "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-x",
      "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1-bad",
      "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1x1",
  })
  void singleHeader_invalidValuesGiveNoParent(String value) {
    assertThat(single(value)).isNull();
  }

  @Test
  void multiHeaders_areRead() {
    RemoteParent parent = B3.extract(
        Map.of("X-B3-TraceId", TRACE_ID, "X-B3-SpanId", SPAN_ID, "X-B3-Sampled", "1"), CarrierGetter.ofMap())
        .orElseThrow();
    assertThat(parent.traceId()).isEqualTo(TRACE_ID);
    assertThat(parent.spanId()).isEqualTo(SPAN_ID);
    assertThat(parent.traceFlags()).isEqualTo(Correlation.FLAG_SAMPLED);
  }

  @Test
  void multiHeaders_legacyTrueAndDebugFlagMeanSampled() {
    Map<String, String> legacy = Map.of("x-b3-traceid", TRACE_ID, "x-b3-spanid", SPAN_ID, "x-b3-sampled", "true");
    assertThat(B3.extract(legacy, CarrierGetter.ofMap()).orElseThrow().traceFlags()).isEqualTo(1);
    Map<String, String> debug = Map.of("X-B3-TraceId", TRACE_ID, "X-B3-SpanId", SPAN_ID, "X-B3-Flags", "1");
    assertThat(B3.extract(debug, CarrierGetter.ofMap()).orElseThrow().traceFlags()).isEqualTo(1);
    Map<String, String> notSampled = Map.of("X-B3-TraceId", TRACE_ID, "X-B3-SpanId", SPAN_ID, "X-B3-Sampled", "0");
    assertThat(B3.extract(notSampled, CarrierGetter.ofMap()).orElseThrow().traceFlags()).isZero();
  }

  @Test
  void multiHeaders_missingOrInvalidIdsGiveNoParent() {
    assertThat(B3.extract(Map.of("X-B3-TraceId", TRACE_ID), CarrierGetter.ofMap())).isEmpty();
    assertThat(B3.extract(Map.of("X-B3-TraceId", "nothex", "X-B3-SpanId", SPAN_ID), CarrierGetter.ofMap()))
        .isEmpty();
  }

  @Test
  void invalidSingleHeader_fallsBackToValidMultiHeaders() {
    RemoteParent parent = B3.extract(
        Map.of("b3", "garbage", "X-B3-TraceId", TRACE_ID, "X-B3-SpanId", SPAN_ID), CarrierGetter.ofMap())
        .orElseThrow();
    assertThat(parent.spanId()).isEqualTo(SPAN_ID);
  }
}
