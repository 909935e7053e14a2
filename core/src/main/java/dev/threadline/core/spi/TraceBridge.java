package dev.threadline.core.spi;

import dev.threadline.core.Correlation;

/**
 * A tracer that owns the trace when it is active (OpenTelemetry, through threadline-otel-bridge): Threadline's
 * integrations then start no spans of their own and take the ids from it. Found with {@link java.util.ServiceLoader};
 * see {@link TraceBridges}. Implementations never throw.
 */
public interface TraceBridge {

  /**
   * The tracer's span current on this thread, as a correlation: its trace id, span id and flags, and as request id
   * the one its context carries (baggage) or else its trace id. {@code null} when no valid span is current.
   */
  Correlation activeSpan();

  /**
   * Called by a server integration once it knows the request id of the request it serves, on the request's thread:
   * the bridge records it on the current span and puts it into the context, so the tracer's own propagation takes it
   * to the next service. Closing the result undoes what this changed on this thread.
   */
  AutoCloseable enterRequest(String requestId);
}
