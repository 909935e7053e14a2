package dev.threadline.logback;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable byte buffer that writes JSON as UTF-8 directly: strings are escaped and encoded in one pass, numbers
 * are written as digits, nothing goes through an intermediate {@code String} or {@code StringBuilder}.
 *
 * <p>Strings are always valid JSON and valid UTF-8 whatever they hold: control characters are escaped, a lone
 * surrogate becomes U+FFFD, and a string longer than the cap given is cut, on a character boundary, with a visible
 * marker. Not thread-safe: one buffer serves one event at a time (see {@link BufferPool}).
 */
final class JsonBuffer {

  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] TRUNCATED_PREFIX = "…[truncated ".getBytes(StandardCharsets.UTF_8);
  private static final byte[] TRUNCATED_SUFFIX = " chars]".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] REPLACEMENT = "\uFFFD".getBytes(StandardCharsets.UTF_8);
  /** For each ASCII character, 0 when it is written as is, else the character after the backslash. */
  private static final byte[] ESCAPES = new byte[128];

  static {
    for (int c = 0; c < 0x20; c++) {
      ESCAPES[c] = 'u';
    }
    ESCAPES['"'] = '"';
    ESCAPES['\\'] = '\\';
    ESCAPES['\n'] = 'n';
    ESCAPES['\r'] = 'r';
    ESCAPES['\t'] = 't';
    ESCAPES['\b'] = 'b';
    ESCAPES['\f'] = 'f';
  }

  private static final int SCRATCH_CHARS = 2048;

  byte[] bytes;
  int size;
  /**
   * Where string chunks are copied to be escaped; one per buffer, made on first use and grown to at most
   * {@value #SCRATCH_CHARS} characters, so short-lived buffers for single keys stay small.
   */
  private char[] scratch = new char[0];

  JsonBuffer(int initialCapacity) {
    bytes = new byte[initialCapacity];
  }

  void reset() {
    size = 0;
  }

  /** The written bytes, as a new array of exactly that length. */
  byte[] toByteArray() {
    return Arrays.copyOf(bytes, size);
  }

  private void ensure(int extra) {
    if (size + extra > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + extra));
    }
  }

  void raw(byte b) {
    ensure(1);
    bytes[size++] = b;
  }

  void raw(byte[] b) {
    ensure(b.length);
    System.arraycopy(b, 0, bytes, size, b.length);
    size += b.length;
  }

  void raw(byte[] b, int from, int length) {
    ensure(length);
    System.arraycopy(b, from, bytes, size, length);
    size += length;
  }

  /** Writes {@code s}, which must be ASCII needing no escaping (digits, known key names). */
  void ascii(String s) {
    int n = s.length();
    ensure(n);
    for (int i = 0; i < n; i++) {
      bytes[size++] = (byte) s.charAt(i);
    }
  }

  void nullValue() {
    ascii("null");
  }

  void bool(boolean value) {
    ascii(value ? "true" : "false");
  }

  /** Writes {@code value} in decimal. */
  void number(long value) {
    if (value == Long.MIN_VALUE) {
      ascii("-9223372036854775808");
      return;
    }
    ensure(20);
    if (value < 0) {
      bytes[size++] = '-';
      value = -value;
    }
    int digits = 1;
    for (long v = value; v >= 10; v /= 10) {
      digits++;
    }
    for (int i = size + digits - 1; i >= size; i--) {
      bytes[i] = (byte) ('0' + (value % 10));
      value /= 10;
    }
    size += digits;
  }

  /** Writes {@code value} zero-padded to {@code width} digits; {@code value} must be non-negative. */
  void padded(int value, int width) {
    ensure(width);
    byte[] out = bytes;
    for (int i = size + width - 1; i >= size; i--) {
      int rest = value / 10;
      out[i] = (byte) ('0' + (value - rest * 10));
      value = rest;
    }
    size += width;
  }

  /** Writes {@code s} as a quoted JSON string, cut after {@code maxChars} characters with a marker. */
  void string(CharSequence s, int maxChars) {
    raw((byte) '"');
    stringContent(s, maxChars);
    raw((byte) '"');
  }

  /**
   * Writes {@code s} as a quoted JSON string by a bulk copy, without escaping or a cap: only for strings known to be
   * printable ASCII without a quote or a backslash (a validated id). The copy keeps each character's low byte,
   * which for ASCII is its UTF-8.
   */
  @SuppressWarnings("deprecation") // String.getBytes(int, int, byte[], int): exactly the low-byte copy wanted here
  void plainAscii(String s) {
    int n = s.length();
    ensure(n + 2);
    bytes[size++] = '"';
    s.getBytes(0, n, bytes, size);
    size += n;
    bytes[size++] = '"';
  }

  /**
   * Writes the escaped UTF-8 of {@code s} without quotes, cut after {@code maxChars} characters (never inside a
   * surrogate pair) and followed by {@code …[truncated N chars]} when cut.
   */
  void stringContent(CharSequence s, int maxChars) {
    int length = s.length();
    int end = Math.min(length, Math.max(0, maxChars));
    if (end < length && end > 0 && Character.isHighSurrogate(s.charAt(end - 1))) {
      end--;
    }
    escape(s, 0, end);
    if (end < length) {
      raw(TRUNCATED_PREFIX);
      number(length - end);
      raw(TRUNCATED_SUFFIX);
    }
  }

  /**
   * Writes the escaped UTF-8 of {@code s[from, to)}. The characters are copied into a scratch {@code char[]} in
   * chunks ({@link String#getChars} is a bulk copy) and escaped from the array: per character that is one array
   * read, where {@code charAt} would check bounds and the string's coder every time. A chunk never ends between
   * the two halves of a surrogate pair.
   */
  void escape(CharSequence s, int from, int to) {
    int i = from;
    while (i < to) {
      int end = Math.min(to, i + SCRATCH_CHARS);
      if (end < to && Character.isHighSurrogate(s.charAt(end - 1))) {
        end--;
      }
      if (scratch.length < end - i) {
        scratch = new char[Math.min(SCRATCH_CHARS, Math.max(end - i, scratch.length * 2))];
      }
      if (s instanceof String) {
        ((String) s).getChars(i, end, scratch, 0);
      } else {
        for (int k = i; k < end; k++) {
          scratch[k - i] = s.charAt(k);
        }
      }
      escapeArray(scratch, end - i);
      i = end;
    }
  }

  /** Writes the escaped UTF-8 of {@code chars[0, length)}; a lone surrogate becomes U+FFFD. */
  private void escapeArray(char[] chars, int length) {
    ensure(length * 6);
    byte[] out = bytes;
    int pos = size;
    int i = 0;
    while (i < length) {
      char c = chars[i++];
      if (c < 0x80) {
        byte escape = ESCAPES[c];
        if (escape == 0) {
          out[pos++] = (byte) c;
        } else if (escape == 'u') {
          out[pos++] = '\\';
          out[pos++] = 'u';
          out[pos++] = '0';
          out[pos++] = '0';
          out[pos++] = HEX[c >> 4];
          out[pos++] = HEX[c & 0xF];
        } else {
          out[pos++] = '\\';
          out[pos++] = escape;
        }
      } else if (c < 0x800) {
        out[pos++] = (byte) (0xC0 | (c >> 6));
        out[pos++] = (byte) (0x80 | (c & 0x3F));
      } else if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c) && i < length && Character.isLowSurrogate(chars[i])) {
          int cp = Character.toCodePoint(c, chars[i++]);
          out[pos++] = (byte) (0xF0 | (cp >> 18));
          out[pos++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
          out[pos++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
          out[pos++] = (byte) (0x80 | (cp & 0x3F));
        } else {
          out[pos++] = REPLACEMENT[0];
          out[pos++] = REPLACEMENT[1];
          out[pos++] = REPLACEMENT[2];
        }
      } else {
        out[pos++] = (byte) (0xE0 | (c >> 12));
        out[pos++] = (byte) (0x80 | ((c >> 6) & 0x3F));
        out[pos++] = (byte) (0x80 | (c & 0x3F));
      }
    }
    size = pos;
  }

  /** The pre-encoded bytes of {@code "name":} for a key written often. */
  static byte[] keyBytes(String name) {
    JsonBuffer b = new JsonBuffer(name.length() + 8);
    b.string(name, Integer.MAX_VALUE);
    b.raw((byte) ':');
    return b.toByteArray();
  }

  /** The bytes of {@code s} as a JSON string, quotes included. */
  static byte[] stringBytes(String s, int maxChars) {
    JsonBuffer b = new JsonBuffer(s.length() + 8);
    b.string(s, maxChars);
    return b.toByteArray();
  }
}
