package dev.threadline.loki;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The one background thread that ships: it takes a batch from the {@link RecordBuffer}, keeps each push under the
 * request limit (splitting a batch Loki finds too large, dropping a single event that can never fit), pushes it
 * through the {@link LokiClient}, and settles every event exactly once: sent, refused, dropped by cause, or, at
 * shutdown, unconfirmed.
 *
 * <p>Retries: a push that reached Loki and failed (429 and 5xx, a timeout, a broken connection) is retried with
 * exponential backoff and jitter at most {@code maxRetries} times and for at most {@code maxRetryTime}, then
 * dropped (counted), so no batch can hold up the ones behind it; 429s wait as long as Loki asks but are not counted
 * against the batch. A push that never reached Loki (connection refused, unknown host) is retried for as long as
 * the appender runs: it says nothing about the batch, and the byte budget bounds what waits. The backoff is capped
 * at {@code maxBackoff}, and at one second while the budget is more than half used, so recovery is prompt.
 *
 * <p>Shutdown: after {@link #stopping} it sends what is queued until the deadline; no request outlives it (each
 * timeout is cut to what is left). A refused connection ends it at once. Whatever is left is counted at shutdown;
 * a push whose answer had not come is counted unconfirmed.
 *
 * <p>Spill ({@link Spill}, when a {@code spillDirectory} is set): while pushes fail, at each retry pause and at
 * least once a second, the part in hand and everything queued are encoded and written to disk, which frees their
 * memory budget, so an outage costs memory only for the last second and a crash (kill -9) loses at most that; while
 * Loki is merely slow, the queue is moved to disk whenever it is more than half full, down to a quarter. Spilled
 * pushes are sent oldest first: before live batches while their oldest entry is more than
 * {@value #FAR_BEHIND_MINUTES} minutes old (Loki refuses entries an hour behind the newest of their stream), else
 * taking turns with live batches that are ready. A spilled push is retried until Loki answers it (a 429 waits as
 * Loki asks); one older than {@code spillMaxAge} is dropped, counted. At shutdown, what cannot be sent is spilled
 * for the next start rather than dropped. The disk is touched only by this thread.
 *
 * <p>Any {@link Throwable} from a step is reported, the batch in hand dropped (counted as failed), and the loop goes
 * on; an interrupt is cleared and ignored until the appender stops.
 */
final class Sender implements Runnable {

  /** Settings the sender needs. */
  record Settings(int batchMaxItems, int batchMaxBytes, long batchMaxWaitNanos, int maxRequestBytes,
      Duration requestTimeout, long minBackoffNanos, long maxBackoffNanos, int maxRetries, long maxRetryTimeNanos,
      long spillMaxAgeNanos) {
  }

  static final int FAR_BEHIND_MINUTES = 30;
  private static final long FAR_BEHIND_NANOS = TimeUnit.MINUTES.toNanos(FAR_BEHIND_MINUTES);
  /** How often queued events go to disk while pushes fail. */
  private static final long SPILL_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);
  /** The part of the shutdown budget kept for spilling what could not be sent. */
  private static final long MAX_SPILL_RESERVE_NANOS = TimeUnit.SECONDS.toNanos(1);

  private static final long PROMPT_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final long MAX_RETRY_AFTER_NANOS = TimeUnit.SECONDS.toNanos(30);

  private final RecordBuffer buffer;
  private final LineSlabs slabs;
  private final LokiClient client;
  private final Counters counters;
  private final Trouble trouble;
  private final Settings settings;
  /** The disk behind the memory budget; {@code null} when none is configured or it could not be opened. */
  private final Spill spill;

  /** What the sender holds: the parts of the current batch still to push, oldest first. */
  private final ArrayDeque<List<LokiRecord>> parts = new ArrayDeque<>();
  /** Guards settling against {@link #abandon}. */
  private final Object settle = new Object();
  private boolean abandoned; // guarded by settle
  private int onWire; // guarded by settle: events of the push under way

  private volatile boolean stopping;
  private volatile long deadline;
  private volatile long spillReserve;
  /** The spilled push being sent, {@code null} when none. */
  private Spill.Replay replaying;
  /** Whether a live batch that is ready goes before the next spilled push. */
  private boolean liveTurn;
  /** When queued events last went to disk down to the last one. */
  private long lastSweep = System.nanoTime() - SPILL_EVERY_NANOS;
  private int attempts;
  private long firstFailure;
  private long backoff;
  private boolean maybeStored;
  private long outageSince;
  private long droppedBeforeOutage;

  Sender(RecordBuffer buffer, LineSlabs slabs, LokiClient client, Counters counters, Trouble trouble,
      Settings settings, Spill spill) {
    this.spill = spill;
    this.buffer = buffer;
    this.slabs = slabs;
    this.client = client;
    this.counters = counters;
    this.trouble = trouble;
    this.settings = settings;
  }

  /**
   * The time left before the shutdown deadline; {@code Long.MAX_VALUE} while not stopping. Reads {@link #stopping}
   * first: it is written after {@link #deadline}, so once it reads true the deadline it reads is the real one.
   */
  private long remaining() {
    return stopping ? deadline - spillReserve - System.nanoTime() : Long.MAX_VALUE;
  }

  /**
   * Asks the sender to send what is queued until {@code deadlineNanos}, then finish. With a spill, pushes end a
   * quarter of the budget (at most a second) earlier, which is kept for writing what is left to disk.
   */
  void stopping(long deadlineNanos) {
    deadline = deadlineNanos;
    spillReserve = spill == null ? 0 : Math.min(MAX_SPILL_RESERVE_NANOS, (deadlineNanos - System.nanoTime()) / 4);
    stopping = true;
  }

  @Override
  public void run() {
    while (true) {
      try {
        if (!step()) {
          return;
        }
      } catch (Throwable t) {
        if (!failed(t)) {
          return;
        }
      }
    }
  }

  /** One push, or one wait; false when the sender is done. */
  private boolean step() {
    if (Thread.interrupted() && !stopping) {
      trouble.warn("interrupt", "the sender thread was interrupted; it goes on until the appender stops");
    }
    if (isAbandoned()) {
      return false;
    }
    if (spill != null) {
      spill.tick();
      if (buffer.bytes() * 2 > buffer.maxBytes()) {
        spillQueued(buffer.maxBytes() / 4, false); // Loki is slow: memory fills faster than pushes empty it
      }
      if (stopping) {
        replaying = null; // left on disk for the next start: the shutdown budget is for what is in memory
      } else if (replaying == null && parts.isEmpty()) {
        Spill.Replay next = spill.head();
        if (next != null && !(liveTurn && liveReady(next))) {
          replaying = next;
          liveTurn = false;
          firstAttempt();
        }
      }
      if (replaying != null) {
        return replay(replaying);
      }
    }
    if (parts.isEmpty()) {
      liveTurn = false;
      // Sized for a full batch up front: growing it step by step showed in the sender's profile.
      List<LokiRecord> batch = new ArrayList<>(Math.min(settings.batchMaxItems(), 4096));
      if (!gather(batch)) {
        return false;
      }
      parts.add(batch);
      firstAttempt();
    }
    if (remaining() <= TimeUnit.MILLISECONDS.toNanos(1)) {
      finish("the shutdown timeout ran out");
      return false;
    }
    List<LokiRecord> part = parts.peek();
    int size;
    try {
      size = client.encode(part);
    } catch (Exception e) {
      // Deterministic: the same events fail again. Halve until the one that fails is alone, and drop only it.
      if (!split(part)) {
        settleDropped(part, counters.droppedFailed::add);
        trouble.warn("encode", "an event could not be encoded for Loki and was dropped (" + e + ")");
      }
      return true;
    }
    if (size > settings.maxRequestBytes()) {
      if (!split(part)) {
        settleDropped(part, counters.droppedTooLarge::add);
        trouble.warn("too-large", "an event of " + size + " bytes can never fit a push under maxRequestBytes ("
            + settings.maxRequestBytes() + ") and was dropped");
      }
      return true;
    }
    Duration timeout = timeout();
    if (timeout == null) {
      finish("the shutdown timeout ran out");
      return false;
    }
    synchronized (settle) {
      if (abandoned) {
        return false;
      }
      onWire = part.size();
    }
    long started = System.nanoTime();
    LokiClient.Result result = client.send(timeout);
    return outcome(part, result, started);
  }

  /** The request timeout, cut to what is left of the shutdown budget; {@code null} when nothing is left. */
  private Duration timeout() {
    // No push outlives the shutdown budget: once stopping, each request gets only what is left of it.
    long left = remaining();
    if (left <= TimeUnit.MILLISECONDS.toNanos(1)) {
      return null;
    }
    Duration timeout = settings.requestTimeout();
    return left < timeout.toNanos() ? Duration.ofNanos(left) : timeout;
  }

  private boolean outcome(List<LokiRecord> part, LokiClient.Result result, long started) {
    switch (result.kind()) {
      case ACCEPTED:
        if (settle(part, part.size(), 0, counters.droppedRejected::addAndGet)) {
          counters.bytesSent.addAndGet(client.bodyLength());
          counters.lastSendMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
          if (maybeStored) {
            counters.retriedAfterTimeout.addAndGet(part.size());
          }
          recovered();
        }
        return true;
      case REFUSED:
        counters.lastError = result.summary();
        settle(part, part.size() - result.refused(), result.refused(), counters.droppedRejected::addAndGet);
        trouble.warn("refused", result.detail() + " (" + result.refused() + " of " + part.size()
            + " entries refused, not retried; " + counters.droppedRejected.get() + " refused so far)");
        recovered();
        return true;
      case TOO_LARGE:
        counters.lastError = result.summary();
        if (!split(part)) {
          settleDropped(part, counters.droppedTooLarge::add);
          trouble.warn("too-large", result.detail() + "; a single event that large was dropped");
        }
        return true;
      case UNREACHABLE:
        counters.lastError = result.summary();
        clearOnWire();
        if (stopping) {
          // Refused or unknown: waiting out the shutdown budget would change nothing.
          finish(result.detail());
          return false;
        }
        outage(result.detail());
        pause(0);
        return true;
      case CONNECT_TIMEOUT:
        // Slow, not absent: at shutdown, keep trying until the deadline.
        counters.lastError = result.summary();
        clearOnWire();
        outage(result.detail());
        pause(0);
        return true;
      case INTERRUPTED:
        clearOnWire();
        if (stopping) {
          finish("the sender was interrupted");
          return false;
        }
        return true;
      case NO_ANSWER:
        counters.lastError = result.summary();
        maybeStored = true;
        if (stopping) {
          settleUnconfirmed(part);
          return true;
        }
        return failedAttempt(part, result, true);
      case RETRY:
      default:
        counters.lastError = result.summary();
        if (result.status() == 429) {
          clearOnWire();
          outage(result.detail());
          pause(result.retryAfterNanos());
          return true;
        }
        return failedAttempt(part, result, false);
    }
  }

  // ---- the spill

  /**
   * Whether a live batch is ready to go before the spilled push {@code next}: a full batch is queued, or the oldest
   * queued event has waited {@code batchMaxWait}, and {@code next} is not so old that newer entries sent first would
   * make Loki refuse it.
   */
  private boolean liveReady(Spill.Replay next) {
    if (next.ageNanos() > FAR_BEHIND_NANOS) {
      return false;
    }
    LokiRecord head = buffer.peek();
    if (head == null) {
      return false;
    }
    long waited = System.currentTimeMillis() * 1_000_000L - (head.epochSecond * 1_000_000_000L + head.nanos);
    return buffer.count() >= settings.batchMaxItems() || buffer.bytes() >= settings.batchMaxBytes()
        || waited >= settings.batchMaxWaitNanos();
  }

  /** Sends one spilled push, or drops it when it is older than {@code spillMaxAge}. */
  private boolean replay(Spill.Replay r) {
    if (r.newestAgeNanos() > settings.spillMaxAgeNanos()) {
      synchronized (settle) {
        if (abandoned) {
          return false;
        }
        counters.droppedTooOld.addAndGet(r.entries());
        spill.done(r);
      }
      replaying = null;
      trouble.warn("too-old", "dropped " + r.entries() + " spilled events older than spillMaxAge ("
          + readable(settings.spillMaxAgeNanos()) + "), which Loki would refuse as too old ("
          + counters.droppedTooOld.get() + " so far)");
      return true;
    }
    Duration timeout = timeout();
    if (timeout == null) {
      finish("the shutdown timeout ran out");
      return false;
    }
    long started = System.nanoTime();
    LokiClient.Result result = client.send(r, timeout);
    switch (result.kind()) {
      case ACCEPTED:
        if (settleReplay(r, r.entries(), 0, null)) {
          counters.bytesSent.addAndGet(r.record.body().length - r.bodyOffset);
          counters.lastSendMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
          if (maybeStored) {
            counters.retriedAfterTimeout.addAndGet(r.entries());
          }
          recovered();
        }
        return true;
      case REFUSED:
        counters.lastError = result.summary();
        settleReplay(r, r.entries() - result.refused(), result.refused(), counters.droppedRejected::addAndGet);
        trouble.warn("refused", result.detail() + " (" + result.refused() + " of " + r.entries()
            + " spilled entries refused, not retried; " + counters.droppedRejected.get() + " refused so far)");
        recovered();
        return true;
      case TOO_LARGE:
        counters.lastError = result.summary();
        settleReplay(r, 0, r.entries(), counters.droppedTooLarge::add);
        trouble.warn("too-large", result.detail() + "; a spilled push that large was dropped");
        return true;
      case INTERRUPTED:
        return true;
      case NO_ANSWER:
      case UNREACHABLE:
      case CONNECT_TIMEOUT:
      case RETRY:
      default:
        // A spilled push is retried until Loki answers it; one that may have been stored counts if it is sent again.
        maybeStored |= result.kind() == LokiClient.Kind.NO_ANSWER;
        counters.lastError = result.summary();
        outage(result.detail());
        pause(result.retryAfterNanos());
        return true;
    }
  }

  /** {@code 167 h}, {@code 90 min}, {@code 20 s}: the largest unit that says it exactly, seconds at least. */
  static String readable(long nanos) {
    long seconds = TimeUnit.NANOSECONDS.toSeconds(nanos);
    if (seconds >= 3600 && seconds % 3600 == 0) {
      return seconds / 3600 + " h";
    }
    return seconds >= 60 && seconds % 60 == 0 ? seconds / 60 + " min" : seconds + " s";
  }

  /** Counts a spilled push's {@code sentCount} sent and {@code refusedCount} by {@code refused}, and lets it go. */
  private boolean settleReplay(Spill.Replay r, int sentCount, int refusedCount, Cause refused) {
    synchronized (settle) {
      if (abandoned) {
        return false;
      }
      counters.sent.addAndGet(sentCount);
      if (refusedCount > 0) {
        refused.add(refusedCount);
      }
      spill.done(r);
    }
    replaying = null;
    liveTurn = true;
    return true;
  }

  /**
   * Moves the parts in hand, then queued events batch by batch, to the spill until the budget holds at most
   * {@code downTo} bytes; stops at the first that the spill does not take (full, failing), which stays in memory.
   * Unless {@code partial}, only full batches go: a sender that keeps up with the application would otherwise write
   * a record for every few events.
   */
  private void spillQueued(long downTo, boolean partial) {
    if (!spill.writable()) {
      return;
    }
    while (!parts.isEmpty()) {
      if (!spillPart(parts.peek())) {
        return;
      }
    }
    while (buffer.bytes() > downTo && buffer.peek() != null) {
      if (!partial && buffer.count() < settings.batchMaxItems()
          && buffer.bytes() < Math.min(settings.batchMaxBytes(), buffer.maxBytes() / 2)) {
        return;
      }
      List<LokiRecord> batch = new ArrayList<>(Math.min(settings.batchMaxItems(), 4096));
      fill(batch);
      parts.add(batch);
      if (!spillPart(batch)) {
        return;
      }
    }
  }

  /** Writes the head part to the spill and settles it there, freeing its budget; false when it stays. */
  private boolean spillPart(List<LokiRecord> part) {
    try {
      if (client.encode(part) > settings.maxRequestBytes()) {
        return false; // the push path splits it first
      }
    } catch (Exception e) {
      return false; // as above: the push path finds the event that fails and drops it
    }
    synchronized (settle) {
      if (abandoned || !spill.write(part, client)) {
        return false;
      }
      parts.poll();
      onWire = 0;
      release(part);
    }
    firstAttempt();
    return true;
  }

  /** The next push is a new one: no attempts, no failure, nothing maybe stored. */
  private void firstAttempt() {
    attempts = 0;
    firstFailure = 0;
    maybeStored = false;
  }

  /** Fills {@code batch} from the queue by the batch limits, without waiting. */
  private void fill(List<LokiRecord> batch) {
    int lineBytes = 0;
    int requestBytes = 0;
    LokiRecord next;
    while (batch.size() < settings.batchMaxItems() && (next = buffer.peek()) != null) {
      if (!batch.isEmpty() && (lineBytes + next.lineLength > settings.batchMaxBytes()
          || requestBytes + next.requestBytes > settings.maxRequestBytes())) {
        return;
      }
      buffer.poll();
      batch.add(next);
      lineBytes += next.lineLength;
      requestBytes += next.requestBytes;
    }
  }

  /** A push that reached Loki failed: retry within the bounds, or give the part up. */
  private boolean failedAttempt(List<LokiRecord> part, LokiClient.Result result, boolean noAnswer) {
    clearOnWire();
    long now = System.nanoTime();
    if (firstFailure == 0) {
      firstFailure = now;
    }
    attempts++;
    if (attempts > settings.maxRetries() || now - firstFailure >= settings.maxRetryTimeNanos()) {
      if (noAnswer) {
        settleUnconfirmed(part);
      } else {
        settleDropped(part, counters.droppedRetriesExhausted::addAndGet);
      }
      trouble.warn("exhausted", "gave up on a batch of " + part.size() + " events after " + attempts
          + " attempts in " + TimeUnit.NANOSECONDS.toSeconds(now - firstFailure) + " s (" + result.detail()
          + "); the next batch goes");
      firstAttempt();
      return true;
    }
    outage(result.detail() + " (attempt " + attempts + " of " + (settings.maxRetries() + 1) + ")");
    pause(result.retryAfterNanos());
    return true;
  }

  /** Waits out a backoff (cut short at shutdown). */
  private void pause(long retryAfterNanos) {
    counters.retries.incrementAndGet();
    long cap = buffer.bytes() * 2 > buffer.maxBytes()
        ? Math.min(settings.maxBackoffNanos(), PROMPT_BACKOFF_NANOS) : settings.maxBackoffNanos();
    backoff = backoff == 0 ? settings.minBackoffNanos() : Math.min(backoff * 2, cap);
    backoff = Math.min(backoff, cap);
    long wait = Math.max(Math.min(retryAfterNanos, MAX_RETRY_AFTER_NANOS),
        backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1));
    long end = System.nanoTime() + wait;
    long left;
    while ((left = end - System.nanoTime()) > 0) {
      if (stopping) {
        left = Math.min(left, remaining());
        if (left <= 0) {
          return;
        }
        LockSupport.parkNanos(this, left);
      } else if (spill != null) {
        // Pushes fail: what waits goes to disk, in full batches whenever half the budget fills, and all of it
        // each second, so a crash loses at most the last second and a burst does not fill memory between looks.
        long now = System.nanoTime();
        boolean sweep = now - lastSweep >= SPILL_EVERY_NANOS;
        if (sweep) {
          lastSweep = now;
        }
        spillQueued(0, sweep);
        buffer.pause(Math.min(left, Math.max(0, lastSweep + SPILL_EVERY_NANOS - System.nanoTime())),
            buffer.maxBytes() / 2);
      } else {
        LockSupport.parkNanos(this, left);
      }
      if (Thread.interrupted() && !stopping) {
        continue; // an interrupt must not turn the wait into a busy loop
      }
      if (stopping) {
        return; // stop() unparked us: try once more now, within the deadline
      }
    }
  }

  private void outage(String detail) {
    if (outageSince == 0) {
      outageSince = System.nanoTime();
      droppedBeforeOutage = counters.droppedQueueFull.sum();
    }
    trouble.warn("outage", detail + "; " + counters.pending.sum() + " events wait in memory (" + buffer.bytes()
        + " of " + buffer.maxBytes() + " bytes)" + (spill == null ? "" : " and " + counters.spillPending.get()
        + " on disk (" + counters.spillBytes + " bytes)") + ", " + counters.droppedQueueFull.sum()
        + " dropped for a full queue so far");
  }

  private void recovered() {
    backoff = 0;
    if (outageSince != 0) {
      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - outageSince);
      long dropped = counters.droppedQueueFull.sum() - droppedBeforeOutage;
      outageSince = 0;
      long onDisk = counters.spillPending.get();
      trouble.now("Loki answers again after " + seconds + " s of trouble" + (dropped == 0 ? "; nothing was dropped"
          : "; " + dropped + " events were dropped meanwhile for a full queue") + (onDisk == 0 ? ""
          : "; " + onDisk + " events wait on disk and are sent oldest first"));
    }
  }

  /** Halves the head part in place; false when it is a single event. */
  private boolean split(List<LokiRecord> part) {
    if (part.size() < 2) {
      return false;
    }
    parts.poll();
    int half = part.size() / 2;
    parts.addFirst(new ArrayList<>(part.subList(half, part.size())));
    parts.addFirst(new ArrayList<>(part.subList(0, half)));
    return true;
  }

  // ---- settling: every event once

  private interface Cause {
    void add(long n);
  }

  /** Counts {@code sentCount} sent and {@code refusedCount} by {@code refused}; false if stop() took over. */
  private boolean settle(List<LokiRecord> part, int sentCount, int refusedCount, Cause refused) {
    synchronized (settle) {
      if (abandoned) {
        return false;
      }
      parts.poll();
      onWire = 0;
      counters.sent.addAndGet(sentCount);
      if (refusedCount > 0) {
        refused.add(refusedCount);
      }
      release(part);
      return true;
    }
  }

  private void settleDropped(List<LokiRecord> part, Cause cause) {
    synchronized (settle) {
      if (abandoned) {
        return;
      }
      parts.poll();
      onWire = 0;
      cause.add(part.size());
      release(part);
    }
  }

  private void settleUnconfirmed(List<LokiRecord> part) {
    synchronized (settle) {
      if (abandoned) {
        return;
      }
      parts.poll();
      onWire = 0;
      counters.unconfirmed.addAndGet(part.size());
      release(part);
    }
  }

  private void clearOnWire() {
    synchronized (settle) {
      onWire = 0;
    }
  }

  private void release(List<LokiRecord> part) {
    long bytes = 0;
    LineSlabs.Slab slab = null;
    int lines = 0;
    for (LokiRecord r : part) {
      bytes += r.budgetBytes;
      // Lines come back per slab, one atomic step for each run of records in the same slab.
      if (r.slab != slab) {
        if (slab != null && lines > 0) {
          slabs.giveBack(slab, lines);
        }
        slab = r.slab;
        lines = 0;
      }
      lines += r.storedLength;
    }
    if (slab != null && lines > 0) {
      slabs.giveBack(slab, lines);
    }
    buffer.release(bytes);
    counters.pending.add(-part.size());
  }

  private boolean isAbandoned() {
    synchronized (settle) {
      return abandoned;
    }
  }

  /**
   * At shutdown: writes what the sender holds and what is queued to the spill, if there is one, for the next start;
   * counts what is left as unsent, and stops.
   */
  private void finish(String why) {
    long spilledBefore = counters.spilled.get();
    if (spill != null) {
      replaying = null;
      spillQueued(0, true);
    }
    long toDisk = counters.spilled.get() - spilledBefore;
    long count = 0;
    synchronized (settle) {
      if (abandoned) {
        return;
      }
      for (List<LokiRecord> part : parts) {
        count += part.size();
        release(part);
      }
      parts.clear();
      onWire = 0;
      LokiRecord r;
      long queued = 0;
      long bytes = 0;
      while ((r = buffer.poll()) != null) {
        queued++;
        bytes += r.budgetBytes;
      }
      buffer.release(bytes);
      counters.pending.add(-queued);
      count += queued;
      counters.droppedAtShutdown.addAndGet(count);
      abandoned = true;
    }
    if (count > 0 || toDisk > 0) {
      trouble.now("stopped with " + (count + toDisk) + " events unsent (" + why + ")" + (toDisk == 0 ? ""
          : "; " + toDisk + " of them were written to the spill directory and are sent after the next start"));
    }
  }

  /**
   * Called by stop() when the sender did not finish in time (stuck past the deadline): counts the push under way
   * as unconfirmed and everything else pending as unsent, once; the sender counts nothing after this.
   */
  void abandon() {
    long wire;
    long rest;
    synchronized (settle) {
      if (abandoned) {
        return;
      }
      abandoned = true;
      wire = onWire;
      rest = counters.pending.sum() - wire;
      counters.unconfirmed.addAndGet(wire);
      counters.droppedAtShutdown.addAndGet(rest);
      counters.pending.add(-(wire + rest));
    }
    trouble.now("stopped with " + (wire + rest) + " events unsent" + (wire > 0 ? ", " + wire
        + " of them sent to Loki without an answer yet (counted unconfirmed)" : "") + " (Loki too slow)");
  }

  /** Any other failure of a step: report it, drop the part in hand (counted), and go on; false to end. */
  private boolean failed(Throwable t) {
    try {
      counters.lastError = "sender failure (" + t.getClass().getSimpleName() + ")";
      trouble.warn("failure", "the sender failed (" + t + "); the batch in hand is dropped and sending goes on");
      Spill.Replay r = replaying;
      List<LokiRecord> part = parts.peek();
      if (r != null) {
        // A spilled push the sender cannot handle would fail again: drop it, counted, rather than loop on it.
        settleReplay(r, 0, r.entries(), counters.droppedFailed::add);
      } else if (part != null) {
        settleDropped(part, counters.droppedFailed::add);
      }
      if (isAbandoned()) {
        return false;
      }
      LockSupport.parkNanos(this, settings.minBackoffNanos());
      return true;
    } catch (Throwable again) {
      return !isAbandoned();
    }
  }

  // ---- batching

  /**
   * Waits for work and fills {@code batch} by the batch limits. Parks without a timeout when there is nothing to
   * send. Returns false when the appender stopped and everything was sent.
   */
  private boolean gather(List<LokiRecord> batch) {
    long firstSeen = 0;
    int lineBytes = 0;
    int requestBytes = 0;
    while (true) {
      LokiRecord next;
      while (batch.size() < settings.batchMaxItems() && (next = buffer.peek()) != null) {
        if (!batch.isEmpty() && (lineBytes + next.lineLength > settings.batchMaxBytes()
            || requestBytes + next.requestBytes > settings.maxRequestBytes())) {
          return true;
        }
        buffer.poll();
        batch.add(next);
        lineBytes += next.lineLength;
        requestBytes += next.requestBytes;
        if (firstSeen == 0) {
          firstSeen = System.nanoTime();
        }
      }
      if (batch.size() >= settings.batchMaxItems()) {
        return true;
      }
      if (stopping) {
        if (!batch.isEmpty()) {
          return true;
        }
        if (buffer.count() == 0) {
          synchronized (settle) {
            abandoned = true; // done: nothing more is counted by this sender
          }
          return false;
        }
        continue; // a record is queued but not linked yet
      }
      if (Thread.interrupted()) {
        trouble.warn("interrupt", "the sender thread was interrupted; it goes on until the appender stops");
      }
      if (batch.isEmpty()) {
        buffer.await(1, 0, () -> stopping);
      } else {
        long left = settings.batchMaxWaitNanos() - (System.nanoTime() - firstSeen);
        if (left <= 0) {
          return true;
        }
        buffer.await(settings.batchMaxItems() - batch.size(), left, () -> stopping);
      }
    }
  }
}
