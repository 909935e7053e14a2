package dev.threadline.tracing.app;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import java.util.function.Consumer;
import org.springframework.context.ApplicationContext;

/** Micrometer Tracing's view (the Brave set-up); {@link SpanProbe#NONE} when Boot made no {@link Tracer}. */
final class MicrometerProbe implements SpanProbe {

  private final Tracer tracer;

  private MicrometerProbe(Tracer tracer) {
    this.tracer = tracer;
  }

  static SpanProbe create(ApplicationContext context) {
    Tracer tracer = context.getBeanProvider(Tracer.class).getIfAvailable();
    return tracer == null || tracer == Tracer.NOOP ? SpanProbe.NONE : new MicrometerProbe(tracer);
  }

  @Override
  public String currentSpanId() {
    Span span = tracer.currentSpan();
    return span == null ? null : span.context().spanId();
  }

  @Override
  public void inManualSpan(Consumer<String> work) {
    Span span = tracer.nextSpan().name("manual").start();
    try (Tracer.SpanInScope ignored = tracer.withSpan(span)) {
      work.accept(span.context().spanId());
    } finally {
      span.end();
    }
  }
}
