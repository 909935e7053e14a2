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

  @Override
  public Correlation activeSpan() {
    try {
      Tracing tracing = Tracing.current();
      return tracing == null ? null
          : BraveCorrelation.of(tracing.currentTraceContext().get(), Correlation.current().orElse(null));
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
      CurrentTraceContext.Scope scope = tracing.currentTraceContext().newScope(remote);
      return scope::close;
    } catch (RuntimeException e) {
      return NOTHING;
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
