package dev.threadline.benchmarks.loki;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import dev.threadline.loki.LokiAppender;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.MDC;

/**
 * One scenario of {@link LokiEndToEnd}, in a JVM of its own: Logback configured in code with one appender
 * ({@code threadline}, {@code loki4j} or {@code floor}, a no-op appender), the typical event logged from
 * {@code threads} threads, and one {@code RESULT key=value ...} line on stdout.
 *
 * <p>Arguments: {@code appender threads eventsPerThread warmupPerThread sinkUrl mode}, where mode is {@code unpaced},
 * {@code paced:<events per second per thread>} or {@code idle:<seconds>} (appender started, nothing logged).
 */
public final class LokiScenario {

  private static final String PATTERN = "Shipping order {} for customer {} took {} ms";
  /** A paced thread further than this from its next call yields its core rather than spinning. */
  private static final long YIELD_ABOVE_NANOS = 5_000;
  private static final long DELIVERY_TIMEOUT_NANOS = Duration.ofSeconds(60).toNanos();
  /**
   * Order and customer ids drawn once: lines differ as much as real ones do, so Snappy's figures mean something,
   * without the logging loop allocating strings of its own.
   */
  private static final String[] ORDERS = ids("ord-", 4096);
  private static final String[] CUSTOMERS = ids("cust-", 1024);

  private LokiScenario() {
  }

  /** Runs one scenario; see the class comment for the arguments. */
  public static void main(String[] args) throws Exception {
    String appenderName = args[0];
    int threads = Integer.parseInt(args[1]);
    int perThread = Integer.parseInt(args[2]);
    int warmup = Integer.parseInt(args[3]);
    String sinkUrl = args[4];
    String mode = args[5];

    LoggerContext context = (LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory();
    context.reset();
    Appender<ILoggingEvent> appender = switch (appenderName) {
      case "threadline" -> threadline(context, sinkUrl, null);
      // The other overflow policy: a full queue holds the caller back (at most blockTimeout, 100 ms) instead of
      // dropping, as loki4j does; the sustained rate the pipeline can deliver when the application lets it.
      case "threadline-block" -> threadline(context, sinkUrl, "block");
      // Issue #20: the spill configured (a fresh directory), Loki healthy; the application's figures must not move.
      case "threadline-spill" -> withSpill(threadline(context, sinkUrl, null));
      case "loki4j" -> Loki4jSetup.create(context, sinkUrl);
      case "floor" -> new NoOpAppender();
      default -> throw new IllegalArgumentException(
          "appender: threadline, threadline-block, threadline-spill, loki4j or floor, not " + appenderName);
    };
    appender.setContext(context);
    appender.start();
    if (!appender.isStarted()) {
      throw new IllegalStateException(appenderName + " did not start: "
          + context.getStatusManager().getCopyOfStatusList());
    }
    ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.INFO);
    root.addAppender(appender);
    Logger log = context.getLogger("com.example.orders.ShippingService");
    boolean remote = !appenderName.equals("floor");

    Map<String, Object> result = new LinkedHashMap<>();
    result.put("appender", appenderName);
    result.put("logback", logbackVersion());
    result.put("threads", threads);
    result.put("mode", mode);

    if (mode.startsWith("idle:")) {
      idle(Integer.parseInt(mode.substring(5)), result);
      appender.stop();
      print(result);
      return;
    }

    // Warm-up, delivered and drained before anything is measured: unpaced, then, for a paced run, a second in the
    // measured pace, so the code that pacing runs (the logging loop's waits, the sender's idle paths) is compiled
    // before, not during, the measurement.
    long rate = mode.startsWith("paced:") ? Long.parseLong(mode.substring(6)) : 0;
    long before = remote ? sinkStats(sinkUrl).get("entries") : 0;
    runWorkers(log, threads, warmup, 0, null);
    if (rate > 0) {
      runWorkers(log, threads, (int) Math.min(rate, Integer.MAX_VALUE), rate, null);
      before += (long) threads * rate;
    }
    if (remote) {
      awaitDelivery(sinkUrl, before + (long) threads * warmup, Duration.ofSeconds(10));
    }
    // loki.settleSeconds: a rest before measuring, the same for every appender. An appender that dropped part of
    // the warm-up gets here only after awaitDelivery's 10 s of quiet; one that delivered all of it (from a spill,
    // say) gets here at once, with the JIT and GC still busy with the drain.
    Thread.sleep(Long.getLong("loki.settleSeconds", 0) * 1000);

    AllocationSampler sampler = new AllocationSampler();
    Map<String, Long> sinkBefore = remote ? sinkStats(sinkUrl) : Map.of();
    long cpuBefore = processCpuNanos();
    Workers workers = runWorkers(log, threads, perThread, rate, sampler);
    long expected = sinkBefore.getOrDefault("entries", 0L) + (long) threads * perThread;
    long delivered;
    long end;
    if (remote) {
      // Stopping the appender is its flush; the sampler keeps the counts of the threads stop() ends.
      appender.stop();
      // stop() has flushed what each appender will ever send; a short quiet period is enough.
      long[] arrived = awaitDelivery(sinkUrl, expected, Duration.ofSeconds(2));
      delivered = arrived[0] - sinkBefore.get("entries");
      end = arrived[1];
    } else {
      delivered = (long) threads * perThread;
      end = workers.lastCallEnd;
    }
    long cpu = processCpuNanos() - cpuBefore;
    long[] all = workers.latencies();
    long allocated = sampler.finish();
    // CPU by where it was spent. The application threads' share is their thread CPU time; paced threads also wait
    // between calls, so theirs is estimated from the calls whose CPU time was read (see runWorkers).
    long appCpu = rate > 0 ? workers.sampledCallCpuNanos() : workers.cpuNanos();
    long otherThreadsCpu = sampler.otherThreadsCpuNanos();
    long jvmCpu = Math.max(0, cpu - workers.cpuNanos() - otherThreadsCpu);
    if (rate > 0) {
      cpu = cpu - workers.cpuNanos() + appCpu;
    }
    workers.release();
    if (!remote) {
      appender.stop();
    }

    Arrays.sort(all);
    double seconds = (end - workers.firstCallStart) / 1e9;
    result.put("events", (long) threads * perThread);
    result.put("delivered", delivered);
    result.put("lost", (long) threads * perThread - delivered);
    result.put("callsPerSec", Math.round(all.length / ((workers.lastCallEnd - workers.firstCallStart) / 1e9)));
    result.put("deliveredPerSec", Math.round(delivered / seconds));
    result.put("p50Ns", percentile(all, 0.50));
    result.put("p99Ns", percentile(all, 0.99));
    result.put("p999Ns", percentile(all, 0.999));
    result.put("maxNs", all[all.length - 1]);
    result.put("cpuMsPerMillion", Math.round(cpu / 1e6 / (delivered / 1e6) * 10) / 10.0);
    result.put("cpuAppMsPerMillion", Math.round(appCpu / 1e6 / (delivered / 1e6) * 10) / 10.0);
    result.put("cpuThreadsMsPerMillion", Math.round(otherThreadsCpu / 1e6 / (delivered / 1e6) * 10) / 10.0);
    result.put("cpuJvmMsPerMillion", Math.round(jvmCpu / 1e6 / (delivered / 1e6) * 10) / 10.0);
    result.put("allocBytesPerEvent", Math.round((double) allocated / delivered));
    // Per logging call too: when an appender drops, per delivered event charges the dropped calls to the rest.
    result.put("allocBytesPerCall", Math.round((double) allocated / all.length));
    if (remote) {
      Map<String, Long> sinkAfter = sinkStats(sinkUrl);
      long entries = sinkAfter.get("entries") - sinkBefore.get("entries");
      long body = sinkAfter.get("bodyBytes") - sinkBefore.get("bodyBytes");
      long decoded = sinkAfter.get("decodedBytes") - sinkBefore.get("decodedBytes");
      long lines = sinkAfter.get("lineBytes") - sinkBefore.get("lineBytes");
      result.put("pushes", sinkAfter.get("requests") - sinkBefore.get("requests"));
      result.put("lineBytesPerEvent", round1((double) lines / entries));
      result.put("protobufBytesPerEvent", round1((double) decoded / entries));
      result.put("wireBytesPerEvent", round1((double) body / entries));
      result.put("wireToLine", Math.round((double) body / lines * 1000) / 1000.0);
      result.put("rejectedPushes", sinkAfter.get("rejected") - sinkBefore.get("rejected"));
    }
    if (appenderName.startsWith("threadline")) {
      // Only here: the loki4j child's class path need not hold Threadline's appender.
      result.put("appenderStats", String.valueOf(((LokiAppender) appender).stats()).replace(' ', '_'));
    }
    print(result);
    System.exit(0);
  }

  private static Appender<ILoggingEvent> threadline(LoggerContext context, String sinkUrl, String overflowPolicy) {
    LokiAppender appender = new LokiAppender();
    appender.setContext(context);
    appender.setName("LOKI");
    appender.setUrl(sinkUrl);
    appender.setService("bench");
    appender.setEnv("bench");
    appender.setJmx(false);
    if (overflowPolicy != null) {
      appender.setOverflowPolicy(overflowPolicy);
    }

    return appender;
  }

  /** Gives {@code appender} a spill directory of its own, removed when the JVM exits. */
  private static Appender<ILoggingEvent> withSpill(Appender<ILoggingEvent> appender) {
    try {
      java.nio.file.Path directory = java.nio.file.Files.createTempDirectory("threadline-bench-spill-");
      ((LokiAppender) appender).setSpillDirectory(directory.toString());
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(directory)) {
          files.forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
          // a temporary directory: the system cleans it eventually
        }
        directory.toFile().delete();
      }));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return appender;
  }

  /** Logback with an appender that does nothing: the cost of the logging call itself. */
  private static final class NoOpAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {
    NoOpAppender() {
      setName("NOOP");
    }

    @Override
    protected void append(ILoggingEvent event) {
    }
  }

  private static void idle(int seconds, Map<String, Object> result) throws InterruptedException {
    // Let start-up settle, then measure a quiet appender.
    Thread.sleep(2000);
    long cpu = processCpuNanos();
    long start = System.nanoTime();
    Thread.sleep(seconds * 1000L);
    long wall = System.nanoTime() - start;
    result.put("idleCpuPercent", Math.round((processCpuNanos() - cpu) * 10000.0 / wall) / 100.0);
    result.put("idleSeconds", seconds);
  }

  // ---- workers

  private static final class Workers {
    final long[][] latencies;
    static final int CPU_SAMPLE_EVERY = 8;
    final long[] cpu;
    final long[] sampledCpu;
    final long[] sampledCalls;
    final long[] emptyCpu;
    final long[] emptyPairs;
    final CountDownLatch done;
    final CountDownLatch release = new CountDownLatch(1);
    long firstCallStart = Long.MAX_VALUE;
    long lastCallEnd;

    Workers(int threads) {
      latencies = new long[threads][];
      cpu = new long[threads];
      sampledCpu = new long[threads];
      sampledCalls = new long[threads];
      emptyCpu = new long[threads];
      emptyPairs = new long[threads];
      done = new CountDownLatch(threads);
    }

    long[] latencies() {
      int total = 0;
      for (long[] l : latencies) {
        total += l.length;
      }
      long[] all = new long[total];
      int at = 0;
      for (long[] l : latencies) {
        System.arraycopy(l, 0, all, at, l.length);
        at += l.length;
      }
      return all;
    }

    /**
     * The application threads' CPU time inside their logging calls, estimated: one call in
     * 2 × {@value #CPU_SAMPLE_EVERY} has its thread CPU time read before and after it, and half-way between two
     * such calls the same two readings are taken with nothing between them. The mean of the first, less the mean of
     * the second (the readings' own cost, a system call of about 1.5 µs here, taken in the same place in the
     * schedule, after the same wait), times the calls made.
     */
    long sampledCallCpuNanos() {
      long total = 0;
      for (int t = 0; t < latencies.length; t++) {
        if (sampledCalls[t] > 0 && emptyPairs[t] > 0) {
          double readings = (double) emptyCpu[t] / emptyPairs[t];
          double perCall = Math.max(0, (double) sampledCpu[t] / sampledCalls[t] - readings);
          total += Math.round(perCall * latencies[t].length);
        }
      }
      return total;
    }

    long cpuNanos() {
      long total = 0;
      for (long c : cpu) {
        total += c;
      }
      return total;
    }

    void release() {
      release.countDown();
    }
  }

  /**
   * Logs {@code count} events on each of {@code threads} threads and waits until they have all returned; the threads
   * then stay alive (their allocation counters with them) until {@link Workers#release()}. With {@code rate} > 0,
   * each thread paces itself at that many events per second: it yields its core until the next call is a few µs away
   * and spins for the rest, so the schedule holds at tens of µs while the appender's threads get the cores an idle
   * server thread would leave them. Some paced calls have their thread CPU time read around them, for
   * {@link Workers#sampledCallCpuNanos}.
   */
  private static Workers runWorkers(Logger log, int threads, int count, long rate, AllocationSampler sampler)
      throws InterruptedException {
    Workers workers = new Workers(threads);
    long[] starts = new long[threads];
    long[] ends = new long[threads];
    CountDownLatch go = new CountDownLatch(1);
    for (int t = 0; t < threads; t++) {
      int id = t;
      long[] latency = new long[count];
      workers.latencies[t] = latency;
      Thread thread = new Thread(() -> {
        MDC.put("userId", "u-1842");
        MDC.put("tenant", "acme-eu");
        MDC.put("region", "eu-west-1");
        MDC.put("httpMethod", "POST");
        MDC.put("httpPath", "/api/orders/42/ship");
        MDC.put("requestId", "req-7f3a9c2e5b1d4e0" + id);
        MDC.put("trace_id", "4bf92f3577b34da6a3ce929d0e0e473" + id);
        MDC.put("span_id", "00f067aa0ba902b" + id);
        try {
          go.await();
        } catch (InterruptedException e) {
          return;
        }
        long interval = rate > 0 ? 1_000_000_000L / rate : 0;
        java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long cpuStart = mx.getCurrentThreadCpuTime();
        long begin = System.nanoTime();
        starts[id] = begin;
        long sampledCpu = 0;
        long sampledCalls = 0;
        long emptyCpu = 0;
        long emptyPairs = 0;
        for (int i = 0; i < count; i++) {
          int slot = i % (2 * Workers.CPU_SAMPLE_EVERY);
          boolean sample = interval > 0 && slot == 0;
          if (interval > 0) {
            long due = begin + i * interval;
            for (long now = System.nanoTime(); now < due; now = System.nanoTime()) {
              // As an idle server thread would, give the core away while the next call is far off; spin only
              // for the last few microseconds, so the schedule still holds.
              if (due - now > YIELD_ABOVE_NANOS) {
                Thread.yield();
              } else {
                Thread.onSpinWait();
              }
            }
          }
          if (interval > 0 && slot == Workers.CPU_SAMPLE_EVERY) {
            // The same two readings with nothing between them, in the same place in the schedule: their cost.
            long e0 = mx.getCurrentThreadCpuTime();
            emptyCpu += mx.getCurrentThreadCpuTime() - e0;
            emptyPairs++;
          }
          long c0 = sample ? mx.getCurrentThreadCpuTime() : 0;
          long t0 = System.nanoTime();
          log.atInfo().addKeyValue("carrier", "DHL Express").addKeyValue("items", 3)
              .log(PATTERN, ORDERS[i & 4095], CUSTOMERS[(i * 7) & 1023], i & 1023);
          latency[i] = System.nanoTime() - t0;
          if (sample) {
            sampledCpu += mx.getCurrentThreadCpuTime() - c0;
            sampledCalls++;
          }
        }
        workers.sampledCpu[id] = sampledCpu;
        workers.sampledCalls[id] = sampledCalls;
        workers.emptyCpu[id] = emptyCpu;
        workers.emptyPairs[id] = emptyPairs;
        ends[id] = System.nanoTime();
        workers.cpu[id] = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpuStart;
        workers.done.countDown();
        try {
          workers.release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "app-" + t);
      thread.setDaemon(true);
      thread.start();
    }
    if (sampler != null) {
      sampler.start();
    }
    go.countDown();
    workers.done.await();
    for (int t = 0; t < threads; t++) {
      workers.firstCallStart = Math.min(workers.firstCallStart, starts[t]);
      workers.lastCallEnd = Math.max(workers.lastCallEnd, ends[t]);
    }
    if (sampler == null) {
      workers.release();
    }
    return workers;
  }

  private static String[] ids(String prefix, int count) {
    java.util.Random random = new java.util.Random(42);
    String[] ids = new String[count];
    for (int i = 0; i < count; i++) {
      ids[i] = prefix + Long.toString(random.nextLong() & Long.MAX_VALUE, 36);
    }
    return ids;
  }

  // ---- measurement helpers

  private static long percentile(long[] sorted, double p) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
  }

  private static double round1(double v) {
    return Math.round(v * 10) / 10.0;
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /**
   * Bytes allocated by every thread of the JVM but the harness's own (main, this sampler) since {@link #start()}.
   * A thread that dies takes its counter with it, so the counters are read every 5 ms and the last reading of each
   * thread kept: a thread that ends loses at most its last 5 ms.
   */
  private static final class AllocationSampler extends Thread {
    private final com.sun.management.ThreadMXBean mx =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private final Map<Long, Long> baseline = new HashMap<>();
    private final Map<Long, Long> last = new HashMap<>();
    /** CPU time of the Java threads that are neither the harness's nor the application's: the appender's own. */
    private final Map<Long, Long> cpuBaseline = new HashMap<>();
    private final Map<Long, Long> cpuLast = new HashMap<>();
    private final Map<Long, Boolean> appenders = new HashMap<>();
    private final long mainId = Thread.currentThread().getId();
    private volatile boolean running = true;

    AllocationSampler() {
      super("allocation-sampler");
      setDaemon(true);
      sample(baseline, cpuBaseline);
    }

    @Override
    public void run() {
      while (running) {
        synchronized (this) {
          sample(last, cpuLast);
        }
        try {
          Thread.sleep(5);
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    private void sample(Map<Long, Long> into, Map<Long, Long> cpuInto) {
      long[] ids = mx.getAllThreadIds();
      long[] bytes = mx.getThreadAllocatedBytes(ids);
      long[] cpu = mx.getThreadCpuTime(ids);
      for (int i = 0; i < ids.length; i++) {
        if (ids[i] != mainId && ids[i] != getId() && bytes[i] >= 0) {
          into.put(ids[i], bytes[i]);
        }
        if (ids[i] != mainId && ids[i] != getId() && cpu[i] >= 0 && appenderThread(ids[i])) {
          cpuInto.put(ids[i], cpu[i]);
        }
      }
    }

    private boolean appenderThread(long id) {
      return appenders.computeIfAbsent(id, k -> {
        java.lang.management.ThreadInfo info = mx.getThreadInfo(k);
        return info != null && !info.getThreadName().startsWith("app-");
      });
    }

    /** CPU time of the appender's threads (sender, HTTP client...) since start; a thread's last 5 ms may be missed. */
    long otherThreadsCpuNanos() {
      long total = 0;
      for (Map.Entry<Long, Long> e : cpuLast.entrySet()) {
        total += e.getValue() - cpuBaseline.getOrDefault(e.getKey(), 0L);
      }
      return total;
    }

    long finish() throws InterruptedException {
      running = false;
      join();
      sample(last, cpuLast);
      long total = 0;
      for (Map.Entry<Long, Long> e : last.entrySet()) {
        total += e.getValue() - baseline.getOrDefault(e.getKey(), 0L);
      }
      return total;
    }
  }

  // ---- the sink's counters

  /**
   * Polls the sink until {@code expected} entries arrived, nothing more arrived for {@code quiet} (the appender
   * dropped some), 60 s passed, or the sink refused a push. Returns the entries and the time the last of them was
   * seen.
   */
  private static long[] awaitDelivery(String sinkUrl, long expected, Duration quiet)
      throws IOException, InterruptedException {
    long start = System.nanoTime();
    long deadline = start + DELIVERY_TIMEOUT_NANOS;
    Map<String, Long> stats = sinkStats(sinkUrl);
    long rejectedBefore = stats.get("rejected");
    long entries = stats.get("entries");
    long lastChange = start;
    while (entries < expected) {
      long now = System.nanoTime();
      if (now > deadline || now - lastChange > quiet.toNanos()) {
        break;
      }
      Thread.sleep(5);
      stats = sinkStats(sinkUrl);
      if (stats.get("rejected") > rejectedBefore) {
        throw new IllegalStateException("The sink refused a push; see its output");
      }
      if (stats.get("entries") != entries) {
        entries = stats.get("entries");
        lastChange = System.nanoTime();
      }
    }
    return new long[] {entries, lastChange};
  }

  private static String logbackVersion() {
    try (InputStream in = LoggerContext.class.getResourceAsStream(
        "/META-INF/maven/ch.qos.logback/logback-classic/pom.properties")) {
      java.util.Properties p = new java.util.Properties();
      if (in != null) {
        p.load(in);
      }
      return p.getProperty("version", "?");
    } catch (IOException e) {
      return "?";
    }
  }

  private static final Pattern FIELD = Pattern.compile("\"(\\w+)\":(\\d+)");

  static Map<String, Long> sinkStats(String sinkUrl) throws IOException {
    HttpURLConnection connection = (HttpURLConnection) new URL(sinkUrl + "/stats").openConnection();
    try (InputStream in = connection.getInputStream()) {
      Map<String, Long> stats = new HashMap<>();
      Matcher m = FIELD.matcher(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      while (m.find()) {
        stats.put(m.group(1), Long.parseLong(m.group(2)));
      }
      return stats;
    }
  }

  private static void print(Map<String, Object> result) {
    StringBuilder line = new StringBuilder("RESULT");
    result.forEach((k, v) -> line.append(' ').append(k).append('=').append(v));
    System.out.println(line);
    System.out.flush();
  }
}
