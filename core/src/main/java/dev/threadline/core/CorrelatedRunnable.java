package dev.threadline.core;

/** A task that runs inside a scope of the correlation captured when it was made. */
final class CorrelatedRunnable implements Runnable {

  private final Correlation captured;
  private final Runnable task;

  CorrelatedRunnable(Correlation captured, Runnable task) {
    this.captured = captured;
    this.task = task;
  }

  @Override
  public void run() {
    try (CorrelationScope ignored = ContextExecutors.enter(captured)) {
      task.run();
    }
  }

  @Override
  public String toString() {
    return task.toString();
  }
}
