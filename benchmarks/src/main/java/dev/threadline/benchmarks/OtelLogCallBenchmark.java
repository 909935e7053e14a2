package dev.threadline.benchmarks;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.TurboFilterList;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.spi.FilterReply;
import ch.qos.logback.core.status.Status;
import dev.threadline.core.Correlation;
import dev.threadline.core.CorrelationScope;
import dev.threadline.core.internal.ActiveSpan;
import dev.threadline.core.internal.TraceBridges;
import dev.threadline.logback.ActiveSpanFilter;
import dev.threadline.logback.ThreadlineEncoder;
import dev.threadline.otel.ThreadlineOtel;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextStorage;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
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
import org.slf4j.Logger;
import org.slf4j.MDC;

/**
 * Issue #14, goal (a): what one log call costs with the OpenTelemetry bridge active, against Threadline alone. Each
 * benchmark is one {@code logger.info("Shipping order {}", id)} through a real Logback {@link LoggerContext}: an
 * {@link OutputStreamAppender} with {@link ThreadlineEncoder} writing to a stream that discards the bytes. With a
 * bridge on the class path the encoder installs {@link ActiveSpanFilter}, which calls {@link ActiveSpan#publish()}
 * before every enabled call: that check, and what it opens when the tracer's span is not the one the MDC shows, is
 * the bridge's cost per line.
 *
 * <p>"Threadline alone" runs in forks started with {@code -Dthreadline.bridges=off}, so both sides run in one JMH
 * invocation from one jar. Every line in every case carries the same request id, ids of the same length and the same
 * thread name (the worker thread is renamed for the trial; JMH's names contain the benchmark's), so the encoder
 * writes lines of the same size. Goal: at most 50 ns more per log call.
 * <ul>
 *   <li>{@link #threadlineAlone}: bridges off, a Threadline {@link Correlation} scope open (the baseline).</li>
 *   <li>{@link #bridgeSameSpan}: an OpenTelemetry SDK span made current with {@code makeCurrent()}, with no
 *       Threadline scope under it: the in-app SDK case. Nothing wraps OpenTelemetry's context storage, so the first
 *       line logged in the span (in the setup) opens a scope for it; every measured call finds the span the MDC
 *       shows.</li>
 *   <li>{@link #bridgeOwnSpan}: the baseline's Threadline scope with the bridge on, which makes Threadline's span
 *       OpenTelemetry's current span too: a request nothing else traces.</li>
 *   <li>{@link #bridgeTracerSpanDiffers}: the baseline's Threadline scope, and a child span attached over it with
 *       {@code ContextStorage.defaultStorage()}, which is what the Java agent's storage amounts to (and, with nothing
 *       wrapping the storage, what {@code makeCurrent()} does). The first line finds a span the MDC does not show and
 *       opens a scope for it; that scope stays while the span stays current, so every measured call is the steady
 *       state: the same check as {@link #bridgeSameSpan}.</li>
 *   <li>{@link #bridgeTracerSpanAlternates} against {@link #threadlineAloneTwoSpans}: the worst case. Around every
 *       call one of two child spans is attached the same way (and detached after it), alternating, so every line
 *       finds the other span: the published scope is closed and a new one opened each time. Both sides pay the same
 *       attach and detach; the baseline's lines keep Threadline's span, since without a bridge nothing reads the
 *       tracer's. This is also what a span costs the bridge when a line is logged in it: a {@code makeCurrent()}
 *       costs the bridge nothing, the first line in the span pays for the MDC.</li>
 *   <li>{@link #bridgeSameSpanFilterDecision} against {@link #threadlineAloneFilterDecision}: only the turbo filter
 *       decision Logback asks for at the start of every call, the one step where the two sides run different code
 *       (the bridge's check; nothing to ask without a bridge), measured without the rest of the call's noise.</li>
 * </ul>
 *
 * <p>Scopes are opened once per trial in {@code @Setup} and stay open while measuring: Threadline's scopes and the
 * MDC belong to a thread, and JMH runs a trial's every iteration, with its setup and teardown, on one worker thread
 * (its default executor is a fixed pool and asserts stable threads). Every state checks this after each iteration.
 * Each fork prints one logged line per case to stderr ({@code LINE case=...}), checked to carry the span the case
 * expects before anything is measured.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class OtelLogCallBenchmark {

  // Not final, unlike the house style: JMH generates subclasses of benchmark and state classes and refuses final ones.

  /** Switches every tracer bridge off for the forks of the "Threadline alone" benchmarks. */
  private static final String BRIDGES_OFF = "-D" + TraceBridges.SWITCH_PROPERTY + "=off";

  private static final String MESSAGE = "Shipping order {}";
  private static final String ORDER = "ord-20260314-0042";
  private static final String REQUEST_ID = "01kkp3m9z8r5w2f7c0x4";
  private static final String TRACE_ID = BenchmarkEvents.TRACE_ID;
  private static final String SPAN_ID = "00f067aa0ba902b7";

  /** Baseline: one log call, bridges off, inside a Threadline scope. */
  @Benchmark
  @Fork(value = 3, jvmArgsAppend = {"-Xms1g", "-Xmx1g", BRIDGES_OFF})
  public void threadlineAlone(Logging logging, ThreadlineSpan span) {
    logging.logger.info(MESSAGE, ORDER);
  }

  /** One log call while an SDK span made current with {@code makeCurrent()} is current, and shown. */
  @Benchmark
  public void bridgeSameSpan(Logging logging, SdkSpanMadeCurrent span) {
    logging.logger.info(MESSAGE, ORDER);
  }

  /** One log call inside a Threadline scope, whose span the bridge made OpenTelemetry's current span. */
  @Benchmark
  public void bridgeOwnSpan(Logging logging, ThreadlineSpan span) {
    logging.logger.info(MESSAGE, ORDER);
  }

  /** One log call while a span attached with the default storage is current (shown since the first call). */
  @Benchmark
  public void bridgeTracerSpanDiffers(Logging logging, SpanAttachedDirectly span) {
    logging.logger.info(MESSAGE, ORDER);
  }

  // The part of a log call the bridge adds, alone: the turbo filter decision Logback asks for before it makes an
  // event (none installed without a bridge, so Logback answers at once). The rest of the call is the same code on
  // both sides, so these two show the difference without the noise of the whole call.

  /** Baseline: Logback's turbo filter decision with no filter installed (bridges off), inside a Threadline scope. */
  @Benchmark
  @Fork(value = 3, jvmArgsAppend = {"-Xms1g", "-Xmx1g", BRIDGES_OFF})
  public FilterReply threadlineAloneFilterDecision(Logging logging, ThreadlineSpan span) {
    return logging.filterDecision();
  }

  /** Logback's turbo filter decision with {@link ActiveSpanFilter} installed and the shown SDK span current. */
  @Benchmark
  public FilterReply bridgeSameSpanFilterDecision(Logging logging, SdkSpanMadeCurrent span) {
    return logging.filterDecision();
  }

  /** Baseline of the worst case: bridges off, one of two spans attached around each call, alternating. */
  @Benchmark
  @Fork(value = 3, jvmArgsAppend = {"-Xms1g", "-Xmx1g", BRIDGES_OFF})
  public void threadlineAloneTwoSpans(Logging logging, AlternatingSpans spans) {
    io.opentelemetry.context.Scope scope = spans.attachNext();
    try {
      logging.logger.info(MESSAGE, ORDER);
    } finally {
      scope.close();
    }
  }

  /** The worst case: one of two spans attached around each call, alternating, so every line finds a new span. */
  @Benchmark
  public void bridgeTracerSpanAlternates(Logging logging, AlternatingSpans spans) {
    io.opentelemetry.context.Scope scope = spans.attachNext();
    try {
      logging.logger.info(MESSAGE, ORDER);
    } finally {
      scope.close();
    }
  }

  /** The Logback side: one context, one logger, Threadline's encoder, bytes discarded. */
  @State(Scope.Thread)
  public static class Logging {

    Logger logger;
    private ch.qos.logback.classic.Logger logback;
    private LoggerContext context;
    private final Sink sink = new Sink();
    private String threadName;

    /** Starts the context and its appender; fails when the encoder reports trouble or the bridge is not as asked. */
    @Setup
    public void start() {
      threadName = Thread.currentThread().getName();
      Thread.currentThread().setName(BenchmarkEvents.THREAD);
      context = new LoggerContext();
      context.setName("bench");
      // The MDC Threadline's scopes write is SLF4J's; the events must read the same one.
      context.setMDCAdapter(MDC.getMDCAdapter());
      context.start();
      ThreadlineEncoder encoder = new ThreadlineEncoder();
      encoder.setService("bench");
      encoder.setHost("bench-host");
      encoder.setContext(context);
      encoder.start();
      OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
      appender.setName("sink");
      appender.setContext(context);
      appender.setEncoder(encoder);
      appender.setOutputStream(sink);
      appender.start();
      if (!encoder.isStarted() || !appender.isStarted()) {
        throw new IllegalStateException("Logging did not start: " + problems());
      }
      ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
      root.setLevel(Level.INFO);
      root.addAppender(appender);
      logback = context.getLogger(BenchmarkEvents.LOGGER);
      logger = logback;

      boolean bridge = TraceBridges.get() != null;
      boolean filter = false;
      for (TurboFilter f : context.getTurboFilterList()) {
        filter |= f instanceof ActiveSpanFilter;
      }
      if (filter != bridge) {
        throw new IllegalStateException("Bridge " + (bridge ? "on" : "off") + " but ActiveSpanFilter "
            + (filter ? "installed" : "missing"));
      }
      System.err.println("BRIDGE " + (bridge ? TraceBridges.get().getClass().getName() : "off"));
    }

    /** Stops the context, so that nothing outlives the trial. */
    @TearDown
    public void stop() {
      Thread.currentThread().setName(threadName);
      List<String> problems = problems();
      context.stop();
      if (!problems.isEmpty()) {
        throw new IllegalStateException("Logging reported problems: " + problems);
      }
    }

    /**
     * What {@code LoggerContext.getTurboFilterChainDecision_1} (package-private) does at the start of
     * {@code logger.info(MESSAGE, ORDER)}: nothing to ask without a turbo filter, else the filters with the argument
     * in a new array.
     */
    FilterReply filterDecision() {
      TurboFilterList filters = context.getTurboFilterList();
      if (filters.size() == 0) {
        return FilterReply.NEUTRAL;
      }
      return filters.getTurboFilterChainDecision(null, logback, Level.INFO, MESSAGE, new Object[] {ORDER}, null);
    }

    /** Logs one line as the benchmarks do, prints it to stderr under {@code name}, and returns it. */
    String line(String name) {
      sink.captured = new ByteArrayOutputStream();
      try {
        logger.info(MESSAGE, ORDER);
        String line = sink.captured.toString(StandardCharsets.UTF_8);
        System.err.print("LINE case=" + name + " " + line);
        return line;
      } finally {
        sink.captured = null;
      }
    }

    /** Fails unless {@code line} carries exactly the given request id, trace id and span id. */
    static void expect(String line, String requestId, String traceId, String spanId) {
      for (String id : new String[] {requestId, traceId, spanId}) {
        if (!line.contains("\"" + id + "\"")) {
          throw new IllegalStateException("The line lacks " + id + ": " + line);
        }
      }
      if (!line.contains(ORDER) || !line.endsWith("}\n")) {
        throw new IllegalStateException("Not the line logged: " + line);
      }
    }

    private List<String> problems() {
      List<String> found = new ArrayList<>();
      for (Status status : context.getStatusManager().getCopyOfStatusList()) {
        if (status.getEffectiveLevel() >= Status.WARN) {
          found.add(status.toString());
        }
      }
      return found;
    }
  }

  /** A Threadline scope for the fixed ids, open for the whole trial: a request Threadline serves itself. */
  @State(Scope.Thread)
  public static class ThreadlineSpan {

    private final Correlation correlation = Correlation.ofSpan(REQUEST_ID, TRACE_ID, SPAN_ID,
        Correlation.FLAG_SAMPLED);
    private final OnOneThread thread = new OnOneThread();
    private CorrelationScope scope;

    /** Opens the scope and checks the line; with a bridge, also that OpenTelemetry's current span is this one. */
    @Setup
    public void open(Logging logging) {
      scope = correlation.open();
      if (TraceBridges.get() != null && !Span.current().getSpanContext().getSpanId().equals(SPAN_ID)) {
        throw new IllegalStateException("The bridge did not make Threadline's span current: " + Span.current());
      }
      Logging.expect(logging.line("threadline-scope"), REQUEST_ID, TRACE_ID, SPAN_ID);
    }

    /** Fails when the iteration ran on another thread or the scope is no longer the current one. */
    @TearDown(org.openjdk.jmh.annotations.Level.Iteration)
    public void check() {
      thread.check();
      if (Correlation.current().orElse(null) != correlation) {
        throw new IllegalStateException("The scope is no longer current: " + Correlation.current());
      }
    }

    /** Closes the scope. */
    @TearDown
    public void close() {
      scope.close();
    }
  }

  /** An SDK span made current with {@code makeCurrent()}, shown from the first line logged in it on. */
  @State(Scope.Thread)
  public static class SdkSpanMadeCurrent {

    private final OnOneThread thread = new OnOneThread();
    private Span span;
    private io.opentelemetry.context.Scope scope;

    /**
     * Starts the span, makes it current with a request id in its baggage, logs the first line in it, and checks
     * the line and that the MDC shows the span from then on.
     */
    @Setup
    public void open(Logging logging) {
      span = Sdk.TRACER.spanBuilder("ship").setNoParent().startSpan();
      scope = Context.root().with(span).with(Baggage.builder().put(ThreadlineOtel.BAGGAGE_KEY, REQUEST_ID).build())
          .makeCurrent();
      String spanId = span.getSpanContext().getSpanId();
      Logging.expect(logging.line("sdk-span"), REQUEST_ID, span.getSpanContext().getTraceId(), spanId);
      thread.expectShown(spanId);
    }

    /** Fails when the iteration ran on another thread or the MDC no longer shows the span. */
    @TearDown(org.openjdk.jmh.annotations.Level.Iteration)
    public void check() {
      thread.check();
      thread.expectShown(span.getSpanContext().getSpanId());
    }

    /** Closes the scope, lets the log-time check drop the scope it opened, and ends the span. */
    @TearDown
    public void close() {
      scope.close();
      ActiveSpan.publish();
      if (MDC.get("span_id") != null) {
        throw new IllegalStateException("The MDC still shows a span: " + MDC.getCopyOfContextMap());
      }
      span.end();
    }
  }

  /**
   * A Threadline scope (as {@link ThreadlineSpan}), then a child SDK span attached with OpenTelemetry's default
   * storage, as the Java agent's storage does it: the MDC does not show the span until a line is logged.
   */
  @State(Scope.Thread)
  public static class SpanAttachedDirectly {

    private final OnOneThread thread = new OnOneThread();
    private CorrelationScope threadline;
    private Span child;
    private io.opentelemetry.context.Scope attached;

    /** Opens both and checks that the first line carries the child span (which the MDC did not show before). */
    @Setup
    public void open(Logging logging) {
      threadline = Correlation.ofSpan(REQUEST_ID, TRACE_ID, SPAN_ID, Correlation.FLAG_SAMPLED).open();
      child = Sdk.TRACER.spanBuilder("child").setParent(Context.current()).startSpan();
      attached = ContextStorage.defaultStorage().attach(Context.current().with(child));
      String spanId = child.getSpanContext().getSpanId();
      if (!SPAN_ID.equals(MDC.get("span_id"))) {
        throw new IllegalStateException("The child span reached the MDC before a line was logged");
      }
      Logging.expect(logging.line("tracer-span"), REQUEST_ID, TRACE_ID, spanId);
    }

    /** Fails when the iteration ran on another thread or the MDC no longer shows the child span. */
    @TearDown(org.openjdk.jmh.annotations.Level.Iteration)
    public void check() {
      thread.check();
      thread.expectShown(child.getSpanContext().getSpanId());
    }

    /** Detaches the child, lets the log-time check drop the scope it opened, and closes Threadline's scope. */
    @TearDown
    public void close() {
      attached.close();
      child.end();
      ActiveSpan.publish();
      thread.expectShown(SPAN_ID);
      threadline.close();
    }
  }

  /**
   * A Threadline scope (as {@link ThreadlineSpan}) and two child SDK spans, one of which is attached with
   * OpenTelemetry's default storage around each call, in turn.
   */
  @State(Scope.Thread)
  public static class AlternatingSpans {

    private final OnOneThread thread = new OnOneThread();
    private final Context[] contexts = new Context[2];
    private final Span[] spans = new Span[2];
    private CorrelationScope threadline;
    private int next;

    /** Opens the scope, starts the spans, and checks that two lines in a row carry the two spans. */
    @Setup
    public void open(Logging logging) {
      threadline = Correlation.ofSpan(REQUEST_ID, TRACE_ID, SPAN_ID, Correlation.FLAG_SAMPLED).open();
      boolean bridge = TraceBridges.get() != null;
      for (int i = 0; i < 2; i++) {
        spans[i] = Sdk.TRACER.spanBuilder("child-" + i).setParent(Context.current()).startSpan();
        contexts[i] = Context.current().with(spans[i]);
      }
      for (int i = 0; i < 2; i++) {
        try (io.opentelemetry.context.Scope ignored = attachNext()) {
          String line = logging.line("alternating-" + i);
          // Without a bridge, nothing reads the tracer's span: the line keeps Threadline's.
          Logging.expect(line, REQUEST_ID, bridge ? spans[i].getSpanContext().getTraceId() : TRACE_ID,
              bridge ? spans[i].getSpanContext().getSpanId() : SPAN_ID);
        }
      }
    }

    /** Attaches the next span's context with the default storage; closing the result detaches it. */
    io.opentelemetry.context.Scope attachNext() {
      return ContextStorage.defaultStorage().attach(contexts[next++ & 1]);
    }

    /** Fails when the iteration ran on another thread. */
    @TearDown(org.openjdk.jmh.annotations.Level.Iteration)
    public void check() {
      thread.check();
    }

    /** Lets the log-time check drop the scope it opened last, and closes Threadline's scope. */
    @TearDown
    public void close() {
      ActiveSpan.publish();
      thread.expectShown(SPAN_ID);
      threadline.close();
      for (Span span : spans) {
        span.end();
      }
    }
  }

  /** The SDK's tracer: no processor, no exporter; loaded only by the cases that start spans. */
  private static final class Sdk {
    static final Tracer TRACER = SdkTracerProvider.builder().build().get("bench");
  }

  /** The thread a state was created on, which must be the one every iteration runs on. */
  private static final class OnOneThread {

    private final Thread owner = Thread.currentThread();

    void check() {
      if (Thread.currentThread() != owner) {
        throw new IllegalStateException("Iteration on " + Thread.currentThread() + ", state made on " + owner);
      }
    }

    void expectShown(String spanId) {
      if (!spanId.equals(MDC.get("span_id"))) {
        throw new IllegalStateException("The MDC shows " + MDC.getCopyOfContextMap() + ", not span " + spanId);
      }
    }
  }

  /** Discards what it is given; while {@link #captured} is set, keeps a copy there. */
  private static final class Sink extends OutputStream {

    ByteArrayOutputStream captured;
    private long bytes;

    @Override
    public void write(int b) {
      bytes++;
      if (captured != null) {
        captured.write(b);
      }
    }

    @Override
    public void write(byte[] b, int off, int len) {
      bytes += len;
      if (captured != null) {
        captured.write(b, off, len);
      }
    }
  }
}
