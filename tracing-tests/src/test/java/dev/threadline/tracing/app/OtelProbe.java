package dev.threadline.tracing.app;

import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Scope;
import java.util.function.Consumer;
import org.springframework.context.ApplicationContext;

/**
 * The OpenTelemetry API's view. The manual span comes from Spring Boot's {@link OpenTelemetry} bean when there is one
 * (Boot does not register it as the global one), else from {@link GlobalOpenTelemetry} (the agent's or the SDK the
 * application registered). The plain servlet application takes {@link #global()}: it never calls {@link #create}, so
 * Spring's classes are never loaded, and need not be on its class path.
 */
final class OtelProbe implements SpanProbe {

  private final OpenTelemetry openTelemetry;

  private OtelProbe(OpenTelemetry openTelemetry) {
    this.openTelemetry = openTelemetry;
  }

  static SpanProbe create(ApplicationContext context) {
    return new OtelProbe(context.getBeanProvider(OpenTelemetry.class).getIfAvailable(GlobalOpenTelemetry::get));
  }

  /** The view of {@link GlobalOpenTelemetry}: the agent's, or the SDK the application registered before. */
  static SpanProbe global() {
    return new OtelProbe(GlobalOpenTelemetry.get());
  }

  @Override
  public String currentSpanId() {
    SpanContext span = Span.current().getSpanContext();
    return span.isValid() ? span.getSpanId() : null;
  }

  @Override
  public void inManualSpan(Consumer<String> work) {
    Span span = openTelemetry.getTracer("matrix").spanBuilder("manual").startSpan();
    try (Scope ignored = span.makeCurrent()) {
      work.accept(span.getSpanContext().isValid() ? span.getSpanContext().getSpanId() : null);
    } finally {
      span.end();
    }
  }
}
