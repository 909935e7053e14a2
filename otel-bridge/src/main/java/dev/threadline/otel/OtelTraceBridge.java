package dev.threadline.otel;

import dev.threadline.core.Correlation;
import dev.threadline.core.spi.TraceBridge;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;

/**
 * The {@link TraceBridge} Threadline's integrations consult: with a valid OpenTelemetry span current, the servlet
 * filter and the client and messaging helpers start no spans of their own and only add (and echo) the request id,
 * which this puts into the baggage and onto the server span.
 */
public final class OtelTraceBridge implements TraceBridge {

  @Override
  public Correlation activeSpan() {
    try {
      return ThreadlineOtel.correlationOf(Context.current());
    } catch (RuntimeException e) {
      // A LinkageError (no OpenTelemetry API) is left to TraceBridges, which then never uses this bridge.
      return null;
    }
  }

  @Override
  public AutoCloseable enterRequest(String requestId) {
    try {
      Span.current().setAttribute(ThreadlineOtel.REQUEST_ID, requestId);
      Baggage baggage = Baggage.current().toBuilder().put(ThreadlineOtel.BAGGAGE_KEY, requestId).build();
      Scope scope = Context.current().with(baggage).makeCurrent();
      return scope::close;
    } catch (RuntimeException e) {
      return () -> { };
    }
  }
}
