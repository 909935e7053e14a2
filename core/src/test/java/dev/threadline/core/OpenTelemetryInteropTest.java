package dev.threadline.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadline.core.internal.Ids;
import dev.threadline.core.internal.RemoteParent;
import dev.threadline.core.internal.W3CTraceContext;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Headers written by OpenTelemetry's own W3C propagator parse to the same ids in ours, and the reverse. */
class OpenTelemetryInteropTest {

  private static final W3CTraceContextPropagator OTEL = W3CTraceContextPropagator.getInstance();

  private static final TextMapGetter<Map<String, String>> MAP_GETTER = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(Map<String, String> carrier) {
      return carrier.keySet();
    }

    @Override
    public String get(Map<String, String> carrier, String key) {
      return carrier == null ? null : carrier.get(key);
    }
  };

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void headersWrittenByOpenTelemetry_parseToTheSameIdsInOurs(boolean sampled) {
    String traceId = Ids.newTraceId();
    String spanId = Ids.newSpanId();
    SpanContext otelSpan = SpanContext.create(
        traceId, spanId, sampled ? TraceFlags.getSampled() : TraceFlags.getDefault(),
        TraceState.builder().put("vendor", "v1").put("tenant@sys", "t2").build());
    Map<String, String> headers = new HashMap<>();
    OTEL.inject(Context.root().with(Span.wrap(otelSpan)), headers, Map::put);

    RemoteParent ours = W3CTraceContext.extract(headers, CarrierGetter.ofMap()).orElseThrow();
    assertThat(ours.traceId()).isEqualTo(traceId);
    assertThat(ours.spanId()).isEqualTo(spanId);
    assertThat((ours.traceFlags() & Correlation.FLAG_SAMPLED) != 0).isEqualTo(sampled);
    assertThat(ours.traceState().split(",")).containsExactlyInAnyOrder("vendor=v1", "tenant@sys=t2");

    Correlation server = CorrelationPropagator.defaults().extract(headers, CarrierGetter.ofMap());
    assertThat(server.traceId()).isEqualTo(traceId);
    assertThat(server.parentSpanId()).contains(spanId);
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void headersWrittenByOurs_parseToTheSameIdsInOpenTelemetry(boolean sampled) {
    Correlation ours = Correlation.builder()
        .traceFlags(sampled ? Correlation.FLAG_SAMPLED : 0)
        .traceState("congo=t61rcWkgMzE,rojo=00f067aa0ba902b7")
        .build();
    Map<String, String> headers = new HashMap<>();
    CorrelationPropagator.defaults().inject(ours, headers, CarrierSetter.ofMap());

    SpanContext otel = Span.fromContext(OTEL.extract(Context.root(), headers, MAP_GETTER)).getSpanContext();
    assertThat(otel.isValid()).isTrue();
    assertThat(otel.isRemote()).isTrue();
    assertThat(otel.getTraceId()).isEqualTo(ours.traceId());
    assertThat(otel.getSpanId()).isEqualTo(ours.spanId());
    assertThat(otel.isSampled()).isEqualTo(sampled);
    assertThat(otel.getTraceState().get("congo")).isEqualTo("t61rcWkgMzE");
    assertThat(otel.getTraceState().get("rojo")).isEqualTo("00f067aa0ba902b7");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
      "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
  })
  void invalidHeaders_areInvalidInBoth(String traceparent) {
    Map<String, String> headers = Map.of("traceparent", traceparent);
    assertThat(W3CTraceContext.extract(headers, CarrierGetter.ofMap())).isEmpty();
    assertThat(Span.fromContext(OTEL.extract(Context.root(), headers, MAP_GETTER)).getSpanContext().isValid())
        .isFalse();
  }
}
