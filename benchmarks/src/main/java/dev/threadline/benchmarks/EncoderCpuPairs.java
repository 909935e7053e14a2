package dev.threadline.benchmarks;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.EncoderBase;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.slf4j.MDC;

/**
 * The encoders of {@link EncoderBenchmark} compared by thread CPU time per line rather than by throughput: Threadline
 * and LogstashEncoder take turns in slices of 300 ms of this thread's CPU time, in one JVM, on the same events, and
 * each pair of neighbouring slices gives one ratio. On a shared machine whose cores other work takes at random, CPU
 * time is steadier than wall time (a slice that loses its core is not charged for it), and taking turns puts both
 * encoders under the same conditions.
 *
 * <p>Arguments: the profiles (comma-separated, as {@link EncoderBenchmark}'s, default all) and the number of measured
 * pairs (default 9), after 3 unmeasured ones. Prints one line per profile: the median CPU ns per line of each
 * encoder, and the median, least and greatest of the pairs' ratios.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.threadline.benchmarks.EncoderCpuPairs lite,typical 9</pre>
 */
public final class EncoderCpuPairs {

  private static final String[] ENCODERS = {"threadline", "logstash"};
  private static final long SLICE_NANOS = 300_000_000L;
  private static volatile int sink;

  private EncoderCpuPairs() {
  }

  /** Runs the comparison; see the class comment for the arguments. */
  public static void main(String[] args) {
    String[] profiles = (args.length > 0 ? args[0] : "lite,typical,typical-cold,typical-fresh,error").split(",");
    int pairs = args.length > 1 ? Integer.parseInt(args[1]) : 9;
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    for (String profile : profiles) {
      LoggerContext context = new LoggerContext();
      context.setName("bench");
      context.setMDCAdapter(MDC.getMDCAdapter());
      context.start();
      ILoggingEvent[] events = BenchmarkEvents.createMany(profile, context);
      List<EncoderBase<ILoggingEvent>> encoders = new ArrayList<>();
      for (String name : ENCODERS) {
        EncoderBase<ILoggingEvent> encoder = EncoderBenchmark.newEncoder(name);
        encoder.setContext(context);
        encoder.start();
        encoders.add(encoder);
      }
      List<List<Double>> nanosPerLine = List.of(new ArrayList<>(), new ArrayList<>());
      int mask = events.length - 1;
      for (int pair = -3; pair < pairs; pair++) {
        for (int e = 0; e < ENCODERS.length; e++) {
          EncoderBase<ILoggingEvent> encoder = encoders.get(e);
          long lines = 0;
          int bytes = 0;
          int next = 0;
          long start = mx.getCurrentThreadCpuTime();
          long now;
          do {
            for (int k = 0; k < 1000; k++) {
              bytes += encoder.encode(events[next++ & mask]).length;
            }
            lines += 1000;
          } while ((now = mx.getCurrentThreadCpuTime()) < start + SLICE_NANOS);
          sink += bytes;
          if (pair >= 0) {
            nanosPerLine.get(e).add((now - start) / (double) lines);
          }
        }
      }
      List<Double> ratios = new ArrayList<>();
      for (int p = 0; p < pairs; p++) {
        ratios.add(nanosPerLine.get(1).get(p) / nanosPerLine.get(0).get(p));
      }
      System.out.printf("%s: threadline %.0f ns, logstash %.0f ns per line; logstash / threadline %.2f "
              + "(median of %d pairs; least %.2f, greatest %.2f)%n", profile, median(nanosPerLine.get(0)),
          median(nanosPerLine.get(1)), median(ratios), pairs, Collections.min(ratios), Collections.max(ratios));
      for (EncoderBase<ILoggingEvent> encoder : encoders) {
        encoder.stop();
      }
      context.stop();
    }
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
