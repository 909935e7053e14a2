package dev.threadline.core.internal;

import dev.threadline.core.Correlation;
import dev.threadline.core.spi.TraceBridge;

/**
 * A tracer for core's tests, found through the service file as a real bridge would be: its current span lives in a
 * thread-local the test sets (as a tracer that changes its span where no bridge sees it, the Java agent), and it takes
 * Threadline's spans as its own current span when a scope opens, as threadline-otel-bridge does.
 */
public final class ScriptedTracer implements TraceBridge {

  private static final ThreadLocal<Correlation> CURRENT = new ThreadLocal<>();
  private static final ThreadLocal<Boolean> OWN = new ThreadLocal<>();

  /** Makes {@code span} the tracer's current span on this thread, unseen by Threadline; {@code null} for none. */
  static void makeCurrentUnseen(Correlation span) {
    CURRENT.set(span);
    OWN.set(Boolean.FALSE);
  }

  /** The tracer's current span on this thread. */
  static Correlation current() {
    return CURRENT.get();
  }

  @Override
  public Correlation activeSpan() {
    return Boolean.TRUE.equals(OWN.get()) ? null : CURRENT.get();
  }

  @Override
  public Correlation spanToShow(Correlation shown) {
    Correlation span = CURRENT.get();
    if (span == null) {
      return null;
    }
    if (shown != null && shown.spanId().equals(span.spanId()) && shown.traceId().equals(span.traceId())) {
      return shown;
    }
    if (shown != null && shown.traceId().equals(span.traceId())) {
      return span.toBuilder().requestId(shown.requestId()).build();
    }
    return span;
  }

  @Override
  public AutoCloseable enterRequest(String requestId) {
    return NOTHING;
  }

  @Override
  public AutoCloseable enterSpan(Correlation span) {
    Correlation before = CURRENT.get();
    Boolean ownBefore = OWN.get();
    if (before != null && before.spanId().equals(span.spanId())) {
      return NOTHING;
    }
    CURRENT.set(span);
    OWN.set(Boolean.TRUE);
    return () -> {
      CURRENT.set(before);
      OWN.set(ownBefore);
    };
  }
}
