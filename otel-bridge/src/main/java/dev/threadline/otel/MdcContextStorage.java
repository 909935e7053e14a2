package dev.threadline.otel;

import dev.threadline.core.Correlation;
import dev.threadline.core.CorrelationScope;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextStorage;
import io.opentelemetry.context.Scope;

/**
 * OpenTelemetry's context storage, followed by the correlation context: attaching a context with a valid span opens
 * a {@link CorrelationScope} with the span's ids (in the MDC, where {@code MDC.get("trace_id")} finds them), and
 * closing the returned scope closes both, ours first. A context without a span leaves the correlation as it is.
 */
final class MdcContextStorage implements ContextStorage {

  private final ContextStorage delegate;

  MdcContextStorage(ContextStorage delegate) {
    this.delegate = delegate;
  }

  @Override
  public Scope attach(Context toAttach) {
    Scope scope = delegate.attach(toAttach);
    Correlation correlation;
    try {
      correlation = toAttach == null ? null : ThreadlineOtel.correlationOf(toAttach);
    } catch (RuntimeException e) {
      // Never let the logging side break OpenTelemetry's context switch.
      return scope;
    }
    if (correlation == null) {
      return scope;
    }
    CorrelationScope ours = correlation.open();
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
