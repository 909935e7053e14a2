package dev.threadline.tracing.grpc;

import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingReceiverTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingSenderTracingObservationHandler;
import io.micrometer.tracing.otel.bridge.OtelCurrentTraceContext;
import io.micrometer.tracing.otel.bridge.OtelPropagator;
import io.micrometer.tracing.otel.bridge.OtelTracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Micrometer Tracing on the real OpenTelemetry SDK, wired as Spring Boot wires it: an observation registry whose
 * handlers make spans (the receiver handler extracts the caller's context through the propagator, the sender handler
 * injects it), every span sampled, each ended span kept. With {@code propagating} false the propagator reads and
 * writes nothing, as Spring Boot's when tracing export is disabled.
 */
final class MicrometerOtel implements AutoCloseable {

  final List<SpanData> ended = new CopyOnWriteArrayList<>();
  final ObservationRegistry registry = ObservationRegistry.create();
  private final SdkTracerProvider provider;

  MicrometerOtel(boolean propagating) {
    provider = SdkTracerProvider.builder().setSampler(Sampler.alwaysOn())
        .addSpanProcessor(SimpleSpanProcessor.create(new SpanExporter() {
          @Override
          public CompletableResultCode export(Collection<SpanData> spans) {
            ended.addAll(spans);
            return CompletableResultCode.ofSuccess();
          }

          @Override
          public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
          }

          @Override
          public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
          }
        })).build();
    io.opentelemetry.api.trace.Tracer otel = provider.get("grpc-test");
    OtelTracer tracer = new OtelTracer(otel, new OtelCurrentTraceContext(), event -> { });
    ContextPropagators propagators = ContextPropagators.create(propagating
        ? W3CTraceContextPropagator.getInstance() : TextMapPropagator.noop());
    OtelPropagator propagator = new OtelPropagator(propagators, otel);
    registry.observationConfig().observationHandler(new ObservationHandler.FirstMatchingCompositeObservationHandler(
        new PropagatingSenderTracingObservationHandler<>(tracer, propagator),
        new PropagatingReceiverTracingObservationHandler<>(tracer, propagator),
        new DefaultTracingObservationHandler(tracer)));
  }

  /** The ended span with this id. */
  SpanData span(Object spanId) {
    return ended.stream().filter(s -> s.getSpanId().equals(spanId)).findFirst()
        .orElseThrow(() -> new AssertionError("no span " + spanId + " among the tracer's " + ended));
  }

  @Override
  public void close() {
    provider.close();
  }
}
