package dev.threadline.loki;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Where queued events keep their lines: large shared arrays (slabs) that the application threads fill one line
 * after another, so an event's line costs one copy out of the encoder's buffer and no array of its own. A record
 * points at its bytes in a slab; the sender gives the bytes back when the record is settled (sent, refused or
 * dropped), and a slab whose every line was given back after it filled up goes to a small pool and is used again.
 *
 * <p>Taking room is lock-free: a compare-and-set on the current slab's top. The thread whose line no longer fits
 * closes the slab (the only one that can) and installs the next one; a thread that meanwhile finds the slab
 * closed looks again a few times and, if the new one is still not there, does not wait for it: it copies its line
 * into an array of its own, as does a line too long for a slab. A slab's bytes are never reused before every line in it was given back, so a record's bytes stay valid
 * until it is settled, whatever retries and splits happen meanwhile. A slab some of whose lines are never given
 * back (the appender stopped with events queued) is simply left to the collector.
 *
 * <p>Memory: the current slab, the slabs holding queued lines (the byte budget bounds those), and at most
 * {@value #POOLED} free ones.
 */
final class LineSlabs {

  static final int POOLED = 4;
  /** The top of a slab that takes no more lines: filled, or waiting in the pool. */
  private static final int CLOSED = Integer.MAX_VALUE;
  private static final VarHandle TOP;
  private static final VarHandle LIVE;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      TOP = lookup.findVarHandle(Slab.class, "top", int.class);
      LIVE = lookup.findVarHandle(Slab.class, "live", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** One shared array of lines. */
  static final class Slab {
    final byte[] bytes;
    /** Bytes handed out; {@link #CLOSED} once full. */
    private volatile int top;
    /**
     * Bytes handed out and not given back, less what was handed out before closing until the closer adds that:
     * negative or positive while the slab is in use, zero exactly when it is closed and every line came back.
     */
    private volatile int live;

    Slab(int size) {
      bytes = new byte[size];
    }
  }

  private final int slabBytes;
  private final int maxLineBytes;
  private final AtomicReference<Slab> current;
  private final AtomicReferenceArray<Slab> pool = new AtomicReferenceArray<>(POOLED);

  /** Slabs of {@code slabBytes}; lines longer than a quarter of that get arrays of their own. */
  LineSlabs(int slabBytes) {
    this.slabBytes = slabBytes;
    this.maxLineBytes = slabBytes / 4;
    this.current = new AtomicReference<>(new Slab(slabBytes));
  }

  /** Slabs sized for a byte budget of {@code maxQueueBytes}: an eighth of it, between 16 KiB and 256 KiB. */
  static LineSlabs forBudget(long maxQueueBytes) {
    return new LineSlabs((int) Math.max(16 * 1024, Math.min(256 * 1024, maxQueueBytes / 8)));
  }

  /** Copies {@code line[offset, offset + length)} somewhere it stays until given back, and points {@code record} at it. */
  void store(LokiRecord record, byte[] line, int offset, int length) {
    // A slab found closed is looked at again a few times (its closer is installing the next), never waited for.
    for (int look = 0; look < 64 && length > 0 && length <= maxLineBytes; look++) {
      Slab slab = current.get();
      int top = slab.top;
      while (top != CLOSED) {
        if (top + length <= slabBytes) {
          int seen = (int) TOP.compareAndExchange(slab, top, top + length);
          if (seen == top) {
            System.arraycopy(line, offset, slab.bytes, top, length);
            record.line(slab.bytes, top, length, slab);
            return;
          }
          top = seen;
        } else {
          int seen = (int) TOP.compareAndExchange(slab, top, CLOSED);
          if (seen == top) {
            // This thread closed the slab: only it installs the next, and it counts what was handed out.
            current.set(next());
            giveBack(slab, -top);
            look = -1;
            break;
          }
          top = seen;
        }
      }
      if (look >= 0) {
        Thread.onSpinWait();
      }
    }
    byte[] own = new byte[length];
    System.arraycopy(line, offset, own, 0, length);
    record.line(own, 0, length, null);
  }

  /** Gives back {@code length} bytes of {@code slab}'s lines (any thread); the slab is reused once all are back. */
  void giveBack(Slab slab, int length) {
    if ((int) LIVE.getAndAdd(slab, -length) == length) {
      for (int i = 0; i < POOLED; i++) {
        if (pool.compareAndSet(i, null, slab)) {
          return;
        }
      }
    }
  }

  /** Gives back a settled record's line, if it lives in a slab. */
  void giveBack(LokiRecord record) {
    if (record.slab != null) {
      giveBack(record.slab, record.storedLength);
    }
  }

  private Slab next() {
    for (int i = 0; i < POOLED; i++) {
      Slab slab = pool.getAndSet(i, null);
      if (slab != null) {
        // Closed while pooled; open it for lines only now that it becomes the current slab.
        slab.top = 0;
        return slab;
      }
    }
    return new Slab(slabBytes);
  }
}
