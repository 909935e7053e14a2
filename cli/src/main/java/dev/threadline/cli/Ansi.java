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
    String text = pad(level.toUpperCase(java.util.Locale.ROOT), width);
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

  static String pad(String s, int width) {
    if (s.length() >= width) {
      return s;
    }
    return s + " ".repeat(width - s.length());
  }
}
