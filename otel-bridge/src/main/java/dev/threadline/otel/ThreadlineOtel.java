package dev.threadline.otel;

import dev.threadline.core.Correlation;
import dev.threadline.otel.internal.OtelCorrelation;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Context;

/**
 * Threadline under OpenTelemetry: when a valid span is current, every log line carries that span's trace id, span id
 * and flags, and Threadline's own integrations start no spans.
 *
 * <p>The line follows OpenTelemetry's context at log time: before each log call, on the calling thread, the turbo
 * filter Threadline's encoder and Loki appender install ({@code dev.threadline.logback.ActiveSpanFilter}) asks
 * {@code Span.current()} through the API and brings the MDC up to date when the span differs from the one it shows.
 * Nothing is wrapped around OpenTelemetry's context storage, so a {@code makeCurrent()} costs what it costs without
 * Threadline, and the same mechanism works under the Java agent, whose context storage no wrapper would see.
 *
 * <p>The request id travels as W3C baggage under {@value #BAGGAGE_KEY} (OpenTelemetry's baggage propagator takes it
 * to the next service) and is set on the server span as the attribute {@value #BAGGAGE_KEY}, so a trace leads to its
 * log lines and a log line to its trace. A span whose context carries no request id gets its trace id as request id.
 *
 * <p>There is nothing to call: the bridge is found through {@link java.util.ServiceLoader}. This class holds the names
 * the request id travels under, and {@link #correlationOf} for code that wants a context's span as a correlation.
 *
 * @since 0.1.0
 */
public final class ThreadlineOtel {

  /** The baggage key, and the span attribute, of the request id. */
  public static final String BAGGAGE_KEY = "request.id";

  /** The request id as a span attribute. */
  public static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey(BAGGAGE_KEY);

  private ThreadlineOtel() {
  }

  /**
   * The correlation of {@code context}'s span, or {@code null} when it has no valid span. The request id is the
   * context's baggage entry {@value #BAGGAGE_KEY} when valid, else the one already current on this thread for the
   * same trace, else the trace id.
   */
  public static Correlation correlationOf(Context context) {
    SpanContext span = Span.fromContext(context).getSpanContext();
    if (!span.isValid()) {
      return null;
    }
    return OtelCorrelation.of(context, span, Correlation.current().orElse(null));
  }
}
