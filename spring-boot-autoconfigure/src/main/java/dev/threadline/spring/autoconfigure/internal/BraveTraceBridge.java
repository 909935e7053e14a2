package dev.threadline.spring.autoconfigure.internal;

import brave.Span;
import brave.Tracer;
import brave.Tracing;
import brave.baggage.BaggageField;
import brave.propagation.CurrentTraceContext;
import brave.propagation.TraceContext;
import dev.threadline.core.Correlation;
import dev.threadline.core.spi.TraceBridge;

/**
 * The {@link TraceBridge} for Brave (Micrometer Tracing's default tracer): with a Brave span current, Threadline's
 * servlet filter, HTTP clients and messaging start no spans of their own, take Brave's ids, and only add the request
 * id, which this tags onto the span ({@code request.id}) and writes into Brave's {@code request.id} baggage field when
 * the application declares one (Spring Boot: {@code management.tracing.baggage.remote-fields=request.id}).
 *
 * <p>Found through {@link java.util.ServiceLoader}; without Brave on the class path it fails its first call and is
 * never used. Costs a static read and a thread-local read per call. Public only for the service loader.
 */
public final class BraveTraceBridge implements TraceBridge {

  /**
   * The caller's context {@link #enterRemoteParent} made current on this thread. Brave keeps no remote flag on a
   * current context, so this is how it is told apart from a span of Brave's: it is no active span, and the scope
   * decorator opens no correlation for it.
   */
  private static final ThreadLocal<TraceContext> REMOTE_PARENT = new ThreadLocal<>();

  /** Whether {@code context} is the remote parent {@link #enterRemoteParent} made current on this thread. */
  static boolean isRemoteParent(TraceContext context) {
    return context != null && context == REMOTE_PARENT.get();
  }

  @Override
  public Correlation activeSpan() {
    try {
      Tracing tracing = Tracing.current();
      if (tracing == null) {
        return null;
      }
      TraceContext context = tracing.currentTraceContext().get();
      return isRemoteParent(context) ? null : BraveCorrelation.of(context, Correlation.current().orElse(null));
    } catch (RuntimeException e) {
      // A LinkageError (no Brave) is left to TraceBridges, which then never uses this bridge.
      return null;
    }
  }

  /**
   * The caller's span as Brave's current (remote) context, so a Brave server span started by something that reads
   * no headers (Spring Boot's no-op propagation when tracing export is disabled) continues the caller's trace.
   */
  @Override
  public AutoCloseable enterRemoteParent(Correlation callerSpan) {
    try {
      Tracing tracing = Tracing.current();
      if (tracing == null || tracing.currentTraceContext().get() != null) {
        return NOTHING;
      }
      String traceId = callerSpan.traceId();
      TraceContext remote = TraceContext.newBuilder()
          .traceIdHigh(Long.parseUnsignedLong(traceId.substring(0, 16), 16))
          .traceId(Long.parseUnsignedLong(traceId.substring(16), 16))
          .spanId(Long.parseUnsignedLong(callerSpan.spanId(), 16))
          .sampled(callerSpan.isSampled())
          .build();
      TraceContext previous = REMOTE_PARENT.get();
      REMOTE_PARENT.set(remote);
      CurrentTraceContext.Scope scope;
      try {
        scope = tracing.currentTraceContext().newScope(remote);
      } catch (RuntimeException e) {
        restore(previous);
        throw e;
      }
      return () -> {
        try {
          scope.close();
        } finally {
          restore(previous);
        }
      };
    } catch (RuntimeException e) {
      return NOTHING;
    }
  }

  private static void restore(TraceContext previous) {
    if (previous == null) {
      REMOTE_PARENT.remove();
    } else {
      REMOTE_PARENT.set(previous);
    }
  }

  @Override
  public AutoCloseable enterRequest(String requestId) {
    try {
      Tracer tracer = Tracing.currentTracer();
      Span span = tracer == null ? null : tracer.currentSpan();
      if (span == null) {
        return () -> { };
      }
      span.tag(BraveCorrelation.REQUEST_ID_FIELD, requestId);
      TraceContext context = span.context();
      BaggageField field = BaggageField.getByName(context, BraveCorrelation.REQUEST_ID_FIELD);
      if (field == null) {
        return () -> { };
      }
      String previous = field.getValue(context);
      field.updateValue(context, requestId);
      return () -> field.updateValue(context, previous);
    } catch (RuntimeException e) {
      return () -> { };
    }
  }
}
