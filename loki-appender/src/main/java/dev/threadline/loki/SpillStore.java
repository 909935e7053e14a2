package dev.threadline.loki;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

/**
 * Push bodies kept on disk until Loki takes them: append-only segment files in one directory, read back oldest first,
 * surviving restarts and crashes. For the sender's thread only; not thread-safe, and never touched by an application
 * thread.
 *
 * <p><b>Files.</b> {@code threadline-spill.lock}, held (an OS file lock) for as long as the store is open, so a second
 * process pointed at the same directory gets a clear error instead of interleaving its records. Segments
 * {@code spill-<sequence>.seg}, each an 8-byte header ({@code TLSP} and a format version) followed by records. And
 * {@code spill.cursor}, where reading resumes: the segment and offset of the oldest record not yet acknowledged,
 * written at each acknowledgement into the older of two checksummed slots, so a record acknowledged is never read
 * again after a process crash, and after a power cut at most those acknowledged since the last force are.
 *
 * <p><b>A record</b> is its length (4 bytes, of what follows the checksum), a CRC-32C of what follows it (4 bytes),
 * the time it was written (8, epoch ms), the earliest entry's timestamp (8, epoch ns), the number of entries (4), and
 * the push body (the bytes of one push request, as they would be sent). On open every segment is read through: the
 * first record whose length is impossible or whose checksum does not match ends that segment's valid part, and what
 * follows it is cut off and counted ({@link Recovery#tornBytes}): after a crash, that is the record being written.
 *
 * <p><b>Durability</b> follows {@link Fsync}: each append forced to the device, at most one force per interval, or
 * left to the operating system. Segments that were read to the end and acknowledged are deleted.
 */
final class SpillStore implements Closeable {

  /** When appended records are forced to the storage device. */
  enum Fsync {
    /** After every append: nothing acknowledged by {@link #append} is lost in a power cut; the slowest. */
    BATCH,
    /** At most once per interval (checked at each append and {@link #tick}); a power cut loses at most that much. */
    INTERVAL,
    /** Never explicitly: a process crash loses nothing (the OS has the bytes), a power cut may. */
    NEVER
  }

  /** What {@link #open} found in the directory. */
  record Recovery(int segments, long records, long entries, long bytes, long tornBytes, int cutSegments) {
  }

  /** One stored push: {@code body} is the request body as it would be sent; {@code position} is for the store. */
  record Spilled(long writtenMillis, long oldestEntryNanos, int entries, byte[] body, long segment, long offset,
      long end) {
  }

  /** Thrown by {@link #open} when the directory is already used by another open store, in this process or another. */
  static final class LockedException extends IOException {
    LockedException(String message) {
      super(message);
    }
  }

  /** The smallest {@code maxBytes}: two of the smallest segments. */
  static final long MIN_BYTES = 2L * 1024 * 1024;
  static final String LOCK_FILE = "threadline-spill.lock";
  static final String CURSOR_FILE = "spill.cursor";
  private static final int CURSOR_SLOT_BYTES = 32;
  private static final int HEADER_BYTES = 8;
  private static final int MAGIC = 0x544C5350; // "TLSP"
  private static final int VERSION = 1;
  /** Length, checksum. */
  private static final int FRAME_BYTES = 8;
  /** Written time, oldest entry, entries: the part of a record's length that is not the body. */
  private static final int META_BYTES = 20;
  private static final int MAX_BODY_BYTES = 64 * 1024 * 1024;

  private final Path directory;
  private final long maxBytes;
  private final long segmentBytes;
  private final Fsync fsync;
  private final long fsyncIntervalNanos;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final Recovery recovery;
  /** Every segment on disk, oldest first, with its size. */
  private final Deque<Segment> segments = new ArrayDeque<>();
  private FileChannel writing;
  private FileChannel cursor;
  private long cursorSequence;
  private boolean cursorUnforced;
  private long cursorSegment;
  private long cursorOffset;
  private long pendingRecords;
  private long pendingEntries;
  private long lastForce = System.nanoTime();
  private boolean unforced;
  private FileChannel reading;
  private long readingSegment = -1;
  private boolean closed;

  private static final class Segment {
    final long sequence;
    final Path path;
    long size;

    Segment(long sequence, Path path, long size) {
      this.sequence = sequence;
      this.path = path;
      this.size = size;
    }
  }

  private SpillStore(Path directory, long maxBytes, Fsync fsync, long fsyncIntervalNanos, FileChannel lockChannel,
      FileLock lock) throws IOException {
    this.directory = directory;
    this.maxBytes = maxBytes;
    this.segmentBytes = Math.max(1024 * 1024, Math.min(64L * 1024 * 1024, maxBytes / 16));
    this.fsync = fsync;
    this.fsyncIntervalNanos = fsyncIntervalNanos;
    this.lockChannel = lockChannel;
    this.lock = lock;
    try {
      this.recovery = recover();
    } catch (IOException | RuntimeException e) {
      if (cursor != null) {
        cursor.close();
      }
      throw e;
    }
  }

  /**
   * Opens (creating it if needed) the store in {@code directory}, holding at most {@code maxBytes} of segments, and
   * reads through what a previous run left there. Throws {@link LockedException} when another store has the directory
   * open, and an {@link IOException} whose message names the directory and the cause when it cannot be created,
   * written or locked.
   */
  static SpillStore open(Path directory, long maxBytes, Fsync fsync, long fsyncIntervalMillis) throws IOException {
    if (maxBytes < MIN_BYTES) {
      throw new IllegalArgumentException("spill maxBytes must be at least 2 MiB, not " + maxBytes);
    }
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new IOException("cannot create the spill directory " + directory + ": " + describe(e), e);
    }
    if (!Files.isWritable(directory)) {
      throw new AccessDeniedException(directory.toString(), null, "the spill directory is not writable");
    }
    FileChannel channel;
    try {
      channel = FileChannel.open(directory.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new IOException("cannot open the spill lock file in " + directory + ": " + describe(e), e);
    }
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    } catch (IOException e) {
      channel.close();
      throw new IOException("cannot lock the spill directory " + directory + ": " + describe(e), e);
    }
    if (lock == null) {
      channel.close();
      throw new LockedException("the spill directory " + directory + " is in use by another appender (" + LOCK_FILE
          + " is locked, by this process or another); two appenders must not share one directory");
    }
    try {
      return new SpillStore(directory, maxBytes, fsync, TimeUnit.MILLISECONDS.toNanos(fsyncIntervalMillis), channel,
          lock);
    } catch (IOException | RuntimeException e) {
      lock.release();
      channel.close();
      throw e;
    }
  }

  private static String describe(IOException e) {
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage());
  }

  /** What {@link #open} found: the records a previous run left, and what it had to cut. */
  Recovery recovery() {
    return recovery;
  }

  // ---- recovery

  private Recovery recover() throws IOException {
    List<Segment> found = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "spill-*.seg")) {
      for (Path file : files) {
        String name = file.getFileName().toString();
        try {
          long sequence = Long.parseLong(name.substring(6, name.length() - 4));
          found.add(new Segment(sequence, file, Files.size(file)));
        } catch (NumberFormatException e) {
          // not one of ours
        }
      }
    }
    Collections.sort(found, (a, b) -> Long.compare(a.sequence, b.sequence));
    readCursor();
    long records = 0;
    long entries = 0;
    long bytes = 0;
    long torn = 0;
    int cut = 0;
    for (Segment segment : found) {
      if (segment.sequence < cursorSegment) {
        Files.deleteIfExists(segment.path); // read to the end and acknowledged before the last run stopped
        continue;
      }
      long valid;
      long[] counts = new long[2];
      try (FileChannel channel = FileChannel.open(segment.path, StandardOpenOption.READ,
          StandardOpenOption.WRITE)) {
        valid = scan(channel, segment.sequence == cursorSegment ? cursorOffset : HEADER_BYTES, counts);
        if (valid < channel.size()) {
          torn += channel.size() - valid;
          cut++;
          channel.truncate(valid);
          channel.force(true);
        }
      }
      segment.size = valid;
      if (segment.sequence == cursorSegment && cursorOffset > valid) {
        // The cursor is past the segment's end: its tail was lost after being read (a power cut with fsync never).
        cursorOffset = Math.max(valid, HEADER_BYTES);
      }
      if (valid < HEADER_BYTES || (counts[0] == 0 && segment.sequence != found.get(found.size() - 1).sequence)) {
        // A bad header, or nothing left to read in a segment no longer written to.
        Files.deleteIfExists(segment.path);
        continue;
      }
      segments.add(segment);
      records += counts[0];
      entries += counts[1];
      bytes += valid;
    }
    if (!segments.isEmpty() && cursorSegment < segments.peekFirst().sequence) {
      cursorSegment = segments.peekFirst().sequence;
      cursorOffset = HEADER_BYTES;
    }
    pendingRecords = records;
    pendingEntries = entries;
    // Also a probe: a directory on a full disk (or under a file-size limit of zero) fails here, at start.
    try {
      writeCursor();
      cursor.force(false);
      cursorUnforced = false;
    } catch (IOException e) {
      throw new IOException("cannot write to the spill directory " + directory + ": " + describe(e), e);
    }
    return new Recovery(segments.size(), records, entries, bytes, torn, cut);
  }

  /**
   * Reads a segment's records from {@code from}, counting records and entries into {@code counts}; returns where
   * its valid part ends: 0 when the header is wrong, else the end of the last whole, intact record (at most the
   * file's size, whatever {@code from} is).
   */
  private static long scan(FileChannel channel, long from, long[] counts) throws IOException {
    ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
    if (channel.read(header, 0) < HEADER_BYTES || header.getInt(0) != MAGIC || header.getInt(4) != VERSION) {
      return 0;
    }
    long size = channel.size();
    long at = Math.min(Math.max(from, HEADER_BYTES), size);
    ByteBuffer frame = ByteBuffer.allocate(FRAME_BYTES);
    while (at + FRAME_BYTES <= size) {
      frame.clear();
      readFully(channel, frame, at);
      int length = frame.getInt(0);
      int crc = frame.getInt(4);
      if (length < META_BYTES || length > META_BYTES + MAX_BODY_BYTES || at + FRAME_BYTES + length > size) {
        return at;
      }
      ByteBuffer content = ByteBuffer.allocate(length);
      readFully(channel, content, at + FRAME_BYTES);
      if (crc(content.array()) != crc) {
        return at;
      }
      counts[0]++;
      counts[1] += content.getInt(16);
      at += FRAME_BYTES + length;
    }
    return at;
  }

  /**
   * Reads where reading resumes from {@value #CURSOR_FILE}: two slots of {@value #CURSOR_SLOT_BYTES} bytes written in
   * turn, each a sequence number, a segment, an offset and a CRC-32C of those; the valid slot with the higher
   * sequence wins. A write torn by a power cut spoils one slot only, and the other still holds the position before.
   */
  private void readCursor() throws IOException {
    cursorSegment = 0;
    cursorOffset = HEADER_BYTES;
    cursor = FileChannel.open(directory.resolve(CURSOR_FILE), StandardOpenOption.CREATE, StandardOpenOption.READ,
        StandardOpenOption.WRITE);
    ByteBuffer both = ByteBuffer.allocate(2 * CURSOR_SLOT_BYTES);
    while (both.hasRemaining() && cursor.read(both, both.position()) > 0) {
      // read what is there
    }
    long best = -1;
    for (int slot = 0; slot < 2; slot++) {
      int at = slot * CURSOR_SLOT_BYTES;
      if (both.position() < at + CURSOR_SLOT_BYTES) {
        continue;
      }
      long sequence = both.getLong(at);
      long segment = both.getLong(at + 8);
      long offset = both.getLong(at + 16);
      if (crc(both.array(), at, 24) == both.getInt(at + 24) && sequence > best && offset >= HEADER_BYTES) {
        best = sequence;
        cursorSegment = segment;
        cursorOffset = offset;
      }
    }
    cursorSequence = Math.max(best, 0);
  }

  /**
   * Records where reading resumes, in the older of the cursor's two slots: one small positional write, done when
   * this returns (so a process crash cannot lose it), forced to the device as {@link Fsync} says.
   */
  private void writeCursor() throws IOException {
    cursorSequence++;
    ByteBuffer b = ByteBuffer.allocate(CURSOR_SLOT_BYTES);
    b.putLong(0, cursorSequence).putLong(8, cursorSegment).putLong(16, cursorOffset);
    b.putInt(24, crc(b.array(), 0, 24));
    writeFully(cursor, b, (cursorSequence & 1) * CURSOR_SLOT_BYTES);
    cursorUnforced = true;
    if (fsync == Fsync.BATCH) {
      // Otherwise a power cut may bring back what was acknowledged since the last force (sent twice, not lost).
      cursor.force(false);
      cursorUnforced = false;
    }
  }

  // ---- writing

  /**
   * Appends one push body of {@code entries} entries, the earliest at {@code oldestEntryNanos}; false, with nothing
   * written, when the store would then hold more than its {@code maxBytes}. An {@link IOException} (a full disk, a
   * file-size limit) names the directory and the cause, and leaves the store as it was before the call.
   */
  boolean append(byte[] body, int entries, long oldestEntryNanos) throws IOException {
    return append(new byte[0], body, body.length, entries, oldestEntryNanos);
  }

  /**
   * {@link #append(byte[], int, long)} of a body that is {@code prefix} followed by the first {@code length} bytes of
   * {@code body}, written as one record without joining them first.
   */
  boolean append(byte[] prefix, byte[] body, int length, int entries, long oldestEntryNanos) throws IOException {
    int bodyBytes = prefix.length + length;
    if (bodyBytes > MAX_BODY_BYTES) {
      return false;
    }
    long recordBytes = FRAME_BYTES + META_BYTES + bodyBytes;
    Segment last = segments.peekLast();
    boolean roll = last == null || last.size + recordBytes > segmentBytes && last.size > HEADER_BYTES;
    if (bytesOnDisk() + recordBytes + (roll ? HEADER_BYTES : 0) > maxBytes) {
      return false;
    }
    if (roll) {
      last = newSegment(last == null ? Math.max(cursorSegment, 1) : last.sequence + 1);
    } else if (writing == null) {
      writing = FileChannel.open(last.path, StandardOpenOption.WRITE);
    }
    // The frame and metadata in a small buffer, the body as it is: one gathering write, no copy of the body.
    ByteBuffer head = ByteBuffer.allocate(FRAME_BYTES + META_BYTES);
    head.putInt(0, META_BYTES + bodyBytes);
    head.putLong(8, System.currentTimeMillis()).putLong(16, oldestEntryNanos).putInt(24, entries);
    CRC32C crc = new CRC32C();
    crc.update(head.array(), FRAME_BYTES, META_BYTES);
    crc.update(prefix, 0, prefix.length);
    crc.update(body, 0, length);
    head.putInt(4, (int) crc.getValue());
    ByteBuffer[] record = {head, ByteBuffer.wrap(prefix), ByteBuffer.wrap(body, 0, length)};
    try {
      writing.position(last.size);
      long left = recordBytes;
      while (left > 0) {
        left -= writing.write(record);
      }
    } catch (IOException e) {
      // A full disk or a file-size limit: take back what part of the record was written, and say where and why.
      try {
        writing.truncate(last.size);
      } catch (IOException ignored) {
        // the next open cuts it as a torn tail
      }
      throw new IOException("cannot write to the spill directory " + directory + ": " + describe(e), e);
    }
    last.size += recordBytes;
    pendingRecords++;
    pendingEntries += entries;
    unforced = true;
    if (fsync == Fsync.BATCH) {
      force();
    } else {
      tick();
    }
    return true;
  }

  /** Forces written records to the device when the {@link Fsync#INTERVAL interval} policy says it is time. */
  void tick() throws IOException {
    if (fsync == Fsync.INTERVAL && (unforced || cursorUnforced)
        && System.nanoTime() - lastForce >= fsyncIntervalNanos) {
      force();
    }
  }

  private void force() throws IOException {
    if (writing != null && unforced) {
      writing.force(false);
    }
    if (cursorUnforced) {
      cursor.force(false);
      cursorUnforced = false;
    }
    unforced = false;
    lastForce = System.nanoTime();
  }

  private Segment newSegment(long sequence) throws IOException {
    if (writing != null) {
      force();
      writing.close();
    }
    Path path = directory.resolve(String.format("spill-%019d.seg", sequence));
    writing = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).putInt(0, MAGIC).putInt(4, VERSION);
    writeFully(writing, header, 0);
    Segment segment = new Segment(sequence, path, HEADER_BYTES);
    if (segments.isEmpty()) {
      cursorSegment = sequence;
      cursorOffset = HEADER_BYTES;
    }
    segments.add(segment);
    return segment;
  }

  // ---- reading

  /** The oldest record not yet {@linkplain #acknowledge acknowledged}, or {@code null} when there is none. */
  Spilled peek() throws IOException {
    while (true) {
      Segment first = segments.peekFirst();
      if (first == null) {
        return null;
      }
      if (first.sequence != cursorSegment) {
        cursorSegment = first.sequence;
        cursorOffset = HEADER_BYTES;
      }
      if (cursorOffset + FRAME_BYTES + META_BYTES <= first.size) {
        return read(first);
      }
      if (first == segments.peekLast()) {
        return null; // read to the end of the segment still being written
      }
      dropFirstSegment();
    }
  }

  private Spilled read(Segment segment) throws IOException {
    if (readingSegment != segment.sequence) {
      if (reading != null) {
        reading.close();
      }
      reading = FileChannel.open(segment.path, StandardOpenOption.READ);
      readingSegment = segment.sequence;
    }
    ByteBuffer frame = ByteBuffer.allocate(FRAME_BYTES);
    readFully(reading, frame, cursorOffset);
    int length = frame.getInt(0);
    ByteBuffer content = ByteBuffer.allocate(length);
    readFully(reading, content, cursorOffset + FRAME_BYTES);
    if (crc(content.array()) != frame.getInt(4)) {
      throw new IOException("spill record at " + segment.path + ":" + cursorOffset + " fails its checksum");
    }
    byte[] body = new byte[length - META_BYTES];
    content.get(META_BYTES, body);
    return new Spilled(content.getLong(0), content.getLong(8), content.getInt(16), body, segment.sequence,
        cursorOffset, cursorOffset + FRAME_BYTES + length);
  }

  /**
   * Marks {@code record}, which must be the one {@link #peek} returned last, as done with (sent, or dropped and
   * counted): it will not be read again, in this run or after a restart.
   */
  void acknowledge(Spilled record) throws IOException {
    if (record.segment() != cursorSegment || record.offset() != cursorOffset) {
      throw new IllegalStateException("acknowledged out of order: " + record.segment() + ":" + record.offset()
          + ", expected " + cursorSegment + ":" + cursorOffset);
    }
    cursorOffset = record.end();
    pendingRecords--;
    pendingEntries -= record.entries();
    Segment first = segments.peekFirst();
    if (cursorOffset >= first.size) {
      if (first == segments.peekLast() && writing != null) {
        // Everything is read: the segment being written goes too, and the next append starts a new one.
        writing.close();
        writing = null;
      }
      dropFirstSegment();
    } else {
      writeCursor();
    }
  }

  private void dropFirstSegment() throws IOException {
    Segment first = segments.pollFirst();
    if (reading != null && readingSegment == first.sequence) {
      reading.close();
      reading = null;
      readingSegment = -1;
    }
    Segment next = segments.peekFirst();
    cursorSegment = next == null ? first.sequence + 1 : next.sequence;
    cursorOffset = HEADER_BYTES;
    writeCursor(); // first, so that a crash between the two never reads the deleted segment's records again
    Files.deleteIfExists(first.path);
  }

  // ---- figures

  /** Records stored and not yet acknowledged. */
  long pendingRecords() {
    return pendingRecords;
  }

  /** Entries (events) in the records not yet acknowledged. */
  long pendingEntries() {
    return pendingEntries;
  }

  /** Bytes of every segment on disk, acknowledged records of the oldest one included until it is deleted. */
  long bytesOnDisk() {
    long total = 0;
    for (Segment s : segments) {
      total += s.size;
    }
    return total;
  }

  /** Forces what was written, closes the files and lets go of the directory's lock; once, later calls do nothing. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (writing != null) {
        force();
        writing.close();
      }
      if (reading != null) {
        reading.close();
      }
      if (cursor != null) {
        if (cursorUnforced && fsync != Fsync.NEVER) {
          cursor.force(false);
        }
        cursor.close();
      }
    } finally {
      lock.release();
      lockChannel.close();
    }
  }

  // ---- helpers

  private static int crc(byte[] bytes) {
    return crc(bytes, 0, bytes.length);
  }

  private static int crc(byte[] bytes, int offset, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, offset, length);
    return (int) crc.getValue();
  }

  private static void readFully(FileChannel channel, ByteBuffer into, long position) throws IOException {
    long at = position;
    while (into.hasRemaining()) {
      int n = channel.read(into, at);
      if (n < 0) {
        throw new IOException("unexpected end of spill file at " + at);
      }
      at += n;
    }
  }

  private static void writeFully(FileChannel channel, ByteBuffer from, long position) throws IOException {
    long at = position;
    while (from.hasRemaining()) {
      at += channel.write(from, at);
    }
  }
}
