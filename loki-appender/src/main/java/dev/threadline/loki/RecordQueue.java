package dev.threadline.loki;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The appender's queue: many producers (the application's logging threads), one consumer (the sender). An intrusive
 * linked queue after Dmitry Vyukov's non-intrusive MPSC design: a producer swaps itself in as the tail with one
 * atomic exchange, never retrying and never waiting, then links its predecessor to it; the consumer follows the
 * links from the record it took last. The records are the nodes, so queueing allocates nothing.
 *
 * <p>Between a producer's exchange and its link, the records behind it are not yet visible to the consumer; they
 * become visible when the link is written. That write is volatile, so a producer that then reads the sender's
 * "parked" flag and a sender that sets the flag and then looks at the queue cannot both miss each other.
 */
final class RecordQueue {

  private final AtomicReference<LokiRecord> tail;
  /** The consumer's: the record taken last (at first a stub); what it links to is the queue's head. */
  private LokiRecord taken;

  RecordQueue() {
    LokiRecord stub = new LokiRecord(null, 0, 0, new byte[0], null, null, null, null, null);
    taken = stub;
    tail = new AtomicReference<>(stub);
  }

  /** Queues {@code record} (a new one, never queued before). Any thread; wait-free. */
  void offer(LokiRecord record) {
    tail.getAndSet(record).next = record;
  }

  /** The head, or {@code null} when nothing is visible yet. The consumer only. */
  LokiRecord peek() {
    return taken.next;
  }

  /** Takes the head, or returns {@code null}. The consumer only. */
  LokiRecord poll() {
    LokiRecord head = taken.next;
    if (head != null) {
      taken = head;
    }
    return head;
  }

  /** Whether nothing is visible to the consumer. The consumer only. */
  boolean isEmpty() {
    return taken.next == null;
  }
}
