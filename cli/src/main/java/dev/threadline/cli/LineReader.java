package dev.threadline.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Lines of a stream of bytes, read through one buffer so that a file of any size is streamed: memory is the
 * buffer, which grows to the longest line and at most to {@link #MAX_LINE_BYTES}. A longer line is skipped (and
 * counted in {@link #tooLong()}), never held. {@link #contains} looks at a line's bytes before it is decoded, so the
 * views decode and parse only the lines that can matter.
 *
 * <p>At the end of the input {@link #next} returns false and keeps an unfinished last line; {@link #next} may be
 * called again when the stream has more (a followed file), and {@link #finish} hands over what is left.
 */
final class LineReader {

  /** The longest line read: the encoder's largest {@code maxLineBytes} (4 MiB - 64 KiB) with room to spare. */
  static final int MAX_LINE_BYTES = 4 * 1024 * 1024;

  private final InputStream in;
  private byte[] buf = new byte[64 * 1024];
  private int start; // the current line's first byte
  private int scan; // where the search for the next newline resumes
  private int limit; // bytes in buf
  private int lineStart;
  private int lineEnd;
  private boolean skipping; // inside a line over the limit: drop bytes up to its newline
  private long tooLong;
  private long lines;

  LineReader(InputStream in) {
    this.in = in;
  }

  /** Moves to the next whole line; false at the end of what the stream has now. */
  boolean next() throws IOException {
    while (true) {
      for (int i = scan; i < limit; i++) {
        if (buf[i] == '\n') {
          scan = i + 1;
          if (skipping) {
            skipping = false;
            start = scan;
            continue;
          }
          lineStart = start;
          lineEnd = i > start && buf[i - 1] == '\r' ? i - 1 : i;
          start = scan;
          lines++;
          return true;
        }
      }
      scan = limit;
      if (!fill()) {
        return false;
      }
    }
  }

  /** The unfinished last line, as a line, at the real end of the input; false when there is none. */
  boolean finish() {
    if (skipping || start >= limit) {
      start = scan = limit;
      return false;
    }
    lineStart = start;
    lineEnd = limit;
    start = scan = limit;
    lines++;
    return true;
  }

  private boolean fill() throws IOException {
    if (skipping) {
      start = scan = limit = 0;
    } else if (start > 0) {
      System.arraycopy(buf, start, buf, 0, limit - start);
      limit -= start;
      scan -= start;
      start = 0;
    }
    if (limit == buf.length) {
      if (buf.length >= MAX_LINE_BYTES) {
        // The line so far is over the limit: drop it and everything up to its newline.
        tooLong++;
        skipping = true;
        start = scan = limit = 0;
      } else {
        byte[] bigger = new byte[Math.min(MAX_LINE_BYTES, buf.length * 2)];
        System.arraycopy(buf, 0, bigger, 0, limit);
        buf = bigger;
      }
    }
    int n = in.read(buf, limit, buf.length - limit);
    if (n <= 0) {
      return false;
    }
    limit += n;
    return true;
  }

  /**
   * What {@link #contains} looks for, with its Boyer-Moore-Horspool shift table: a search reads about one byte in
   * every needle-length of the line, so finding no request id in a line costs a fraction of reading it.
   */
  record Needle(byte[] bytes, int[] shift) {

    static Needle of(byte[] bytes) {
      int[] shift = new int[256];
      java.util.Arrays.fill(shift, Math.max(1, bytes.length));
      for (int i = 0; i < bytes.length - 1; i++) {
        shift[bytes[i] & 0xff] = bytes.length - 1 - i;
      }
      return new Needle(bytes, shift);
    }
  }

  /** Whether the current line contains {@code needle}. */
  boolean contains(Needle needle) {
    byte[] n = needle.bytes();
    int m = n.length;
    if (m == 0) {
      return true;
    }
    int[] shift = needle.shift();
    byte lastByte = n[m - 1];
    for (int i = lineStart + m - 1; i < lineEnd; ) {
      byte b = buf[i];
      if (b == lastByte) {
        int from = i - m + 1;
        int j = 0;
        while (j < m - 1 && buf[from + j] == n[j]) {
          j++;
        }
        if (j == m - 1) {
          return true;
        }
      }
      i += shift[b & 0xff];
    }
    return false;
  }

  /** The current line, decoded (malformed UTF-8 becomes U+FFFD). */
  String line() {
    return new String(buf, lineStart, lineEnd - lineStart, StandardCharsets.UTF_8);
  }

  /** Lines skipped for being longer than {@link #MAX_LINE_BYTES}. */
  long tooLong() {
    return tooLong;
  }

  /** Lines read so far. */
  long lines() {
    return lines;
  }
}
