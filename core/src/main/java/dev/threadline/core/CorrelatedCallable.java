package dev.threadline.core;

import java.util.concurrent.Callable;

/** A task that runs inside a scope of the correlation captured when it was made. */
final class CorrelatedCallable<V> implements Callable<V> {

  private final Correlation captured;
  private final Callable<V> task;

  CorrelatedCallable(Correlation captured, Callable<V> task) {
    this.captured = captured;
    this.task = task;
  }

  @Override
  public V call() throws Exception {
    try (CorrelationScope ignored = ContextExecutors.enter(captured)) {
      return task.call();
    }
  }

  @Override
  public String toString() {
    return task.toString();
  }
}
