package dev.threadline.loki;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Snappy block-format compression (the format Loki expects for protobuf pushes: a block, not the framed stream),
 * written here so the appender needs neither native code nor {@code sun.misc.Unsafe}: a varint of the uncompressed
 * length, then literals and back-references found with a hash table of 4-byte sequences, in 64 KiB blocks. Reads
 * 4 bytes at a time through byte-array views (intrinsics on HotSpot), extends matches with the JDK's vectorized
 * {@link Arrays#mismatch(byte[], int, int, byte[], int, int)} and,
 * like the reference implementation, looks less often the longer it finds nothing, so incompressible input is
 * passed over quickly.
 *
 * <p>Not thread-safe: one instance per sender thread, which reuses its hash table and output buffer.
 */
final class Snappy {

  private static final int BLOCK = 1 << 16;
  private static final int HASH_BITS = 14;
  private static final int INPUT_MARGIN = 15;
  private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

  private final int[] table = new int[1 << HASH_BITS];
  private byte[] out = new byte[1 << 16];
  private int pos;

  /** Compresses {@code input[0, length)}; the result is valid until the next call. */
  byte[] compress(byte[] input, int length) {
    pos = 0;
    ensure(maxCompressedLength(length));
    varint(length);
    // Once per call, not per block: a block ignores positions before its start, so earlier blocks' entries are
    // as good as empty to it.
    Arrays.fill(table, -1);
    for (int start = 0; start < length; start += BLOCK) {
      block(input, start, Math.min(start + BLOCK, length));
    }
    return out;
  }

  /** How many bytes of the array returned by the last {@link #compress} hold the result. */
  int compressedLength() {
    return pos;
  }

  /** Lets go of the output array (someone may still read it): the next call compresses into a new one. */
  void detach() {
    out = new byte[0];
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
      int limit = end - INPUT_MARGIN;
      int i = start;
      int skip = 32;
      while (i <= limit) {
        int bytes = load32(in, i);
        int h = hash(bytes);
        int candidate = table[h];
        table[h] = i;
        if (candidate >= start && load32(in, candidate) == bytes) {
          literal(in, nextEmit, i - nextEmit);
          int matched = 4 + matchLength(in, candidate + 4, i + 4, end);
          copy(i - candidate, matched);
          i += matched;
          nextEmit = i;
          skip = 32;
          if (i <= limit) {
            table[hash(load32(in, i - 1))] = i - 1;
          }
        } else {
          i += skip++ >>> 5;
        }
      }
    }
    literal(in, nextEmit, end - nextEmit);
  }

  /** How many bytes from {@code a} equal those from {@code b} (with {@code a < b}), reading no further than end. */
  private static int matchLength(byte[] in, int a, int b, int end) {
    // The JDK's mismatch is an intrinsic that compares a vector register at a time: matches in log lines run to
    // hundreds of bytes (the previous line's shape), where it is several times faster than a long at a time.
    int max = end - b;
    int at = Arrays.mismatch(in, a, a + max, in, b, end);
    return at < 0 ? max : at;
  }

  private static int load32(byte[] b, int i) {
    return (int) INT.get(b, i);
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
