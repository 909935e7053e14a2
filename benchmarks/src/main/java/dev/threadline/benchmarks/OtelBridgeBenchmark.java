package dev.threadline.benchmarks;

import dev.threadline.core.Correlation;
import dev.threadline.core.CorrelationScope;
import dev.threadline.core.internal.TraceBridges;
import dev.threadline.otel.ThreadlineOtel;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextStorage;
import io.opentelemetry.context.Scope;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.slf4j.MDC;

/**
 * Issues #6 and #14: a span scope opened and closed ({@code span.makeCurrent()} and {@code scope.close()}) through
 * OpenTelemetry's default context storage alone, and with the bridge active. Goal: at most 100 ns more.
 *
 * <p>Until #14 the bridge wrapped OpenTelemetry's context storage and published every attached span in Logback's MDC
 * (the 2026-11-22 figures in RESULTS.md). Since #14 nothing wraps the storage: the {@code withBridge} cases are the
 * application's own {@code makeCurrent()} in a JVM where the bridge is on (the setup checks both), and the MDC is
 * brought up to date at the first line logged in the span instead, which {@link OtelLogCallBenchmark} measures. The
 * cases keep their names so the older figures stay comparable: the same span made current again (with and without a
 * request id in its baggage), a span never seen before each time, and ({@link #withBridgeSpanAlreadyShown}) a span a
 * Threadline scope already shows, as when Threadline's own span is OpenTelemetry's current one.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
@State(org.openjdk.jmh.annotations.Scope.Thread)
public class OtelBridgeBenchmark {

  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String SPAN_ID = "00f067aa0ba902b7";

  private final ContextStorage plain = ContextStorage.defaultStorage();
  private Context withSpan;
  private Context withSpanAndRequestId;

  /** Builds the contexts; fails unless the bridge is on and OpenTelemetry's storage is its default, unwrapped. */
  @Setup
  public void setUp() {
    if (TraceBridges.get() == null) {
      throw new IllegalStateException("No tracer bridge active");
    }
    if (ContextStorage.get() != plain) {
      throw new IllegalStateException("OpenTelemetry's context storage is wrapped: " + ContextStorage.get());
    }
    Span span = Span.wrap(SpanContext.create(TRACE_ID, SPAN_ID, TraceFlags.getSampled(), TraceState.getDefault()));
    withSpan = Context.root().with(span);
    withSpanAndRequestId = withSpan.with(Baggage.builder()
        .put(ThreadlineOtel.BAGGAGE_KEY, "01kkp3m9z8r5w2f7c0x4").build());
  }

  @Benchmark
  public void openTelemetryAlone() {
    Scope scope = plain.attach(withSpan);
    scope.close();
  }

  @Benchmark
  public void withBridge() {
    Scope scope = withSpan.makeCurrent();
    scope.close();
  }

  @Benchmark
  public void withBridgeAndBaggageRequestId() {
    Scope scope = withSpanAndRequestId.makeCurrent();
    scope.close();
  }

  /** A Threadline scope for the same ids as {@link #withSpan}, open for the whole trial on the benchmark thread. */
  @State(org.openjdk.jmh.annotations.Scope.Thread)
  public static class SpanShown {

    private CorrelationScope scope;

    /** Opens the scope; fails when the MDC does not show the span. */
    @Setup
    public void open() {
      scope = Correlation.ofSpan("01kkp3m9z8r5w2f7c0x4", TRACE_ID, SPAN_ID, Correlation.FLAG_SAMPLED).open();
      if (!SPAN_ID.equals(MDC.get("span_id"))) {
        throw new IllegalStateException("The scope did not publish the span, MDC: " + MDC.getCopyOfContextMap());
      }
    }

    /** Fails when the scope is no longer current (another thread, or a scope left open by the bridge). */
    @TearDown(Level.Iteration)
    public void check() {
      if (!SPAN_ID.equals(MDC.get("span_id")) || Correlation.current().isEmpty()) {
        throw new IllegalStateException("The span is no longer shown, MDC: " + MDC.getCopyOfContextMap());
      }
    }

    /** Closes the scope. */
    @TearDown
    public void close() {
      scope.close();
    }
  }

  @Benchmark
  public void withBridgeSpanAlreadyShown(SpanShown shown) {
    Scope scope = withSpan.makeCurrent();
    scope.close();
  }

  // A span never seen before each time (its context built inside the measured code, on both sides).

  private static final String[] SPAN_IDS = new String[1024];

  static {
    for (int i = 0; i < SPAN_IDS.length; i++) {
      SPAN_IDS[i] = String.format("%016x", 0x00f067aa0ba90000L + i + 1);
    }
  }

  private int next;

  private Context freshSpan() {
    Span span = Span.wrap(SpanContext.create(TRACE_ID, SPAN_IDS[next++ & 1023],
        TraceFlags.getSampled(), TraceState.getDefault()));
    return withSpanAndRequestId.with(span);
  }

  @Benchmark
  public void openTelemetryAloneNewSpan() {
    Scope scope = plain.attach(freshSpan());
    scope.close();
  }

  @Benchmark
  public void withBridgeNewSpan() {
    Scope scope = freshSpan().makeCurrent();
    scope.close();
  }
}
