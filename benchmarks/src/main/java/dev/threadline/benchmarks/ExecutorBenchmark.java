package dev.threadline.benchmarks;

import dev.threadline.core.ContextExecutors;
import dev.threadline.core.Correlation;
import dev.threadline.core.CorrelationScope;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.slf4j.MDC;

/**
 * What carrying the current correlation into a task costs, per task, in its two halves as they happen in a real
 * pool: on the submitting thread, where a correlation is current, the task is captured ({@link #captureOnSubmit});
 * on the worker thread, which has none, the captured task runs inside a scope that is opened and closed around it
 * ({@link #runOnWorker}). Both run on the benchmark thread, so no thread hand-off (microseconds, and the same with
 * or without Threadline) blurs the figure; the task only increments a counter. {@link #plainRun} runs the same task
 * unwrapped, {@link #wrappedExecutorOnWorker} runs it through {@link ContextExecutors#wrap(Executor)} around a
 * direct executor.
 *
 * <p>Issue goal checked: overhead per task, {@code captureOnSubmit + runOnWorker - plainRun}, at most 100 ns.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ExecutorBenchmark {

  // Not final, unlike the house style: JMH generates subclasses of every benchmark class and refuses final ones.

  /** The submitting side: a request thread with its correlation current. */
  @State(Scope.Thread)
  public static class Submitter {
    final Correlation correlation = Correlation.newTrace();
    final Runnable task = () -> { };
    CorrelationScope scope;

    /** JMH runs a {@link Scope#Thread} state's set-up on the thread that runs the benchmark. */
    @Setup(Level.Iteration)
    public void open() {
      scope = correlation.open();
    }

    /** Fails the run if the correlation was not current where tasks were captured. */
    @TearDown(Level.Iteration)
    public void close() {
      if (Correlation.current().orElse(null) != correlation) {
        throw new IllegalStateException("The correlation was not current on the submitting thread");
      }
      scope.close();
    }
  }

  /** The worker side: a pool thread with no correlation, running tasks captured elsewhere. */
  @State(Scope.Thread)
  public static class Worker {
    long runs;
    final Runnable task = () -> runs++;
    Runnable captured;
    Executor wrappedDirect;

    /** Captures the task inside a scope, then leaves the thread clean, as a worker thread is. */
    @Setup(Level.Iteration)
    public void capture() {
      Correlation correlation = Correlation.newTrace();
      try (CorrelationScope ignored = correlation.open()) {
        Runnable probe = () -> {
          if (!correlation.traceId().equals(MDC.get("trace_id"))) {
            throw new IllegalStateException("A captured task did not see the correlation");
          }
        };
        ContextExecutors.wrap(probe).run();
        captured = ContextExecutors.wrap(task);
      }
      Executor direct = Runnable::run;
      wrappedDirect = ContextExecutors.wrap(direct);
    }

    /** Fails the run if the worker thread was left with a correlation or the tasks did not run. */
    @TearDown(Level.Iteration)
    public void check() {
      if (Correlation.current().isPresent() || MDC.get("trace_id") != null || runs == 0) {
        throw new IllegalStateException("The worker thread was not left clean, or no task ran");
      }
      runs = 0;
    }
  }

  /** Baseline: the task, run directly. */
  @Benchmark
  public void plainRun(Worker worker) {
    worker.task.run();
  }

  /** Submit side: wraps the task with the correlation current on this thread. */
  @Benchmark
  public Runnable captureOnSubmit(Submitter submitter) {
    return ContextExecutors.wrap(submitter.task);
  }

  /** Worker side: runs a captured task: a scope of its correlation opened and closed around it. */
  @Benchmark
  public void runOnWorker(Worker worker) {
    worker.captured.run();
  }

  /**
   * A wrapped direct executor executing a task submitted with no correlation current: the cost of the wrapper
   * where there is nothing to carry.
   */
  @Benchmark
  public void wrappedExecutorWithoutCorrelation(Worker worker) {
    worker.wrappedDirect.execute(worker.task);
  }
}
