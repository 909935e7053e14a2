package dev.threadline.benchmarks.loki;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import dev.threadline.loki.LokiAppender;
import dev.threadline.loki.LokiStats;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.slf4j.MDC;

/**
 * Issue #20's end-to-end spill figures, a plain harness: the Loki appender as a user configures it, writing to its
 * spill while Loki is away and replaying when it is back, against the disk's own sequential write speed measured in
 * the same run (a plain {@code FileChannel} loop of 64 KiB writes, forced at the end).
 *
 * <p>Each round: the plain write loop; then <b>spill write</b>: an appender whose Loki is a closed port, with a
 * spill directory and {@code overflowPolicy} block (so the figure is what the spill path sustains, not what a full
 * budget drops), logs {@code events} typical events from one thread as fast as it can, timed until every one is on
 * disk; the appender is stopped; then <b>replay</b>: a new appender on the same directory, its Loki the harness's
 * {@link LokiSink} (another JVM, decoding every entry), timed from start until the sink has every event; and, for
 * scale, <b>healthy</b>: the same events through an appender without a spill to the same sink. Figures:
 * events/s, the spill's bytes on disk per second, and the lines' own bytes per second (what the application logged,
 * before compression), each the median of the rounds.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.threadline.benchmarks.loki.SpillEndToEnd /var/tmp 2000000 3</pre>
 */
public final class SpillEndToEnd {

  private static final String PATTERN = "Shipping order {} for customer {} took {} ms";

  private SpillEndToEnd() {
  }

  /** Arguments: a directory on the disk to measure, the events per run, the rounds. */
  public static void main(String[] args) throws Exception {
    Path root = Path.of(args.length > 0 ? args[0] : System.getProperty("java.io.tmpdir"))
        .resolve("threadline-spill-end-to-end");
    int events = args.length > 1 ? Integer.parseInt(args[1]) : 2_000_000;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    Process sink = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xms256m", "-Xmx256m", "-cp", System.getProperty("java.class.path"), LokiSink.class.getName())
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try {
      BufferedReader sinkOut = new BufferedReader(new InputStreamReader(sink.getInputStream(), StandardCharsets.UTF_8));
      String listening = sinkOut.readLine();
      String sinkUrl = "http://127.0.0.1:" + listening.substring("LISTENING ".length());
      String downUrl;
      try (ServerSocket socket = new ServerSocket(0)) {
        downUrl = "http://127.0.0.1:" + socket.getLocalPort();
      }
      Map<String, List<Double>> figures = new java.util.LinkedHashMap<>();
      // A first, unrecorded round: the JIT and the sink warm up.
      for (int round = 0; round <= rounds; round++) {
        Map<String, Double> one = new java.util.LinkedHashMap<>();
        one.put("plain FileChannel write, MB/s", plainWrite(root, 256L << 20) / 1e6);
        clean(root);
        Files.createDirectories(root);
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(MDC.getMDCAdapter());
        LokiAppender writer = appender(context, "W" + round, downUrl, root);
        Logger log = logger(context, writer);
        long started = System.nanoTime();
        logTypical(log, events);
        while (writer.stats().spilled() < events) {
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        double writeSeconds = (System.nanoTime() - started) / 1e9;
        LokiStats written = writer.stats();
        writer.stop();
        long onDisk = written.spillBytes();

        Map<String, Long> before = LokiScenario.sinkStats(sinkUrl);
        started = System.nanoTime();
        LokiAppender replayer = appender(context, "R" + round, sinkUrl, root);
        while (LokiScenario.sinkStats(sinkUrl).get("entries") - before.get("entries") < events) {
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        double replaySeconds = (System.nanoTime() - started) / 1e9;
        Map<String, Long> after = LokiScenario.sinkStats(sinkUrl);
        LokiStats replayed = replayer.stats();
        replayer.stop();
        long lineBytes = after.get("lineBytes") - before.get("lineBytes");
        if (written.dropped() != 0 || replayed.recovered() != events || replayed.dropped() != 0) {
          throw new IllegalStateException("not every event went through: " + written + " / " + replayed);
        }
        // The same events to a healthy Loki without a spill: what the path sustains with no disk in it.
        before = LokiScenario.sinkStats(sinkUrl);
        started = System.nanoTime();
        LokiAppender healthy = appender(context, "H" + round, sinkUrl, null);
        logTypical(logger(context, healthy), events);
        while (LokiScenario.sinkStats(sinkUrl).get("entries") - before.get("entries") < events) {
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        double healthySeconds = (System.nanoTime() - started) / 1e9;
        healthy.stop();
        one.put("healthy Loki, no spill: events/s", events / healthySeconds);
        one.put("spill write: events/s", events / writeSeconds);
        one.put("spill write: MB/s on disk", onDisk / writeSeconds / 1e6);
        one.put("spill write: MB/s of lines", lineBytes / writeSeconds / 1e6);
        one.put("spill write: disk bytes per event", (double) onDisk / events);
        one.put("replay: events/s", events / replaySeconds);
        one.put("replay: MB/s from disk", onDisk / replaySeconds / 1e6);
        one.put("replay: MB/s of lines", lineBytes / replaySeconds / 1e6);
        System.err.println((round == 0 ? "warm-up: " : "round " + round + ": ") + one);
        if (round > 0) {
          one.forEach((k, v) -> figures.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
        }
      }
      System.out.printf(Locale.ROOT, "%d events per run, %d rounds, medians (all rounds)%n", events, rounds);
      figures.forEach((name, values) -> {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(Comparator.naturalOrder());
        StringBuilder all = new StringBuilder();
        values.forEach(v -> all.append(String.format(Locale.ROOT, " %.1f", v)));
        System.out.printf(Locale.ROOT, "%-40s %12.1f  (%s )%n", name, sorted.get(sorted.size() / 2), all);
      });
    } finally {
      sink.destroy();
      clean(root);
    }
  }

  private static LokiAppender appender(LoggerContext context, String name, String url, Path spill) {
    LokiAppender appender = new LokiAppender();
    appender.setContext(context);
    appender.setName(name);
    appender.setUrl(url);
    appender.setService("bench");
    appender.setEnv("bench");
    appender.setJmx(false);
    appender.setShutdownHook(false);
    appender.setOverflowPolicy("block");
    if (spill != null) {
      appender.setSpillDirectory(spill.toString());
      appender.setSpillMaxBytes(ch.qos.logback.core.util.FileSize.valueOf("4GB"));
    }
    appender.start();
    if (!appender.isStarted() || spill != null && !"on".equals(appender.stats().spillStatus())) {
      throw new IllegalStateException("the appender did not start with its spill: " + appender.stats());
    }
    return appender;
  }

  private static Logger logger(LoggerContext context, LokiAppender appender) {
    Logger logger = context.getLogger("com.acme.orders.Shipping");
    logger.detachAndStopAllAppenders();
    logger.setAdditive(false);
    logger.setLevel(Level.INFO);
    logger.addAppender(appender);
    return logger;
  }

  /** The end-to-end harness's typical event: the same MDC and message shape as {@link LokiScenario}. */
  private static void logTypical(Logger log, int events) {
    SplittableRandom random = new SplittableRandom(20);
    String[] orders = new String[4096];
    String[] customers = new String[1024];
    for (int i = 0; i < orders.length; i++) {
      orders[i] = "ord-" + Long.toHexString(random.nextLong());
    }
    for (int i = 0; i < customers.length; i++) {
      customers[i] = "cust-" + Long.toHexString(random.nextLong());
    }
    MDC.put("userId", "u-1842");
    MDC.put("tenant", "acme-eu");
    MDC.put("region", "eu-west-1");
    MDC.put("httpMethod", "POST");
    MDC.put("httpPath", "/api/orders/42/ship");
    MDC.put("requestId", "req-7f3a9c2e5b1d4e01");
    MDC.put("trace_id", "4bf92f3577b34da6a3ce929d0e0e4731");
    MDC.put("span_id", "00f067aa0ba902b1");
    try {
      for (int i = 0; i < events; i++) {
        log.info(PATTERN, orders[i & 4095], customers[i & 1023], i % 1000);
      }
    } finally {
      MDC.clear();
    }
  }

  /** Bytes per second of a plain sequential write loop of {@code total} bytes in 64 KiB writes, forced at the end. */
  private static double plainWrite(Path root, long total) throws IOException {
    Files.createDirectories(root);
    Path file = root.resolve("plain.bin");
    byte[] block = new byte[64 << 10];
    new SplittableRandom(20).nextBytes(block);
    long started = System.nanoTime();
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      for (long written = 0; written < total; written += block.length) {
        ByteBuffer b = ByteBuffer.wrap(block);
        while (b.hasRemaining()) {
          channel.write(b);
        }
      }
      channel.force(false);
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    Files.delete(file);
    return total / seconds;
  }

  private static void clean(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> files = Files.walk(root)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
