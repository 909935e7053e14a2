package dev.threadline.otel;

import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;

/** The real OpenTelemetry SDK, exporting to memory, with the W3C trace-context and baggage propagators. */
final class Otel {

  static final InMemorySpanExporter SPANS = InMemorySpanExporter.create();
  static final SdkTracerProvider PROVIDER = SdkTracerProvider.builder()
      .addSpanProcessor(SimpleSpanProcessor.create(SPANS)).build();
  static final Tracer TRACER = PROVIDER.get("threadline-test");
  static final ContextPropagators PROPAGATORS = ContextPropagators.create(TextMapPropagator.composite(
      W3CTraceContextPropagator.getInstance(), W3CBaggagePropagator.getInstance()));

  private Otel() {
  }
}
