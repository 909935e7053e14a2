package dev.threadline.loki;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A stream's label set in its Prometheus text form, {@code {service="api", env="prod"}}, parsed as Loki parses it
 * ({@code syntax.ParseLabels}: Prometheus' {@code ParseMetric}, then empty values dropped) and written back as
 * Prometheus' {@code labels.String()} does.
 *
 * <p>The grammar: an optional metric name (which becomes {@code __name__}), an opening brace, pairs
 * {@code name="value"} separated by commas with an optional trailing one, a closing brace; names are
 * {@code [a-zA-Z_][a-zA-Z0-9_]*}; values are double- or single-quoted with Go's escapes (backslash followed by
 * {@code " \\ n t xHH uHHHH} and the rest; only the enclosing quote may be escaped) or back-quoted raw. Whitespace
 * may stand between tokens. The result is sorted by name and keeps
 * repeated names, so that the caller can refuse them with Loki's message.
 */
final class LokiReceiverLabels {

  /** Why a label text does not parse, worded like Prometheus' parser ({@code 1:7: parse error: ...}). */
  static final class ParseException extends Exception {
    private static final long serialVersionUID = 1L;

    ParseException(int position, String message) {
      super("1:" + (position + 1) + ": parse error: " + message, null, false, false);
    }
  }

  private final String text;
  private int pos;

  private LokiReceiverLabels(String text) {
    this.text = text;
  }

  /** Parses a label text into pairs sorted by name, empty values dropped, repeated names kept. */
  static List<LokiReceiverPush.Pair> parse(String text) throws ParseException {
    List<LokiReceiverPush.Pair> pairs = new LokiReceiverLabels(text).labelSet();
    pairs.removeIf(pair -> pair.value().isEmpty());
    pairs.sort(Comparator.comparing(LokiReceiverPush.Pair::name));
    return pairs;
  }

  /** Prometheus' {@code labels.String()} of sorted pairs: {@code {a="1", b="2"}}. */
  static String format(List<LokiReceiverPush.Pair> sorted) {
    StringBuilder text = new StringBuilder("{");
    for (LokiReceiverPush.Pair pair : sorted) {
      if (text.length() > 1) {
        text.append(", ");
      }
      text.append(pair.name()).append('=');
      quote(pair.value(), text);
    }
    return text.append('}').toString();
  }

  /** Go's {@code strconv.Quote}, close enough for label values to read back through {@link #parse}. */
  static void quote(String value, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case 0x07 -> out.append("\\a");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        case 0x0b -> out.append("\\v");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            out.append(String.format("\\x%02x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  private List<LokiReceiverPush.Pair> labelSet() throws ParseException {
    List<LokiReceiverPush.Pair> pairs = new ArrayList<>();
    skipSpace();
    if (pos < text.length() && isNameStart(text.charAt(pos), true)) {
      pairs.add(new LokiReceiverPush.Pair("__name__", name(true)));
      skipSpace();
    }
    if (pos >= text.length()) {
      throw new ParseException(pos, "unexpected end of input");
    }
    expect('{', "unexpected character: '" + text.charAt(pos) + "'");
    skipSpace();
    if (peek() != '}') {
      while (true) {
        if (pos >= text.length()) {
          throw new ParseException(pos, "unexpected end of input inside braces");
        }
        if (!isNameStart(text.charAt(pos), false)) {
          throw new ParseException(pos, "unexpected character inside braces: '" + text.charAt(pos) + "'");
        }
        String name = name(false);
        skipSpace();
        if (peek() != '=') {
          throw new ParseException(pos, "unexpected " + describe() + " in label matching, expected \"=\"");
        }
        pos++;
        skipSpace();
        String value = string();
        pairs.add(new LokiReceiverPush.Pair(name, value));
        skipSpace();
        if (peek() == ',') {
          pos++;
          skipSpace();
          if (peek() == '}') {
            break;
          }
          continue;
        }
        if (peek() == '}') {
          break;
        }
        throw new ParseException(pos, "unexpected " + describe() + " in label set, expected \",\" or \"}\"");
      }
    }
    pos++;
    skipSpace();
    if (pos < text.length()) {
      throw new ParseException(pos, "unexpected " + describe() + ", expected end of input");
    }
    return pairs;
  }

  private String name(boolean metric) {
    int start = pos;
    pos++;
    while (pos < text.length() && isNamePart(text.charAt(pos), metric)) {
      pos++;
    }
    return text.substring(start, pos);
  }

  private String string() throws ParseException {
    if (pos >= text.length()) {
      throw new ParseException(pos, "unexpected end of input, expected string");
    }
    char quote = text.charAt(pos);
    if (quote == '`') {
      int end = text.indexOf('`', pos + 1);
      if (end < 0) {
        throw new ParseException(pos, "unterminated raw string");
      }
      String raw = text.substring(pos + 1, end);
      pos = end + 1;
      return raw;
    }
    if (quote != '"' && quote != '\'') {
      throw new ParseException(pos, "unexpected " + describe() + " in label matching, expected string");
    }
    int start = pos;
    pos++;
    StringBuilder value = new StringBuilder();
    while (true) {
      if (pos >= text.length() || text.charAt(pos) == '\n') {
        throw new ParseException(start, "unterminated quoted string");
      }
      char c = text.charAt(pos++);
      if (c == quote) {
        return value.toString();
      }
      if (c != '\\') {
        value.append(c);
        continue;
      }
      if (pos >= text.length()) {
        throw new ParseException(start, "unterminated quoted string");
      }
      char e = text.charAt(pos++);
      switch (e) {
        case 'a' -> value.append((char) 0x07);
        case 'b' -> value.append('\b');
        case 'f' -> value.append('\f');
        case 'n' -> value.append('\n');
        case 'r' -> value.append('\r');
        case 't' -> value.append('\t');
        case 'v' -> value.append((char) 0x0b);
        case '\\' -> value.append('\\');
        case 'x' -> value.append((char) digits(2, 16));
        case 'u' -> value.appendCodePoint(codePoint(digits(4, 16)));
        case 'U' -> value.appendCodePoint(codePoint(digits(8, 16)));
        case '0', '1', '2', '3', '4', '5', '6', '7' -> {
          pos--;
          int octal = digits(3, 8);
          if (octal > 255) {
            throw new ParseException(pos, "invalid escape sequence: octal value " + octal + " too large");
          }
          value.append((char) octal);
        }
        default -> {
          if (e != quote) {
            throw new ParseException(pos - 2, "unknown escape sequence '" + e + "'");
          }
          value.append(e);
        }
      }
    }
  }

  private int digits(int count, int radix) throws ParseException {
    if (pos + count > text.length()) {
      throw new ParseException(pos, "escape sequence is too short");
    }
    long value = 0;
    for (int i = 0; i < count; i++) {
      int digit = Character.digit(text.charAt(pos + i), radix);
      if (digit < 0) {
        throw new ParseException(pos + i, "invalid character '" + text.charAt(pos + i) + "' in escape sequence");
      }
      value = value * radix + digit;
    }
    pos += count;
    if (value > Character.MAX_CODE_POINT) {
      throw new ParseException(pos, "escape sequence is an invalid Unicode code point");
    }
    return (int) value;
  }

  private int codePoint(int value) throws ParseException {
    if (Character.isSurrogate((char) value) && value <= 0xffff) {
      throw new ParseException(pos, "escape sequence is an invalid Unicode code point");
    }
    return value;
  }

  private void expect(char c, String message) throws ParseException {
    if (peek() != c) {
      throw new ParseException(pos, message);
    }
    pos++;
  }

  private char peek() {
    return pos < text.length() ? text.charAt(pos) : 0;
  }

  private String describe() {
    return pos < text.length() ? "character '" + text.charAt(pos) + "'" : "end of input";
  }

  private void skipSpace() {
    while (pos < text.length() && (text.charAt(pos) == ' ' || text.charAt(pos) == '\t' || text.charAt(pos) == '\r'
        || text.charAt(pos) == '\n')) {
      pos++;
    }
  }

  private static boolean isNameStart(char c, boolean metric) {
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (metric && c == ':');
  }

  private static boolean isNamePart(char c, boolean metric) {
    return isNameStart(c, metric) || (c >= '0' && c <= '9');
  }
}
