package dev.threadline.loki;

import java.util.Arrays;

/**
 * Snappy block-format compression (the format Loki expects for protobuf pushes: a block, not the framed stream),
 * written here so the appender needs neither native code nor {@code sun.misc.Unsafe}: a varint of the uncompressed
 * length, then literals and back-references found with a hash table of 4-byte sequences, in 64 KiB blocks.
 *
 * <p>Not thread-safe: one instance per sender thread, which reuses its hash table and output buffer.
 */
final class Snappy {

  private static final int BLOCK = 1 << 16;
  private static final int HASH_BITS = 14;
  private static final int INPUT_MARGIN = 15;

  private final int[] table = new int[1 << HASH_BITS];
  private byte[] out = new byte[1 << 16];
  private int pos;

  /** Compresses {@code input[0, length)}; the result is valid until the next call. */
  byte[] compress(byte[] input, int length) {
    pos = 0;
    ensure(maxCompressedLength(length));
    varint(length);
    for (int start = 0; start < length; start += BLOCK) {
      block(input, start, Math.min(start + BLOCK, length));
    }
    return out;
  }

  /** How many bytes of the array returned by the last {@link #compress} hold the result. */
  int compressedLength() {
    return pos;
  }

  static int maxCompressedLength(int length) {
    return 32 + length + length / 6;
  }

  private void ensure(int capacity) {
    if (out.length < capacity) {
      out = new byte[capacity];
    }
  }

  private void block(byte[] in, int start, int end) {
    int nextEmit = start;
    if (end - start >= INPUT_MARGIN) {
      Arrays.fill(table, -1);
      int limit = end - INPUT_MARGIN;
      int i = start;
      while (i <= limit) {
        int h = hash(load32(in, i));
        int candidate = table[h];
        table[h] = i;
        if (candidate >= start && load32(in, candidate) == load32(in, i)) {
          literal(in, nextEmit, i - nextEmit);
          int matched = 4;
          while (i + matched < end && in[candidate + matched] == in[i + matched]) {
            matched++;
          }
          copy(i - candidate, matched);
          i += matched;
          nextEmit = i;
          if (i <= limit) {
            table[hash(load32(in, i - 1))] = i - 1;
          }
        } else {
          i++;
        }
      }
    }
    literal(in, nextEmit, end - nextEmit);
  }

  private static int load32(byte[] b, int i) {
    return (b[i] & 0xFF) | (b[i + 1] & 0xFF) << 8 | (b[i + 2] & 0xFF) << 16 | (b[i + 3] & 0xFF) << 24;
  }

  private static int hash(int bytes) {
    return (bytes * 0x1e35a7bd) >>> (32 - HASH_BITS);
  }

  private void literal(byte[] in, int from, int length) {
    if (length == 0) {
      return;
    }
    int n = length - 1;
    if (n < 60) {
      out[pos++] = (byte) (n << 2);
    } else if (n < 1 << 8) {
      out[pos++] = (byte) (60 << 2);
      out[pos++] = (byte) n;
    } else if (n < 1 << 16) {
      out[pos++] = (byte) (61 << 2);
      out[pos++] = (byte) n;
      out[pos++] = (byte) (n >>> 8);
    } else {
      out[pos++] = (byte) (62 << 2);
      out[pos++] = (byte) n;
      out[pos++] = (byte) (n >>> 8);
      out[pos++] = (byte) (n >>> 16);
    }
    System.arraycopy(in, from, out, pos, length);
    pos += length;
  }

  private void copy(int offset, int length) {
    while (length >= 68) {
      copy2(offset, 64);
      length -= 64;
    }
    if (length > 64) {
      copy2(offset, 60);
      length -= 60;
    }
    if (length >= 4 && length <= 11 && offset < 2048) {
      out[pos++] = (byte) (1 | (length - 4) << 2 | (offset >>> 8) << 5);
      out[pos++] = (byte) offset;
    } else {
      copy2(offset, length);
    }
  }

  private void copy2(int offset, int length) {
    out[pos++] = (byte) (2 | (length - 1) << 2);
    out[pos++] = (byte) offset;
    out[pos++] = (byte) (offset >>> 8);
  }

  private void varint(int value) {
    while ((value & ~0x7F) != 0) {
      out[pos++] = (byte) ((value & 0x7F) | 0x80);
      value >>>= 7;
    }
    out[pos++] = (byte) value;
  }
}
