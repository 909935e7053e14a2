package dev.threadline.loki;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The sender's side of the {@link SpillStore}: it writes a batch's push body to disk with what a replay needs to
 * send it again and to read Loki's answer to it, reads the oldest one back, and keeps the spill's counters. For the
 * sender's thread; {@link #close} may come from the thread that stops the appender, so every method holds the
 * object's lock (never contended while the sender runs) and does nothing once closed.
 *
 * <p>A record's body is a payload of its own: a version byte, the body's kind ({@link #PROTOBUF},
 * {@link #JSON} or {@link #JSON_GZIP}, so a replay after a restart with another {@code format} still sends it as it
 * was encoded), the newest entry's timestamp (a push is dropped as too old only when all of it is), the number of
 * streams, each stream's label text and entry count (for a 400 that refuses a whole
 * stream), then the push body itself.
 *
 * <p>Disk trouble never reaches the sender as an exception: a failed write is reported (rate-limited) and writing is
 * paused for {@value #RETRY_AFTER_FAILURE_SECONDS} s, during which the memory budget alone holds what waits; a record
 * that cannot be read back ends the spill for this run, with an error, and stays on disk for the next.
 */
final class Spill {

  static final byte PROTOBUF = 0;
  static final byte JSON = 1;
  static final byte JSON_GZIP = 2;
  private static final byte PAYLOAD_VERSION = 1;
  private static final int RETRY_AFTER_FAILURE_SECONDS = 10;

  /** A spilled push read back: the stored record, the body's kind, where the body starts, and its streams. */
  static final class Replay {
    final SpillStore.Spilled record;
    final byte kind;
    final long newestEntryNanos;
    final int bodyOffset;
    final Map<String, Integer> streams;

    private Replay(SpillStore.Spilled record, byte kind, long newestEntryNanos, int bodyOffset,
        Map<String, Integer> streams) {
      this.record = record;
      this.kind = kind;
      this.newestEntryNanos = newestEntryNanos;
      this.bodyOffset = bodyOffset;
      this.streams = streams;
    }

    int entries() {
      return record.entries();
    }

    /** How long ago its oldest entry happened. */
    long ageNanos() {
      return System.currentTimeMillis() * 1_000_000L - record.oldestEntryNanos();
    }

    /** How long ago its newest entry happened. */
    long newestAgeNanos() {
      return System.currentTimeMillis() * 1_000_000L - newestEntryNanos;
    }

    /** Entries of the stream whose label text is {@code labels}. */
    long entriesOf(String labels) {
      Integer n = streams.get(labels);
      return n == null ? 0 : n;
    }
  }

  private final SpillStore store;
  private final Counters counters;
  private final Trouble trouble;
  private Replay head;
  private long pausedUntil;
  private boolean broken;
  private boolean closed;

  Spill(SpillStore store, Counters counters, Trouble trouble) {
    this.store = store;
    this.counters = counters;
    this.trouble = trouble;
    long found = store.pendingEntries();
    // An appender started again (stop, then start) finds what it spilled itself: those are counted already.
    counters.recovered.addAndGet(found - counters.spillPending.get());
    counters.spillPending.set(found);
    counters.spillBytes = store.bytesOnDisk();
  }

  /** Whether a write may be tried now: open, not broken, not paused after a failure. */
  synchronized boolean writable() {
    return !closed && !broken && System.nanoTime() - pausedUntil >= 0;
  }

  /**
   * Writes the push {@code client} has just encoded from {@code part}; false when it was not written (the store is
   * full, or the disk failed: reported), and the part stays where it was.
   */
  synchronized boolean write(List<LokiRecord> part, LokiClient client) {
    if (!writable()) {
      return false;
    }
    Map<LabelSet, int[]> streams = new LinkedHashMap<>();
    long oldest = Long.MAX_VALUE;
    long newest = Long.MIN_VALUE;
    for (LokiRecord r : part) {
      streams.computeIfAbsent(r.labels, k -> new int[1])[0]++;
      long at = r.epochSecond * 1_000_000_000L + r.nanos;
      oldest = Math.min(oldest, at);
      newest = Math.max(newest, at);
    }
    if (streams.size() > 0xFFFF) {
      return false; // more streams than a payload can list (batchMaxItems above 65535): this part stays in memory
    }
    byte[] prefix = prefix(client.bodyKind(), newest, streams);
    try {
      if (!store.append(prefix, client.body(), client.bodyLength(), part.size(), oldest)) {
        trouble.warn("spill-full", "the spill directory holds its limit (" + store.bytesOnDisk() + " bytes); events"
            + " wait in memory until Loki takes some, and are dropped once memory is full too");
        return false;
      }
    } catch (IOException | RuntimeException e) {
      counters.spillError = e.getMessage();
      pausedUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(RETRY_AFTER_FAILURE_SECONDS);
      trouble.warn("spill-write", "cannot write to the spill (" + e.getMessage() + "); events wait in memory, and"
          + " writing is tried again in " + RETRY_AFTER_FAILURE_SECONDS + " s");
      return false;
    }
    counters.spilled.addAndGet(part.size());
    counters.spillPending.addAndGet(part.size());
    counters.spillBytes = store.bytesOnDisk();
    return true;
  }

  private static byte[] prefix(byte kind, long newest, Map<LabelSet, int[]> streams) {
    int size = 12;
    byte[][] names = new byte[streams.size()][];
    int i = 0;
    for (LabelSet labels : streams.keySet()) {
      names[i] = labels.text().getBytes(StandardCharsets.UTF_8);
      size += 2 + names[i].length + 4;
      i++;
    }
    ByteBuffer out = ByteBuffer.allocate(size);
    out.put(PAYLOAD_VERSION).put(kind).putLong(newest).putShort((short) streams.size());
    i = 0;
    for (int[] count : streams.values()) {
      out.putShort((short) names[i].length).put(names[i]).putInt(count[0]);
      i++;
    }
    return out.array();
  }

  /** The oldest spilled push not yet done with, or {@code null} when there is none (or the spill is closed). */
  synchronized Replay head() {
    if (closed || broken) {
      return null;
    }
    if (head != null) {
      return head;
    }
    try {
      SpillStore.Spilled record = store.peek();
      if (record != null) {
        head = parse(record);
      }
      return head;
    } catch (IOException | RuntimeException e) {
      broken = true;
      counters.spillError = "cannot read the spill (" + e.getMessage() + ")";
      trouble.now("cannot read the spill back (" + e.getMessage() + "); what it holds stays on disk for the next"
          + " start, and this run ships from memory only");
      return null;
    }
  }

  private static Replay parse(SpillStore.Spilled record) throws IOException {
    ByteBuffer in = ByteBuffer.wrap(record.body());
    byte version = in.get();
    if (version != PAYLOAD_VERSION) {
      throw new IOException("a spill record of payload version " + version + ", which this version cannot read");
    }
    byte kind = in.get();
    long newest = in.getLong();
    int count = in.getShort() & 0xFFFF;
    Map<String, Integer> streams = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      byte[] name = new byte[in.getShort() & 0xFFFF];
      in.get(name);
      streams.put(new String(name, StandardCharsets.UTF_8), in.getInt());
    }
    return new Replay(record, kind, newest, in.position(), streams);
  }

  /**
   * Marks {@code replay} done with (sent, refused, or dropped and counted by the caller), so it is never read
   * again; its events leave {@link LokiStats#spillPending()}.
   */
  synchronized void done(Replay replay) {
    if (closed || head != replay) {
      return;
    }
    head = null;
    counters.spillPending.addAndGet(-replay.entries());
    try {
      store.acknowledge(replay.record);
      counters.spillBytes = store.bytesOnDisk();
    } catch (IOException | RuntimeException e) {
      broken = true;
      counters.spillError = "cannot update the spill cursor (" + e.getMessage() + ")";
      trouble.now("cannot record a spilled push as sent (" + e.getMessage() + "); it may be sent again after a"
          + " restart, and this run ships from memory only");
    }
  }

  /** Whether spilled pushes wait. */
  synchronized boolean pending() {
    return !closed && !broken && store.pendingRecords() > 0;
  }

  /** Forces written records and the cursor when the fsync interval says so. */
  synchronized void tick() {
    if (closed) {
      return;
    }
    try {
      store.tick();
    } catch (IOException | RuntimeException e) {
      trouble.warn("spill-sync", "cannot force the spill to disk (" + e.getMessage() + ")");
    }
  }

  /** Closes the store and lets go of the directory; later calls do nothing. */
  synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      store.close();
    } catch (IOException | RuntimeException e) {
      trouble.now("cannot close the spill cleanly (" + e.getMessage() + "); the next start reads it through");
    }
  }
}
