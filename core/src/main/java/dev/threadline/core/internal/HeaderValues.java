package dev.threadline.core.internal;

/** Received header values as HTTP reads them: spaces and tabs around a value are not part of it. */
public final class HeaderValues {

  private HeaderValues() {}

  /** {@code s} without surrounding spaces and tabs; {@code s} itself when it has none. */
  public static String trimOws(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && isOws(s.charAt(start))) {
      start++;
    }
    while (end > start && isOws(s.charAt(end - 1))) {
      end--;
    }
    return start == 0 && end == s.length() ? s : s.substring(start, end);
  }

  private static boolean isOws(char c) {
    return c == ' ' || c == '\t';
  }
}
