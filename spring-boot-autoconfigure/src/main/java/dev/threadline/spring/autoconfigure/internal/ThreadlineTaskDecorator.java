package dev.threadline.spring.autoconfigure.internal;

import dev.threadline.core.ContextExecutors;
import dev.threadline.core.Correlation;
import dev.threadline.core.CorrelationScope;
import org.springframework.core.task.TaskDecorator;

/**
 * The {@link TaskDecorator} Spring Boot applies to its task executor and task scheduler. A task submitted inside a
 * correlation ({@code @Async} from a request) runs in it, as {@link ContextExecutors#wrap(Runnable)} does. A task
 * submitted with none ({@code @Scheduled} methods, scheduled at start-up) runs every time in a correlation of its own
 * — a new request id and trace per run — so the lines of one run belong together and apart from every other run's.
 * Costs one wrapper per task; a run without a captured correlation also makes its ids (two random numbers and a
 * request id).
 */
public final class ThreadlineTaskDecorator implements TaskDecorator {

  @Override
  public Runnable decorate(Runnable task) {
    if (Correlation.current().isPresent()) {
      return ContextExecutors.wrap(task);
    }
    return new OwnCorrelation(task);
  }

  /** A task that runs each time in a new correlation. */
  private static final class OwnCorrelation implements Runnable {

    private final Runnable task;

    OwnCorrelation(Runnable task) {
      this.task = task;
    }

    @Override
    public void run() {
      try (CorrelationScope ignored = Correlation.newTrace().open()) {
        task.run();
      }
    }

    @Override
    public String toString() {
      return task.toString();
    }
  }
}
