package dev.threadline.loki;

import ch.qos.logback.core.spi.ContextAware;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The appender's trouble reports: Logback status warnings, at most one per kind a minute, each saying how many of
 * its kind were held back meanwhile. The {@link dev.threadline.logback.internal.StderrStatusListener} the appender
 * installs prints them on standard error. Never throws.
 */
final class Trouble {

  static final long INTERVAL_NANOS = 60_000_000_000L;

  private final ContextAware owner;
  private final String prefix;
  private final ConcurrentHashMap<String, AtomicLong> last = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, AtomicLong> held = new ConcurrentHashMap<>();

  Trouble(ContextAware owner, String name) {
    this.owner = owner;
    this.prefix = "LokiAppender '" + name + "': ";
  }

  /** Reports {@code message} unless a report of {@code kind} was made in the last minute. */
  void warn(String kind, String message) {
    try {
      long now = System.nanoTime();
      AtomicLong at = last.computeIfAbsent(kind, k -> new AtomicLong(now - INTERVAL_NANOS));
      long previous = at.get();
      if (now - previous >= INTERVAL_NANOS && at.compareAndSet(previous, now)) {
        AtomicLong h = held.get(kind);
        long count = h == null ? 0 : h.getAndSet(0);
        owner.addWarn(prefix + message + (count == 0 ? "" : " (" + count + " more like this in the last minute)"));
      } else {
        held.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
      }
    } catch (RuntimeException ignored) {
      // reporting must never fail the appender
    }
  }

  /** Reports {@code message} now, whatever was reported before (a state change: Loki is back, the appender stopped). */
  void now(String message) {
    try {
      owner.addWarn(prefix + message);
    } catch (RuntimeException ignored) {
      // as above
    }
  }

}
