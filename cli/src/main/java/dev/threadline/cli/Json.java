package dev.threadline.cli;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small, strict JSON reader and writer: the tool reads log lines and Loki's answers, and writes {@code --json}
 * output, without a JSON library. Objects become {@link LinkedHashMap}s (key order kept; a repeated key keeps the
 * last value), arrays {@link ArrayList}s, numbers {@link Long} or {@link BigDecimal}, and {@code null} is
 * {@code null}. Anything that is not exactly one JSON value (trailing text, a bad escape, nesting deeper than
 * {@value #MAX_DEPTH}) is refused with {@link Malformed}, never half-read.
 */
final class Json {

  static final int MAX_DEPTH = 64;

  /** Text that is not one JSON value. */
  static final class Malformed extends Exception {
    Malformed(String message, int at) {
      super(message + " at character " + at);
    }
  }

  private final String s;
  private int i;

  private Json(String s, int from) {
    this.s = s;
    this.i = from;
  }

  /** The one JSON value that is {@code text}, surrounding whitespace allowed. */
  static Object parse(String text) throws Malformed {
    Json json = new Json(text, 0);
    json.skipSpace();
    Object value = json.value(0);
    json.skipSpace();
    if (json.i != text.length()) {
      throw new Malformed("text after the JSON value", json.i);
    }
    return value;
  }

  /** {@link #parse} for text that must be an object; null when it is not one. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> parseObject(String text) {
    try {
      Object value = parse(text);
      return value instanceof Map ? (Map<String, Object>) value : null;
    } catch (Malformed e) {
      return null;
    }
  }

  private Object value(int depth) throws Malformed {
    if (i >= s.length()) {
      throw new Malformed("unexpected end", i);
    }
    char c = s.charAt(i);
    switch (c) {
      case '{':
        return object(depth + 1);
      case '[':
        return array(depth + 1);
      case '"':
        return string();
      case 't':
        return literal("true", Boolean.TRUE);
      case 'f':
        return literal("false", Boolean.FALSE);
      case 'n':
        return literal("null", null);
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          return number();
        }
        throw new Malformed("unexpected '" + c + "'", i);
    }
  }

  private Map<String, Object> object(int depth) throws Malformed {
    if (depth > MAX_DEPTH) {
      throw new Malformed("nested deeper than " + MAX_DEPTH, i);
    }
    Map<String, Object> map = new LinkedHashMap<>();
    i++;
    skipSpace();
    if (peek() == '}') {
      i++;
      return map;
    }
    while (true) {
      skipSpace();
      if (peek() != '"') {
        throw new Malformed("expected a key", i);
      }
      String key = string();
      skipSpace();
      expect(':');
      skipSpace();
      map.put(key, value(depth));
      skipSpace();
      char c = peek();
      i++;
      if (c == '}') {
        return map;
      }
      if (c != ',') {
        throw new Malformed("expected ',' or '}'", i - 1);
      }
    }
  }

  private List<Object> array(int depth) throws Malformed {
    if (depth > MAX_DEPTH) {
      throw new Malformed("nested deeper than " + MAX_DEPTH, i);
    }
    List<Object> list = new ArrayList<>();
    i++;
    skipSpace();
    if (peek() == ']') {
      i++;
      return list;
    }
    while (true) {
      skipSpace();
      list.add(value(depth));
      skipSpace();
      char c = peek();
      i++;
      if (c == ']') {
        return list;
      }
      if (c != ',') {
        throw new Malformed("expected ',' or ']'", i - 1);
      }
    }
  }

  private String string() throws Malformed {
    i++;
    int start = i;
    // The common case: no escapes, one substring.
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c == '"') {
        return s.substring(start, i++);
      }
      if (c == '\\') {
        break;
      }
      if (c < 0x20) {
        throw new Malformed("control character in a string", i);
      }
      i++;
    }
    StringBuilder b = new StringBuilder(s.length() - start).append(s, start, i);
    while (i < s.length()) {
      char c = s.charAt(i++);
      if (c == '"') {
        return b.toString();
      }
      if (c < 0x20) {
        throw new Malformed("control character in a string", i - 1);
      }
      if (c != '\\') {
        b.append(c);
        continue;
      }
      if (i >= s.length()) {
        break;
      }
      char e = s.charAt(i++);
      switch (e) {
        case '"', '\\', '/' -> b.append(e);
        case 'b' -> b.append('\b');
        case 'f' -> b.append('\f');
        case 'n' -> b.append('\n');
        case 'r' -> b.append('\r');
        case 't' -> b.append('\t');
        case 'u' -> {
          if (i + 4 > s.length()) {
            throw new Malformed("short \\u escape", i);
          }
          int code = 0;
          for (int k = 0; k < 4; k++) {
            int d = Character.digit(s.charAt(i++), 16);
            if (d < 0) {
              throw new Malformed("bad \\u escape", i - 1);
            }
            code = code * 16 + d;
          }
          b.append((char) code);
        }
        default -> throw new Malformed("bad escape \\" + e, i - 1);
      }
    }
    throw new Malformed("unterminated string", i);
  }

  private Object number() throws Malformed {
    int start = i;
    if (peek() == '-') {
      i++;
    }
    int digits = i;
    while (i < s.length() && Character.isDigit(s.charAt(i))) {
      i++;
    }
    if (i == digits || (s.charAt(digits) == '0' && i - digits > 1)) {
      throw new Malformed("bad number", start);
    }
    boolean integral = true;
    if (i < s.length() && s.charAt(i) == '.') {
      integral = false;
      i++;
      int fraction = i;
      while (i < s.length() && Character.isDigit(s.charAt(i))) {
        i++;
      }
      if (i == fraction) {
        throw new Malformed("bad number", start);
      }
    }
    if (i < s.length() && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
      integral = false;
      i++;
      if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
        i++;
      }
      int exponent = i;
      while (i < s.length() && Character.isDigit(s.charAt(i))) {
        i++;
      }
      if (i == exponent) {
        throw new Malformed("bad number", start);
      }
    }
    String text = s.substring(start, i);
    if (integral && i - start <= 18) {
      return Long.parseLong(text);
    }
    try {
      return new BigDecimal(text);
    } catch (NumberFormatException e) {
      throw new Malformed("bad number", start);
    }
  }

  private Object literal(String word, Object value) throws Malformed {
    if (!s.startsWith(word, i)) {
      throw new Malformed("unexpected text", i);
    }
    i += word.length();
    return value;
  }

  private char peek() throws Malformed {
    if (i >= s.length()) {
      throw new Malformed("unexpected end", i);
    }
    return s.charAt(i);
  }

  private void expect(char c) throws Malformed {
    if (peek() != c) {
      throw new Malformed("expected '" + c + "'", i);
    }
    i++;
  }

  private void skipSpace() {
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return;
      }
      i++;
    }
  }

  // ---- writing ------------------------------------------------------------------------------------------------

  /** {@code value} (maps, iterables, strings, numbers, booleans, null, {@link Raw}) as compact JSON. */
  static String write(Object value) {
    StringBuilder b = new StringBuilder();
    write(b, value);
    return b.toString();
  }

  /** JSON text already checked to be one value (a log line as parsed), written as it is. */
  record Raw(String json) {}

  static void write(StringBuilder b, Object value) {
    if (value == null) {
      b.append("null");
    } else if (value instanceof Raw raw) {
      b.append(raw.json());
    } else if (value instanceof CharSequence text) {
      quote(b, text);
    } else if (value instanceof Boolean || value instanceof Long || value instanceof Integer
        || value instanceof BigDecimal) {
      b.append(value);
    } else if (value instanceof Double d) {
      if (d.isNaN() || d.isInfinite()) {
        quote(b, d.toString());
      } else {
        b.append(BigDecimal.valueOf(d).stripTrailingZeros().toPlainString());
      }
    } else if (value instanceof Map<?, ?> map) {
      b.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (!first) {
          b.append(',');
        }
        first = false;
        quote(b, String.valueOf(e.getKey()));
        b.append(':');
        write(b, e.getValue());
      }
      b.append('}');
    } else if (value instanceof Iterable<?> items) {
      b.append('[');
      boolean first = true;
      for (Object item : items) {
        if (!first) {
          b.append(',');
        }
        first = false;
        write(b, item);
      }
      b.append(']');
    } else {
      quote(b, value.toString());
    }
  }

  static void quote(StringBuilder b, CharSequence text) {
    b.append('"');
    for (int k = 0; k < text.length(); k++) {
      char c = text.charAt(k);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20 || Character.isSurrogate(c) && !validSurrogate(text, k)) {
            b.append(c < 0x20 ? String.format("\\u%04x", (int) c) : "\ufffd");
          } else {
            b.append(c);
          }
        }
      }
    }
    b.append('"');
  }

  private static boolean validSurrogate(CharSequence text, int k) {
    char c = text.charAt(k);
    if (Character.isHighSurrogate(c)) {
      return k + 1 < text.length() && Character.isLowSurrogate(text.charAt(k + 1));
    }
    return k > 0 && Character.isHighSurrogate(text.charAt(k - 1));
  }
}
