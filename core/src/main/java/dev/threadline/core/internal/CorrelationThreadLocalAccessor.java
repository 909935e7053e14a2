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
 */
public final class CorrelationThreadLocalAccessor implements ThreadLocalAccessor<Correlation> {

  /** The key under which the correlation travels in a context snapshot. */
  public static final String KEY = "dev.threadline.correlation";

  private static final ThreadLocal<ArrayDeque<CorrelationScope>> OPEN = ThreadLocal.withInitial(ArrayDeque::new);

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
    OPEN.get().push(value.open());
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
    ArrayDeque<CorrelationScope> open = OPEN.get();
    CorrelationScope scope = open.poll();
    if (scope != null) {
      scope.close();
    }
    if (open.isEmpty()) {
      OPEN.remove();
    }
  }
}
