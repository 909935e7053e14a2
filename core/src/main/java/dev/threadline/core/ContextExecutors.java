package dev.threadline.core;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Carries the current {@link Correlation} across threads.
 *
 * <p>A wrapped task captures the correlation current when it is wrapped (for a wrapped executor: when it is
 * submitted) and runs inside a scope of it on whichever thread runs it; the scope closes when the task ends,
 * normally or not, so the worker thread is left exactly as it was found. A task submitted with no correlation runs
 * with none, even on a thread that has one. Periodic tasks run every time with the correlation captured when they
 * were scheduled.
 *
 * <p>Cost per task: one small wrapper object at submit; on the worker, a scope open and close.
 *
 * @since 0.1.0
 */
public final class ContextExecutors {

  private static final Executor COMMON_POOL = wrap((Executor) ForkJoinPool.commonPool());

  private ContextExecutors() {}

  /** {@code task}, made to run with the correlation current now. */
  public static Runnable wrap(Runnable task) {
    return new CorrelatedRunnable(Correlation.CURRENT.get(), task);
  }

  /** {@code task}, made to run with the correlation current now. */
  public static <V> Callable<V> wrap(Callable<V> task) {
    return new CorrelatedCallable<>(Correlation.CURRENT.get(), task);
  }

  /** {@code task}, made to run with the correlation current now. */
  public static <T> Supplier<T> wrapSupplier(Supplier<T> task) {
    Correlation captured = Correlation.CURRENT.get();
    return () -> {
      try (CorrelationScope ignored = enter(captured)) {
        return task.get();
      }
    };
  }

  /** An executor that runs each task with the correlation current when it was submitted. */
  public static Executor wrap(Executor executor) {
    return executor instanceof CorrelatingExecutor ? executor : new CorrelatingExecutor(executor);
  }

  /**
   * An executor service that runs each task with the correlation current when it was submitted. Shutting it down
   * shuts down {@code executor}.
   */
  public static ExecutorService wrap(ExecutorService executor) {
    return executor instanceof CorrelatingExecutorService
        ? executor
        : new CorrelatingExecutorService(executor);
  }

  /**
   * A scheduled executor service that runs each task, including every run of a periodic one, with the correlation
   * current when it was scheduled.
   */
  public static ScheduledExecutorService wrap(ScheduledExecutorService executor) {
    return executor instanceof CorrelatingScheduledExecutorService
        ? executor
        : new CorrelatingScheduledExecutorService(executor);
  }

  /**
   * A virtual-thread-per-task executor (Java 21 and later) whose tasks run with the correlation current when they
   * were submitted.
   *
   * @throws UnsupportedOperationException on a Java runtime without virtual threads
   */
  public static ExecutorService newVirtualThreadPerTaskExecutor() {
    return wrap(VirtualThreads.newPerTaskExecutor());
  }

  /**
   * The common fork-join pool, wrapped: as the executor of {@code CompletableFuture}'s {@code *Async} stages it
   * runs each stage with the correlation current on the thread that triggered it: the caller's when the previous
   * stage had already completed, the previous stage's when it completes later. Stages started with {@link
   * #supplyAsync} complete inside their scope, so a chain keeps its correlation; for stages whose trigger you do
   * not control, wrap the function itself with {@link #wrapFunction(Function)}.
   */
  public static Executor commonPool() {
    return COMMON_POOL;
  }

  /**
   * {@link CompletableFuture#supplyAsync(Supplier)} with the current correlation carried into the task. The future
   * completes inside the task's scope, so dependent stages triggered by its completion ({@code thenApply}, or
   * {@code thenApplyAsync} on {@link #commonPool()}) run with the same correlation.
   */
  public static <T> CompletableFuture<T> supplyAsync(Supplier<T> task) {
    return supplyAsync(task, ForkJoinPool.commonPool());
  }

  /** {@link #supplyAsync(Supplier)} on {@code executor}. */
  public static <T> CompletableFuture<T> supplyAsync(Supplier<T> task, Executor executor) {
    CompletableFuture<T> future = new CompletableFuture<>();
    executor.execute(wrap(() -> {
      try {
        future.complete(task.get());
      } catch (Throwable failure) {
        future.completeExceptionally(failure);
      }
    }));
    return future;
  }

  /** {@link CompletableFuture#runAsync(Runnable)} with the current correlation, as {@link #supplyAsync}. */
  public static CompletableFuture<Void> runAsync(Runnable task) {
    return runAsync(task, ForkJoinPool.commonPool());
  }

  /** {@link #runAsync(Runnable)} on {@code executor}. */
  public static CompletableFuture<Void> runAsync(Runnable task, Executor executor) {
    return supplyAsync(() -> {
      task.run();
      return null;
    }, executor);
  }

  /** {@code function}, made to run with the correlation current now: for {@code CompletableFuture} stages. */
  public static <T, R> Function<T, R> wrapFunction(Function<T, R> function) {
    Correlation captured = Correlation.CURRENT.get();
    return value -> {
      try (CorrelationScope ignored = enter(captured)) {
        return function.apply(value);
      }
    };
  }

  /** {@code consumer}, made to run with the correlation current now: for {@code CompletableFuture} stages. */
  public static <T> Consumer<T> wrapConsumer(Consumer<T> consumer) {
    Correlation captured = Correlation.CURRENT.get();
    return value -> {
      try (CorrelationScope ignored = enter(captured)) {
        consumer.accept(value);
      }
    };
  }

  /**
   * Opens the scope a task runs in; {@code null} when there is nothing to do (no correlation captured and none
   * on this thread), which try-with-resources accepts.
   */
  static CorrelationScope enter(Correlation captured) {
    Correlation onThisThread = Correlation.CURRENT.get();
    if (captured == null && onThisThread == null) {
      return null;
    }
    return CorrelationScope.enterTracer(CorrelationScope.open(captured, MdcKeys.active(), onThisThread));
  }

  /** Finds {@code Executors.newVirtualThreadPerTaskExecutor} at run time, so core still compiles for Java 17. */
  private static final class VirtualThreads {
    private static final MethodHandle FACTORY = find();

    private static MethodHandle find() {
      try {
        return MethodHandles.publicLookup().findStatic(
            Executors.class, "newVirtualThreadPerTaskExecutor", MethodType.methodType(ExecutorService.class));
      } catch (ReflectiveOperationException e) {
        return null;
      }
    }

    static ExecutorService newPerTaskExecutor() {
      if (FACTORY == null) {
        throw new UnsupportedOperationException(
            "Virtual threads need Java 21 or later; this is Java " + Runtime.version().feature());
      }
      try {
        return (ExecutorService) FACTORY.invokeExact();
      } catch (Throwable e) {
        throw new UnsupportedOperationException("Could not create a virtual-thread executor", e);
      }
    }
  }
}
