package dev.threadline.cli;

/**
 * Colours for a person at a terminal, nothing when the output is piped or redirected, or when {@code NO_COLOR} is
 * set (no-color.org); {@code --color always|never} decides instead.
 */
record Ansi(boolean on) {

  static final Ansi OFF = new Ansi(false);

  String red(String s) {
    return wrap("31", s);
  }

  String boldRed(String s) {
    return wrap("1;31", s);
  }

  String yellow(String s) {
    return wrap("33", s);
  }

  String cyan(String s) {
    return wrap("36", s);
  }

  String magenta(String s) {
    return wrap("35", s);
  }

  String dim(String s) {
    return wrap("2", s);
  }

  String bold(String s) {
    return wrap("1", s);
  }

  /** The level, padded to {@code width}, coloured by severity. */
  String level(String level, int width) {
    String text = pad(safe(level).toUpperCase(java.util.Locale.ROOT), width);
    return switch (LogLine.rank(level)) {
      case 4 -> boldRed(text);
      case 3 -> yellow(text);
      case 0, 1 -> dim(text);
      default -> text;
    };
  }

  private String wrap(String code, String s) {
    return on && !s.isEmpty() ? "\u001b[" + code + "m" + s + "\u001b[0m" : s;
  }

  /**
   * Text from a log line, safe to print on a terminal: control characters (an escape sequence in a message could
   * clear the screen or retitle the window), C1 controls and the bidirectional overrides that make text read other
   * than it is are written as {@code \\uXXXX}; a tab is a space. Null is the empty string.
   */
  static String safe(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean unsafe = c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0x202a && c <= 0x202e)
          || (c >= 0x2066 && c <= 0x2069) || c == 0x2028 || c == 0x2029;
      if (unsafe && b == null) {
        b = new StringBuilder(s.length() + 16).append(s, 0, i);
      }
      if (b != null) {
        if (c == '\t') {
          b.append(' ');
        } else if (unsafe) {
          b.append(String.format("\\u%04x", (int) c));
        } else {
          b.append(c);
        }
      }
    }
    return b == null ? s : b.toString();
  }

  static String pad(String s, int width) {
    if (s.length() >= width) {
      return s;
    }
    return s + " ".repeat(width - s.length());
  }
}
