package dev.threadline.otel;

import dev.threadline.core.Correlation;
import dev.threadline.core.CorrelationScope;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextStorage;
import io.opentelemetry.context.Scope;

/**
 * OpenTelemetry's context storage, followed by the correlation context: attaching a context with a valid span opens
 * a {@link CorrelationScope} with the span's ids (in the MDC, where {@code MDC.get("trace_id")} finds them), and
 * closing the returned scope closes both, ours first. A context without a local span (none, or only a remote parent)
 * leaves the correlation as it is, and so does a span the correlation already carries (Threadline's own span entering
 * OpenTelemetry's context).
 */
final class MdcContextStorage implements ContextStorage {

  private final ContextStorage delegate;

  MdcContextStorage(ContextStorage delegate) {
    this.delegate = delegate;
  }

  @Override
  public Scope attach(Context toAttach) {
    Scope scope = delegate.attach(toAttach);
    CorrelationScope ours;
    try {
      if (toAttach == null) {
        return scope;
      }
      SpanContext span = Span.fromContext(toAttach).getSpanContext();
      if (!span.isValid() || span.isRemote()) {
        return scope;
      }
      Correlation shown = Correlation.current().orElse(null);
      if (shown != null && ThreadlineOtel.sameSpan(span, shown)) {
        // Threadline's own span entering OpenTelemetry's context, or the same span again: nothing to change.
        return scope;
      }
      ours = CorrelationScope.openForTracer(ThreadlineOtel.correlationOf(toAttach, span, shown));
    } catch (RuntimeException e) {
      // Never let the logging side break OpenTelemetry's context switch.
      return scope;
    }
    return () -> {
      ours.close();
      scope.close();
    };
  }

  @Override
  public Context current() {
    return delegate.current();
  }

  @Override
  public Context root() {
    return delegate.root();
  }
}
