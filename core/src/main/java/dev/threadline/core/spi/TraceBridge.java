package dev.threadline.core.spi;

import dev.threadline.core.Correlation;

/**
 * A tracer that owns the trace when it is active (OpenTelemetry through threadline-otel-bridge, Brave through the
 * Spring Boot starter): Threadline's integrations then start no spans of their own and take the ids from it. Found
 * with {@link java.util.ServiceLoader} ({@code META-INF/services/dev.threadline.core.spi.TraceBridge}), once; a
 * bridge whose tracer library is missing fails its first call and is never used, and with several the first whose
 * tracer has a span current answers. The system property {@code threadline.bridges=off} switches every bridge off.
 * Implementations never throw.
 *
 * <p>Four duties, each a method: say which span the tracer has current ({@link #activeSpan}, and at log time
 * {@link #spanToShow}); let the tracer carry the request id ({@link #enterRequest}); when Threadline serves a request
 * or hop itself, make its span the tracer's current one too ({@link #enterSpan}), so spans the application starts are
 * children of the span the lines carry and not roots of another trace; and, before a tracer's server instrumentation
 * runs, make the caller's span the tracer's remote parent ({@link #enterRemoteParent}). {@link #activeSpan} and
 * {@link #enterRequest} must be implemented; the others have defaults that change nothing.
 *
 * @since 0.1.0
 */
public interface TraceBridge {

  /** What {@link #enterSpan} returns when it changed nothing. */
  AutoCloseable NOTHING = () -> { };

  /**
   * The tracer's span current on this thread, as a correlation: its trace id, span id and flags, and as request id
   * the one its context carries (baggage) or else its trace id. {@code null} when no valid local span is current (a
   * remote parent made current before a server span starts does not count).
   */
  Correlation activeSpan();

  /**
   * At log time: the span a line logged now on this thread must carry, given {@code shown}, the correlation
   * Threadline has current ({@code null} for none). Returns {@code shown} itself when the tracer's current span is
   * {@code shown}'s (same trace id and span id), so the common case allocates nothing; {@code null} when the tracer
   * has no span current; otherwise the tracer's span, keeping {@code shown}'s request id and baggage fields when it is
   * of the same trace. The default, for tracers whose every scope already reaches the MDC, returns {@code shown}.
   */
  default Correlation spanToShow(Correlation shown) {
    return shown;
  }

  /**
   * Called by a server integration once it knows the request id of the request it serves, on the request's thread:
   * the bridge records it on the current span and puts it into the context, so the tracer's own propagation takes it
   * to the next service. Closing the result undoes what this changed on this thread.
   */
  AutoCloseable enterRequest(String requestId);

  /**
   * Makes {@code span}, a span of Threadline's own, the tracer's current span on this thread (a span that records
   * nothing, over the same ids), unless the tracer's current span already is that span. Called whenever a
   * {@link dev.threadline.core.CorrelationScope} opens. Closing the result restores the tracer's context; it must be
   * closed on the same thread. The default changes nothing.
   */
  default AutoCloseable enterSpan(Correlation span) {
    return NOTHING;
  }

  /**
   * Makes the caller's span, received in {@code traceparent}, the tracer's current (remote) context before a
   * tracer's server instrumentation runs, so that a tracer configured not to read {@code traceparent} (a no-op
   * propagator) still continues the caller's trace. Does nothing when the tracer already has a span current. The
   * default changes nothing.
   */
  default AutoCloseable enterRemoteParent(Correlation callerSpan) {
    return NOTHING;
  }
}
