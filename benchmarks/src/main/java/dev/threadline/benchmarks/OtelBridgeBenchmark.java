package dev.threadline.benchmarks;

import dev.threadline.otel.ThreadlineContextStorageProvider;
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
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Issue #6: a span scope opened and closed (what {@code span.makeCurrent()} and {@code scope.close()} do) through
 * OpenTelemetry's default context storage, and through the same storage wrapped by the bridge, which also publishes
 * the span's ids (and the request id) in Logback's MDC. Goal: at most 100 ns more. The same span attached again
 * (with and without a request id in its baggage), and a span never seen before each time.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
@State(org.openjdk.jmh.annotations.Scope.Thread)
public class OtelBridgeBenchmark {

  private final ContextStorage plain = ContextStorage.defaultStorage();
  private final ContextStorage bridged = new ThreadlineContextStorageProvider().get();
  private Context withSpan;
  private Context withSpanAndRequestId;

  @Setup
  public void setUp() {
    Span span = Span.wrap(SpanContext.create("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7",
        TraceFlags.getSampled(), TraceState.getDefault()));
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
    Scope scope = bridged.attach(withSpan);
    scope.close();
  }

  @Benchmark
  public void withBridgeAndBaggageRequestId() {
    Scope scope = bridged.attach(withSpanAndRequestId);
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
    Span span = Span.wrap(SpanContext.create("4bf92f3577b34da6a3ce929d0e0e4736", SPAN_IDS[next++ & 1023],
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
    Scope scope = bridged.attach(freshSpan());
    scope.close();
  }
}
