package dev.threadline.core.internal;

import dev.threadline.core.Correlation;
import dev.threadline.core.CorrelationScope;
import dev.threadline.core.spi.TraceBridge;

/**
 * Brings this thread's correlation, and so its MDC, up to date with the bridged tracer's current span at the moment
 * a line is logged. Logging integrations call {@link #publish()} on the logging thread before the event is made
 * (Threadline's Logback encoder and Loki appender install a turbo filter that does).
 *
 * <p>Why it is needed: a tracer can change its current span where no bridge sees it. The OpenTelemetry Java agent
 * keeps its own context storage, so a span the application makes current with {@code makeCurrent()} never passes
 * through a storage wrapper; only asking the tracer at log time gives the line the right span.
 *
 * <p>What it does: when the tracer's current span is the one the correlation already carries, nothing (one lookup,
 * no allocation). When it differs, a scope is opened for the tracer's span (request id and baggage fields kept when it
 * is of the same trace) and remembered; the next call closes it again once the tracer's span changes or ends. A scope
 * of the application's or of an integration's opened later and closed in order is never disturbed: the remembered
 * scope is closed only while it is still the innermost one. Between log calls the MDC may lag behind the tracer.
 */
public final class ActiveSpan {

  /** The scope the last call opened on this thread, and the tracer's span it made current. */
  private static final ThreadLocal<Published> PUBLISHED = new ThreadLocal<>();

  private record Published(CorrelationScope scope, Correlation span) {
  }

  private ActiveSpan() {
  }

  /** Makes the correlation current on this thread carry the tracer's current span. Never throws. */
  public static void publish() {
    TraceBridge bridge = TraceBridges.get();
    if (bridge == null) {
      return;
    }
    try {
      Correlation shown = Correlation.current().orElse(null);
      Correlation wanted = bridge.spanToShow(shown);
      if (wanted == shown) {
        return;
      }
      Published published = PUBLISHED.get();
      if (published != null) {
        PUBLISHED.set(null);
        if (published.span() == shown) {
          // Still the innermost scope: put back what it covered, then look again.
          published.scope().close();
          shown = Correlation.current().orElse(null);
          wanted = bridge.spanToShow(shown);
          if (wanted == shown) {
            return;
          }
        }
        // Otherwise a scope around it has closed already and put back what was under both.
      }
      if (wanted != null) {
        PUBLISHED.set(new Published(CorrelationScope.openForTracer(wanted), wanted));
      }
    } catch (RuntimeException | LinkageError e) {
      // Code that runs inside a logging call never throws: the line keeps what the MDC had.
    }
  }
}
