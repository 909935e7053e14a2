package dev.threadline.benchmarks;

import dev.threadline.core.Correlation;
import dev.threadline.core.CorrelationScope;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.slf4j.MDC;
import org.slf4j.spi.MDCAdapter;

/**
 * What opening and closing a {@link CorrelationScope} costs on Logback's MDC: three keys ({@code requestId},
 * {@code trace_id}, {@code span_id}) saved, written, and restored. The baseline is what a hand-rolled servlet filter
 * does with the same three values: put them, then remove them, without restoring what was there before. A second
 * baseline, {@link #handRolledSaveRestore}, is the least any correct scope must do on Logback's MDC, written out by
 * hand: read the three previous values, put the new ones, set a thread-local, then put back or remove each one.
 *
 * <p>Issue goal checked: a scope open + close costs at most 100 ns.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ScopeBenchmark {

  // Not final, unlike the house style: JMH generates subclasses of every benchmark class and refuses final ones.

  /** Stands in for the scope's own thread-local in the hand-rolled baseline. */
  private static final ThreadLocal<Object> CURRENT = new ThreadLocal<>();

  private Correlation correlation;
  private String requestId;
  private String traceId;
  private String spanId;

  /** Makes the correlation once, so that id generation is not part of what is measured. */
  @Setup
  public void setUp() {
    correlation = Correlation.newTrace();
    requestId = correlation.requestId();
    traceId = correlation.traceId();
    spanId = correlation.spanId();
    try (CorrelationScope ignored = correlation.open()) {
      if (!traceId.equals(MDC.get("trace_id")) || MDC.getCopyOfContextMap().size() != 3) {
        throw new IllegalStateException("A scope should publish exactly the 3 default keys, MDC: "
            + MDC.getCopyOfContextMap());
      }
    }
  }

  /** Fails the run if either benchmark left keys behind, which would make the next invocation cheaper or dearer. */
  @TearDown
  public void checkMdcEmpty() {
    java.util.Map<String, String> left = MDC.getCopyOfContextMap();
    if (left != null && !left.isEmpty()) {
      throw new IllegalStateException("MDC not empty after the benchmark: " + left);
    }
  }

  /** Opens a scope of a ready-made correlation and closes it again: save, put and restore three MDC keys. */
  @Benchmark
  public void threadlineScopeOpenClose() {
    try (CorrelationScope ignored = correlation.open()) {
      // The measured work is the open and the close; the body is empty on purpose.
    }
  }

  /**
   * Baseline: the minimum work of a correct save-and-restore scope, inlined by hand: three reads, three puts, a
   * thread-local set, three restores, a thread-local reset.
   */
  @Benchmark
  public String[] handRolledSaveRestore() {
    MDCAdapter mdc = MDC.getMDCAdapter();
    Object previous = CURRENT.get();
    String[] saved = new String[3];
    saved[0] = mdc.get("requestId");
    mdc.put("requestId", requestId);
    saved[1] = mdc.get("trace_id");
    mdc.put("trace_id", traceId);
    saved[2] = mdc.get("span_id");
    mdc.put("span_id", spanId);
    CURRENT.set(correlation);
    restore(mdc, "span_id", saved[2]);
    restore(mdc, "trace_id", saved[1]);
    restore(mdc, "requestId", saved[0]);
    CURRENT.set(previous);
    return saved;
  }

  private static void restore(MDCAdapter mdc, String key, String saved) {
    if (saved == null) {
      mdc.remove(key);
    } else {
      mdc.put(key, saved);
    }
  }

  /** Baseline: three {@code MDC.put} and three {@code MDC.remove} of the same values, with no restore. */
  @Benchmark
  public void rawMdcPutRemove() {
    MDC.put("requestId", requestId);
    MDC.put("trace_id", traceId);
    MDC.put("span_id", spanId);
    MDC.remove("requestId");
    MDC.remove("trace_id");
    MDC.remove("span_id");
  }
}
