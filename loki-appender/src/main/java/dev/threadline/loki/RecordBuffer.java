package dev.threadline.loki;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The events between the application threads and the sender: a wait-free queue ({@link RecordQueue}) bounded by a
 * byte budget. Producers reserve their record's bytes and queue it; when the budget is full they drop
 * ({@code drop}) or wait at most {@code blockTimeout} ({@code block}), never longer, never spinning. The sender takes
 * records and releases their bytes once they are settled (sent, refused or dropped).
 */
final class RecordBuffer {

  private final RecordQueue queue = new RecordQueue();
  private final AtomicLong bytes = new AtomicLong();
  private final AtomicInteger count = new AtomicInteger();
  private final long maxBytes;
  private final boolean block;
  private final long blockNanos;
  /**
   * How many queued events wake the parked consumer: 1 when it waits with an empty batch, what its partial batch
   * lacks when it waits for more, and never while it works.
   */
  private volatile int wakeAt = Integer.MAX_VALUE;
  /** Queued bytes that wake the consumer while it waits out a retry pause with a spill behind it; else never. */
  private volatile long wakeAtBytes = Long.MAX_VALUE;
  private volatile Thread consumer;
  /** Set when the appender stops: blocked producers give up at once. */
  private volatile boolean closing;

  RecordBuffer(long maxBytes, boolean block, long blockNanos) {
    this.maxBytes = maxBytes;
    this.block = block;
    this.blockNanos = blockNanos;
  }

  /** Whether the budget is used up now (a producer that would drop anyway can skip encoding). */
  boolean full() {
    return !block && bytes.get() >= maxBytes;
  }

  /**
   * Queues {@code record} if its bytes fit the budget, waiting for room under {@code block}; false when it does
   * not fit (the caller drops and counts it). An interrupted caller stops waiting at once and keeps its interrupt.
   */
  boolean offer(LokiRecord record) {
    if (!reserve(record.budgetBytes)) {
      return false;
    }
    queue.offer(record);
    if (count.incrementAndGet() >= wakeAt) {
      LockSupport.unpark(consumer);
    }
    return true;
  }

  private boolean reserve(int size) {
    long now = bytes.addAndGet(size);
    if (now <= maxBytes) {
      if (now >= wakeAtBytes) {
        LockSupport.unpark(consumer);
      }
      return true;
    }
    bytes.addAndGet(-size);
    if (!block) {
      return false;
    }
    long deadline = System.nanoTime() + blockNanos;
    long left;
    while (!closing && !Thread.currentThread().isInterrupted() && (left = deadline - System.nanoTime()) > 0) {
      LockSupport.parkNanos(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(1)));
      if (bytes.addAndGet(size) <= maxBytes) {
        return true;
      }
      bytes.addAndGet(-size);
    }
    return false;
  }

  void closing() {
    closing = true;
  }

  // ---- the consumer's side

  void consumer(Thread thread) {
    consumer = thread;
  }

  LokiRecord peek() {
    return queue.peek();
  }

  /** Takes the head (which {@link #peek} returned). */
  LokiRecord poll() {
    LokiRecord r = queue.poll();
    if (r != null) {
      count.decrementAndGet();
    }
    return r;
  }

  boolean isEmpty() {
    return queue.isEmpty();
  }

  int count() {
    return count.get();
  }

  /** Gives back the budget of settled records. */
  void release(long size) {
    bytes.addAndGet(-size);
  }

  long bytes() {
    return bytes.get();
  }

  long maxBytes() {
    return maxBytes;
  }

  /**
   * Parks the consumer for at most {@code nanos}, or until the queued bytes reach {@code wakeBytes} (the consumer
   * moves them to disk) or something else unparks it.
   */
  void pause(long nanos, long wakeBytes) {
    wakeAtBytes = wakeBytes;
    if (bytes.get() < wakeBytes) {
      LockSupport.parkNanos(this, nanos);
    }
    wakeAtBytes = Long.MAX_VALUE;
  }

  /** Parks the consumer until {@code wanted} events are queued, or {@code nanos} pass (0: no limit). */
  void await(int wanted, long nanos, java.util.function.BooleanSupplier stop) {
    wakeAt = wanted;
    // Publish the threshold first, then look again: an event queued in between either reads the threshold (and
    // unparks) or is seen here.
    if (count.get() < wanted && !stop.getAsBoolean()) {
      if (nanos == 0) {
        LockSupport.park(this);
      } else {
        LockSupport.parkNanos(this, nanos);
      }
    }
    wakeAt = Integer.MAX_VALUE;
  }
}
