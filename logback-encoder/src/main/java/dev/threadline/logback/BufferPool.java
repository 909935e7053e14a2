package dev.threadline.logback;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A small lock-free pool of {@link LineContext}s, so encoding an event allocates nothing but the returned line.
 *
 * <p>Not a {@code ThreadLocal}: a thread-local buffer stays reachable from every thread that ever logged (on
 * redeploy it pins the old web application's class loader through pooled threads) and, with virtual threads, one
 * buffer per virtual thread would never be reused. Here the pool belongs to the encoder, and goes with it. A thread
 * takes a context from a slot chosen by its id, tries a few neighbours, and makes a new one when all are busy;
 * contexts that grew past {@value #MAX_RETAINED_BYTES} bytes are dropped rather than kept.
 */
final class BufferPool {

  static final int MAX_RETAINED_BYTES = 1 << 20;
  private static final int PROBES = 4;

  private final AtomicReferenceArray<LineContext> slots;
  private final int mask;
  private final int initialBytes;

  BufferPool(int initialBytes) {
    int size = Integer.highestOneBit(Math.max(4, Runtime.getRuntime().availableProcessors() * 2 - 1) * 2);
    this.slots = new AtomicReferenceArray<>(Math.min(size, 128));
    this.mask = slots.length() - 1;
    this.initialBytes = initialBytes;
  }

  @SuppressWarnings("deprecation") // Thread.getId: threadId() is Java 19+, and the baseline is 17
  private int home() {
    long id = Thread.currentThread().getId();
    return (int) (id ^ (id >>> 32)) & mask;
  }

  LineContext acquire() {
    int home = home();
    for (int i = 0; i < PROBES; i++) {
      LineContext context = slots.getAndSet((home + i) & mask, null);
      if (context != null) {
        return context;
      }
    }
    return new LineContext(initialBytes);
  }

  /**
   * Puts {@code context} back in this thread's home slot with a plain release store, not a compare-and-set: if
   * another thread parked a context there meanwhile, that one is simply dropped for the collector, which costs far
   * less than an atomic instruction on every event.
   */
  void release(LineContext context) {
    if (context.buffer.bytes.length > MAX_RETAINED_BYTES) {
      return;
    }
    slots.setRelease(home(), context);
  }
}
