package dev.threadline.benchmarks;

import dev.threadline.core.Correlation;
import dev.threadline.core.CorrelationScope;
import dev.threadline.core.kotlin.ThreadlineContext;
import java.util.concurrent.TimeUnit;
import kotlin.coroutines.CoroutineContext;
import kotlin.coroutines.EmptyCoroutineContext;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.slf4j.MDC;

/**
 * What {@link ThreadlineContext} adds to each coroutine resume: the coroutine machinery calls
 * {@code updateThreadContext} as the coroutine starts or resumes on a thread and {@code restoreThreadContext} as it
 * suspends there; these benchmarks make the same two calls on a thread with no correlation, as a dispatcher's worker
 * is. {@link #hop} carries a request's correlation; {@link #hopWithoutCorrelation} is an element made where none was
 * current, on a clean thread (nothing to do). The coroutine's own dispatch (the same with or without Threadline) is
 * not included; compare {@code ExecutorBenchmark.runOnWorker}, the same scope work around an executor task.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class CoroutineHopBenchmark {

  // Not final, unlike the house style: JMH generates subclasses of every benchmark class and refuses final ones.

  private final ThreadlineContext request = new ThreadlineContext(Correlation.newTrace());
  private final ThreadlineContext none = new ThreadlineContext(null);
  private final CoroutineContext context = EmptyCoroutineContext.INSTANCE;

  /** One resume and suspension of a coroutine that carries a request's correlation. */
  @Benchmark
  public CorrelationScope hop() {
    CorrelationScope scope = request.updateThreadContext(context);
    request.restoreThreadContext(context, scope);
    return scope;
  }

  /** The same for an element without a correlation, on a thread that has none. */
  @Benchmark
  public CorrelationScope hopWithoutCorrelation() {
    CorrelationScope scope = none.updateThreadContext(context);
    none.restoreThreadContext(context, scope);
    return scope;
  }

  /** Fails the run if a hop left the ids behind on the thread. */
  @TearDown
  public void checkClean() {
    if (MDC.get("trace_id") != null || Correlation.current().isPresent()) {
      throw new IllegalStateException("A hop left the correlation on the thread");
    }
  }
}
