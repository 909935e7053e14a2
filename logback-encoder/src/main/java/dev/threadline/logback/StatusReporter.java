package dev.threadline.logback;

import ch.qos.logback.core.spi.ContextAware;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Reports encoder trouble through Logback status, rate-limited per kind: at most one message per kind per minute,
 * with the count of what was suppressed meanwhile, so a bad field on a hot path cannot flood the status manager.
 */
final class StatusReporter {

  static final long INTERVAL_NANOS = 60_000_000_000L;
  private static final int MAX_KINDS = 256;

  private final ContextAware owner;
  private final LongSupplier nanoTime;
  private final ConcurrentHashMap<String, AtomicLong> lastReported = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, AtomicLong> suppressed = new ConcurrentHashMap<>();
  private final java.util.Set<String> reportedOnce = ConcurrentHashMap.newKeySet();

  StatusReporter(ContextAware owner, LongSupplier nanoTime) {
    this.owner = owner;
    this.nanoTime = nanoTime;
  }

  /** A warning of {@code kind}, unless one of that kind was reported in the last minute. */
  void warn(String kind, String message) {
    try {
      long now = nanoTime.getAsLong();
      if (lastReported.size() >= MAX_KINDS && !lastReported.containsKey(kind)) {
        kind = "other";
      }
      AtomicLong last = lastReported.computeIfAbsent(kind, k -> new AtomicLong(now - INTERVAL_NANOS));
      long previous = last.get();
      if (now - previous >= INTERVAL_NANOS && last.compareAndSet(previous, now)) {
        AtomicLong dropped = suppressed.get(kind);
        long count = dropped == null ? 0 : dropped.getAndSet(0);
        owner.addWarn(count == 0 ? message : message + " (" + count + " similar warnings suppressed)");
      } else {
        suppressed.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
      }
    } catch (RuntimeException ignored) {
      // status reporting must never fail the encoder
    }
  }

  /** A warning reported only the first time {@code key} is seen (bounded). */
  void warnOnce(String key, String message) {
    if (reportedOnce.size() < 1024 && reportedOnce.add(key)) {
      try {
        owner.addWarn(message);
      } catch (RuntimeException ignored) {
        // as above
      }
    }
  }
}
