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
 * What carrying the current correlation into a task costs, per task: capturing it when the task is wrapped or
 * submitted, then opening and closing a scope of it around the task. Everything runs on the benchmark thread (a
 * direct executor), so the figure is the context handling alone, without any thread hand-off; the task only
 * increments a counter. Each wrapped benchmark has a plain twin running the same task the same way without
 * Threadline, and the overhead is the difference between the two.
 *
 * <p>The correlation is current on the benchmark thread for the whole iteration, as it is on a request thread
 * that hands work off.
 *
 * <p>Issue goal checked: the context overhead per task (wrapped minus plain) is at most 100 ns.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ExecutorBenchmark {

  // Not final, unlike the house style: JMH generates subclasses of every benchmark class and refuses final ones.

  private final Correlation correlation = Correlation.newTrace();
  private final Runnable task = this::increment;
  private final Executor direct = Runnable::run;
  private final Executor wrappedDirect = ContextExecutors.wrap(direct);

  private long runs;
  private CorrelationScope scope;
  private Thread scopeThread;

  private void increment() {
    runs++;
  }

  /**
   * Makes the correlation current. JMH runs the iteration set-up of a {@link Scope#Thread} state on the thread
   * that then runs the benchmark method, so the scope is open where the tasks are wrapped; the tear-down checks it.
   */
  @Setup(Level.Iteration)
  public void openScope() {
    scope = correlation.open();
    scopeThread = Thread.currentThread();
    String[] seen = new String[1];
    Runnable probe = () -> seen[0] = MDC.get("trace_id");
    ContextExecutors.wrap(probe).run();
    if (!correlation.traceId().equals(seen[0])) {
      throw new IllegalStateException("A wrapped task did not see the correlation; MDC trace_id: " + seen[0]);
    }
  }

  /**
   * Fails the run unless the benchmark thread still had the correlation current and the tasks ran, since a lost
   * correlation would make the wrapped benchmarks skip the scope and look cheap; then closes the scope.
   */
  @TearDown(Level.Iteration)
  public void closeScope() {
    if (Thread.currentThread() != scopeThread || Correlation.current().orElse(null) != correlation || runs == 0) {
      throw new IllegalStateException("The correlation was not current on the benchmark thread, or no task ran");
    }
    scope.close();
    runs = 0;
  }

  /** Baseline: runs the task directly. */
  @Benchmark
  public void plainRun() {
    task.run();
  }

  /** Wraps the task with the current correlation and runs it: capture, then a scope open and close around it. */
  @Benchmark
  public void wrappedRun() {
    ContextExecutors.wrap(task).run();
  }

  /** Baseline: a direct executor ({@code Runnable::run}) executes the task. */
  @Benchmark
  public void directExecutor() {
    direct.execute(task);
  }

  /** The same direct executor, wrapped by {@link ContextExecutors#wrap(Executor)}, executes the task. */
  @Benchmark
  public void wrappedExecutorDirect() {
    wrappedDirect.execute(task);
  }
}
