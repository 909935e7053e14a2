package dev.threadline.core.internal;

import dev.threadline.core.Correlation;
import dev.threadline.core.CorrelationScope;
import io.micrometer.context.ThreadLocalAccessor;
import java.util.ArrayDeque;

/**
 * Lets Micrometer's context propagation (Reactor's automatic context propagation, Spring's {@code
 * ContextPropagatingTaskDecorator}) carry Threadline's {@link Correlation}. Registered through {@code
 * META-INF/services/io.micrometer.context.ThreadLocalAccessor}; loaded only when {@code io.micrometer:context-
 * propagation} is on the class path.
 *
 * <p>Each {@code setValue} opens a {@link CorrelationScope}, so the MDC follows; the matching {@code restore} closes
 * it, which puts back exactly what the thread had. Context propagation always pairs the two, innermost first.
 *
 * <p>Cost: Reactor's automatic context propagation calls this pair at each signal through a {@code contextWrite} and
 * each restoring source, several times per request. Setting the correlation the thread already has is therefore
 * free (nothing to write, nothing to put back), and the per-thread stack of open scopes is kept, empty, between
 * requests instead of being made again each time (it holds nothing then, and is a JDK type: no class loader leak).
 */
public final class CorrelationThreadLocalAccessor implements ThreadLocalAccessor<Correlation> {

  /** The key under which the correlation travels in a context snapshot. */
  public static final String KEY = "dev.threadline.correlation";

  /** The scopes {@code setValue} opened on this thread, innermost first, or {@link #UNCHANGED}. */
  private static final ThreadLocal<ArrayDeque<Object>> OPEN = ThreadLocal.withInitial(ArrayDeque::new);
  /** What a {@code setValue} that found its correlation already current pushes: its restore has nothing to do. */
  private static final Object UNCHANGED = new Object();

  @Override
  public Object key() {
    return KEY;
  }

  @Override
  public Correlation getValue() {
    return Correlation.current().orElse(null);
  }

  @Override
  public void setValue(Correlation value) {
    // The same instance is current: its scope wrote the MDC and the tracer's span already, and is still open.
    boolean current = Correlation.current().orElse(null) == value;
    OPEN.get().push(current ? UNCHANGED : value.open());
  }

  @Override
  public void setValue() {
    OPEN.get().push(CorrelationScope.openCleared());
  }

  @Override
  public void restore(Correlation previousValue) {
    closeInnermost();
  }

  @Override
  public void restore() {
    closeInnermost();
  }

  private static void closeInnermost() {
    Object innermost = OPEN.get().poll();
    if (innermost instanceof CorrelationScope) {
      ((CorrelationScope) innermost).close();
    }
  }
}
