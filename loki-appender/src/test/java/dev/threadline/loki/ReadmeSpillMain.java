package dev.threadline.loki;

import ch.qos.logback.classic.LoggerContext;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A program as a user writes it, for {@link ReadmeSpillTest}: Logback configured by the file in
 * {@code -Dlogback.configurationFile}, whose appender is named {@code LOKI}. It logs {@code args[0]} events
 * ({@code "event <n>"}, numbered from {@code args[1]}) at {@code args[2]} a second, printing the appender's counters
 * on standard output every 100 ms ({@code STATS spilled=… appended=…}); then waits at most {@code args[3]} seconds
 * for everything to be sent, stops Logback, and prints the final counters as {@code FINAL <LokiStats>}.
 */
public final class ReadmeSpillMain {

  private ReadmeSpillMain() {
  }

  public static void main(String[] args) {
    int count = Integer.parseInt(args[0]);
    int first = Integer.parseInt(args[1]);
    int perSecond = Integer.parseInt(args[2]);
    int drainSeconds = Integer.parseInt(args[3]);
    Logger log = LoggerFactory.getLogger("orders.app");
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    LokiAppender loki = (LokiAppender) context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("LOKI");
    long start = System.nanoTime();
    long nextReport = start;
    for (int i = 0; i < count; i++) {
      log.info("event {}", first + i);
      long due = start + (i + 1L) * 1_000_000_000L / perSecond;
      long now;
      while ((now = System.nanoTime()) < due) {
        LockSupport.parkNanos(due - now);
      }
      if (now >= nextReport) {
        LokiStats s = loki.stats();
        System.out.println("STATS spilled=" + s.spilled() + " appended=" + s.appended() + " pending=" + s.pending());
        nextReport = now + TimeUnit.MILLISECONDS.toNanos(100);
      }
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(drainSeconds);
    while (System.nanoTime() < deadline) {
      LokiStats s = loki.stats();
      if (s.pending() == 0 && s.spillPending() == 0) {
        break;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
    }
    context.stop();
    System.out.println("FINAL " + loki.stats());
  }
}
