package dev.threadline.core;

import dev.threadline.core.internal.TraceBridges;
import dev.threadline.core.spi.TraceBridge;
import java.util.Arrays;
import java.util.Map;
import org.slf4j.MDC;
import org.slf4j.spi.MDCAdapter;

/**
 * The time during which a {@link Correlation} is current on one thread and published in the MDC.
 *
 * <p>Opening a scope remembers, for every key it is about to write, what the MDC held (a value, or nothing), and the
 * thread's previous correlation; {@link #close()} puts exactly that back. Scopes nest: an inner scope shadows the
 * outer one until it closes. Close scopes in the reverse order of opening, on the thread that opened them, with
 * try-with-resources. Closing twice does nothing; closing on another thread does nothing, because another thread's
 * MDC cannot be touched.
 *
 * <p>While a scope is open, the MDC holds the correlation keys of the {@link MdcKeys} it was opened with and the
 * correlation's baggage fields. Baggage fields of an enclosing correlation that this one does not carry are
 * removed for the scope's duration, so an inner request never shows an outer request's tenant.
 *
 * <p>With a tracer bridge (threadline-otel-bridge), a scope opened for a span of Threadline's own also makes that
 * span the tracer's current one for its duration ({@link TraceBridge#enterSpan}), so spans the application starts
 * inside are its children, in the same trace; closing the scope restores the tracer's context too.
 *
 * <p>Cost: one small object and one array, plus one MDC read and one write per key on open and one write per key on
 * close.
 *
 * @since 0.1.0
 */
public final class CorrelationScope implements AutoCloseable {


  private final Thread owner;
  private final Correlation previous;
  /** The MDC keys this scope touched, and what each held before ({@code null}: absent). */
  private final String[] names;
  private final String[] saved;
  private final Correlation opened;
  /** What the tracer bridge changed when this scope opened; closed first on close. */
  private AutoCloseable inTracer = TraceBridge.NOTHING;
  private boolean closed;

  private CorrelationScope(Thread owner, Correlation previous, String[] names, String[] saved, Correlation opened) {
    this.owner = owner;
    this.previous = previous;
    this.names = names;
    this.saved = saved;
    this.opened = opened;
  }

  static CorrelationScope open(Correlation next, MdcKeys keys) {
    return enterTracer(open(next, keys, Correlation.CURRENT.get()));
  }

  /**
   * Opens a scope for a span a tracer made current (a bridge following the tracer's context, or Threadline's check
   * at log time): the MDC and the correlation only, since the span is the tracer's already.
   */
  public static CorrelationScope openForTracer(Correlation span) {
    return open(span, MdcKeys.active(), Correlation.CURRENT.get());
  }

  /** The scope, after making its correlation the tracer's current span too (when there is a bridge). */
  static CorrelationScope enterTracer(CorrelationScope scope) {
    TraceBridge bridge = TraceBridges.get();
    if (bridge != null && scope.opened != null) {
      try {
        scope.inTracer = bridge.enterSpan(scope.opened);
      } catch (RuntimeException | LinkageError e) {
        // A bridge never throws; should one, the scope still holds for the MDC.
      }
    }
    return scope;
  }

  static CorrelationScope open(Correlation next, MdcKeys keys, Correlation previous) {
    String[] names = keys.names;
    int fixed = names.length;
    if ((next != null && next.hasBaggage()) || (previous != null && previous.hasBaggage())) {
      names = withBaggageNames(keys, previous, next);
    }
    String[] saved = new String[names.length];
    MDCAdapter mdc = MDC.getMDCAdapter();
    for (int i = 0; i < names.length; i++) {
      String name = names[i];
      String before = mdc.get(name);
      saved[i] = before;
      String value;
      if (next == null) {
        value = null;
      } else if (i < fixed) {
        value = next.slot(keys.slots[i]);
      } else {
        value = next.baggage().get(name);
      }
      if (value != null) {
        mdc.put(name, value);
      } else if (before != null) {
        mdc.remove(name);
      }
    }
    // set(null) rather than remove(): cheaper, and the one entry it leaves per thread is harmless.
    Correlation.CURRENT.set(next);
    return new CorrelationScope(Thread.currentThread(), previous, names, saved, next);
  }

  /**
   * Opens a scope in which no correlation is current and the correlation keys are absent from the MDC, for work
   * that must not inherit the enclosing request (a background job started from within a request, say).
   */
  public static CorrelationScope openCleared() {
    return open(null, MdcKeys.active());
  }

  /** The correlation keys, then the baggage fields of {@code next}, then those of {@code previous} it lacks. */
  private static String[] withBaggageNames(MdcKeys keys, Correlation previous, Correlation next) {
    Map<String, String> nextBaggage = next == null ? Map.of() : next.baggage();
    Map<String, String> previousBaggage = previous == null ? Map.of() : previous.baggage();
    String[] names = new String[keys.names.length + nextBaggage.size() + previousBaggage.size()];
    System.arraycopy(keys.names, 0, names, 0, keys.names.length);
    int count = keys.names.length;
    for (String name : nextBaggage.keySet()) {
      if (!keys.contains(name)) {
        names[count++] = name;
      }
    }
    for (String name : previousBaggage.keySet()) {
      if (!keys.contains(name) && !nextBaggage.containsKey(name)) {
        names[count++] = name;
      }
    }
    return count == names.length ? names : Arrays.copyOf(names, count);
  }

  /**
   * Restores the MDC keys this scope wrote and the thread's previous correlation to what they were when it opened.
   * Never throws.
   */
  @Override
  public void close() {
    if (closed || Thread.currentThread() != owner) {
      return;
    }
    closed = true;
    if (inTracer != TraceBridge.NOTHING) {
      try {
        inTracer.close();
      } catch (Exception | LinkageError e) {
        // The tracer's own scope handling failed; the MDC is still put back below.
      }
    }
    Correlation.CURRENT.set(previous);
    try {
      MDCAdapter mdc = MDC.getMDCAdapter();
      for (int i = names.length - 1; i >= 0; i--) {
        if (saved[i] == null) {
          mdc.remove(names[i]);
        } else {
          mdc.put(names[i], saved[i]);
        }
      }
    } catch (RuntimeException brokenMdcAdapter) {
      // Closing runs in finally blocks: an MDC adapter failure must not replace the application's own exception.
    }
  }
}
