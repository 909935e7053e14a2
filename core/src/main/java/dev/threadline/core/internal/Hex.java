package dev.threadline.core.internal;

/** Lowercase hexadecimal encoding and validation for ids, without allocation beyond the result. */
public final class Hex {

  private static final char[] DIGITS = "0123456789abcdef".toCharArray();

  private Hex() {}

  /** Writes {@code value} as 16 lowercase hex digits into {@code out} at {@code offset}. */
  public static void writeLong(long value, char[] out, int offset) {
    for (int i = 15; i >= 0; i--) {
      out[offset + i] = DIGITS[(int) (value & 0xF)];
      value >>>= 4;
    }
  }

  /** Writes {@code value} as 2 lowercase hex digits into {@code out} at {@code offset}. */
  public static void writeByte(int value, char[] out, int offset) {
    out[offset] = DIGITS[(value >> 4) & 0xF];
    out[offset + 1] = DIGITS[value & 0xF];
  }

  /** {@code value}'s low byte as 2 lowercase hex digits. */
  public static String byteToString(int value) {
    char[] out = new char[2];
    writeByte(value, out, 0);
    return new String(out);
  }

  /** The value of one lowercase hex digit, or -1 when {@code c} is anything else (uppercase included). */
  public static int lowerDigit(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    return -1;
  }

  /**
   * Whether {@code s[from, from + length)} is lowercase hex and not all zeros: the W3C rule for trace and span
   * ids.
   */
  public static boolean isValidId(CharSequence s, int from, int length) {
    // Without a branch per character: ids are random, so a branch on digit-or-letter would be mispredicted about
    // every other character, which cost more than the rest of the check.
    int bad = 0;
    int nonZero = 0;
    for (int i = from; i < from + length; i++) {
      int c = s.charAt(i);
      bad |= notIn(c, LOWER_HEX_LOW, LOWER_HEX_HIGH);
      nonZero |= c ^ '0';
    }
    return bad == 0 && nonZero != 0;
  }

  /** {@code 0-9} and {@code a-f} as a 128-bit set: characters 0-63 in the first word, 64-127 in the second. */
  private static final long LOWER_HEX_LOW = 0x03FFL << '0';
  private static final long LOWER_HEX_HIGH = 0x3FL << ('a' - 64);

  /**
   * 0 when {@code c} is in the 128-bit set {@code (low, high)}, non-zero otherwise (any {@code c} of 128 or more
   * included), computed without branching on {@code c}.
   */
  public static int notIn(int c, long low, long high) {
    long word = c < 64 ? low : high;
    return (int) (~(word >>> c) & 1) | (c >>> 7);
  }

  /** Parses two lowercase hex digits at {@code from}; -1 when they are not lowercase hex. */
  public static int parseByte(CharSequence s, int from) {
    int high = lowerDigit(s.charAt(from));
    int low = lowerDigit(s.charAt(from + 1));
    return high < 0 || low < 0 ? -1 : (high << 4) | low;
  }
}
