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
    boolean nonZero = false;
    for (int i = from; i < from + length; i++) {
      char c = s.charAt(i);
      int digit = lowerDigit(c);
      if (digit < 0) {
        return false;
      }
      nonZero |= digit != 0;
    }
    return nonZero;
  }

  /** Parses two lowercase hex digits at {@code from}; -1 when they are not lowercase hex. */
  public static int parseByte(CharSequence s, int from) {
    int high = lowerDigit(s.charAt(from));
    int low = lowerDigit(s.charAt(from + 1));
    return high < 0 || low < 0 ? -1 : (high << 4) | low;
  }
}
