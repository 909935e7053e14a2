package dev.threadline.benchmarks;

import dev.threadline.core.CarrierGetter;
import dev.threadline.core.CarrierSetter;
import dev.threadline.core.Correlation;
import dev.threadline.core.internal.RemoteParent;
import dev.threadline.core.internal.W3CTraceContext;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Threadline's W3C Trace Context codec against OpenTelemetry's {@link W3CTraceContextPropagator}, reading and
 * writing the same {@code traceparent} and {@code tracestate} headers through the same carrier, a
 * {@code HashMap<String, String>} with lowercase keys.
 *
 * <p>Both sides do the same work: extract validates {@code traceparent} and validates {@code tracestate} (OTel also
 * splits it into entries, Threadline keeps the validated string); inject writes both headers into a map that is
 * reused across invocations, so neither side pays for a new {@code HashMap}.
 *
 * <p>Issue goal checked: Threadline's extract and inject are no slower than OpenTelemetry's.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class TraceparentBenchmark {

  // Not final, unlike the house style: JMH generates subclasses of every benchmark class and refuses final ones.

  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String SPAN_ID = "00f067aa0ba902b7";
  private static final String TRACEPARENT = "00-" + TRACE_ID + "-" + SPAN_ID + "-01";
  private static final String TRACESTATE = "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7";

  private static final CarrierGetter<Map<String, String>> THREADLINE_GETTER = CarrierGetter.ofMap();
  private static final CarrierSetter<Map<String, String>> THREADLINE_SETTER = CarrierSetter.ofMap();
  private static final W3CTraceContextPropagator OTEL = W3CTraceContextPropagator.getInstance();

  /** The same lookup as {@link CarrierGetter#ofMap()} does when the exact key is there: one {@code get}. */
  private static final TextMapGetter<Map<String, String>> OTEL_GETTER = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(Map<String, String> carrier) {
      return carrier.keySet();
    }

    @Override
    public String get(Map<String, String> carrier, String key) {
      return carrier == null ? null : carrier.get(key);
    }
  };

  private static final TextMapSetter<Map<String, String>> OTEL_SETTER = Map::put;

  private Map<String, String> headers;
  private Correlation correlation;
  private Context otelContext;
  private Map<String, String> threadlineOut;
  private Map<String, String> otelOut;

  /**
   * Builds the inbound headers and, for inject, a Threadline correlation and an OpenTelemetry context for the same
   * span and trace state; then checks that both libraries read and write the same values, so the two sides of each
   * pair measure the same result.
   */
  @Setup
  public void setUp() {
    headers = new HashMap<>();
    headers.put("traceparent", TRACEPARENT);
    headers.put("tracestate", TRACESTATE);

    correlation = Correlation.builder()
        .traceId(TRACE_ID)
        .spanId(SPAN_ID)
        .traceFlags(Correlation.FLAG_SAMPLED)
        .traceState(TRACESTATE)
        .build();
    // TraceStateBuilder.put adds at the front, so the entries go in reverse to come out as in the header.
    TraceState traceState = TraceState.builder()
        .put("rojo", "00f067aa0ba902b7")
        .put("congo", "t61rcWkgMzE")
        .build();
    otelContext = Context.root().with(
        Span.wrap(SpanContext.create(TRACE_ID, SPAN_ID, TraceFlags.getSampled(), traceState)));

    threadlineOut = new HashMap<>();
    otelOut = new HashMap<>();

    RemoteParent parent = threadlineExtract().orElseThrow();
    SpanContext otel = otelExtract();
    check(parent.traceId().equals(otel.getTraceId()) && parent.spanId().equals(otel.getSpanId())
            && parent.traceFlags() == otel.getTraceFlags().asByte()
            && parent.traceState().equals(TRACESTATE) && otel.getTraceState().equals(traceState),
        "extract results differ: " + parent + " vs " + otel);
    check(threadlineInject().equals(headers) && otelInject().equals(headers),
        "inject results differ: " + threadlineOut + " vs " + otelOut + ", expected " + headers);
  }

  private static void check(boolean condition, String message) {
    if (!condition) {
      throw new IllegalStateException(message);
    }
  }

  /** Threadline: reads the caller's span, with its trace state, from the headers. */
  @Benchmark
  public Optional<RemoteParent> threadlineExtract() {
    return W3CTraceContext.extract(headers, THREADLINE_GETTER);
  }

  /** OpenTelemetry: extracts into the root context and takes the remote span context back out of it. */
  @Benchmark
  public SpanContext otelExtract() {
    Context extracted = OTEL.extract(Context.root(), headers, OTEL_GETTER);
    return Span.fromContext(extracted).getSpanContext();
  }

  /** Threadline: writes {@code traceparent} and {@code tracestate} for the correlation into a reused map. */
  @Benchmark
  public Map<String, String> threadlineInject() {
    W3CTraceContext.inject(correlation, threadlineOut, THREADLINE_SETTER);
    return threadlineOut;
  }

  /** OpenTelemetry: writes {@code traceparent} and {@code tracestate} for the context's span into a reused map. */
  @Benchmark
  public Map<String, String> otelInject() {
    OTEL.inject(otelContext, otelOut, OTEL_SETTER);
    return otelOut;
  }
}
