package dev.threadline.loki;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One stream's labels: names and values in a fixed order, and their Loki text form ({@code {service="api",
 * level="info"}}, values escaped as Prometheus does) made once. The protobuf writer sends the text; the JSON writer
 * reads the names and values. Immutable; equal when the text is.
 */
final class LabelSet {

  private final String[] names;
  private final String[] values;
  private final String text;
  private final byte[] utf8;

  LabelSet(String[] names, String[] values) {
    this.names = names.clone();
    this.values = values.clone();
    this.text = format(this.names, this.values);
    this.utf8 = text.getBytes(StandardCharsets.UTF_8);
  }

  int size() {
    return names.length;
  }

  String name(int i) {
    return names[i];
  }

  String value(int i) {
    return values[i];
  }

  /** The label set in Loki's text form. */
  String text() {
    return text;
  }

  /** {@link #text()} in UTF-8; shared, never to be written. */
  byte[] utf8() {
    return utf8;
  }

  /** This set with {@code name=value} pairs appended, in the order given. */
  LabelSet with(String[] extraNames, String[] extraValues, int count) {
    String[] n = Arrays.copyOf(names, names.length + count);
    String[] v = Arrays.copyOf(values, values.length + count);
    System.arraycopy(extraNames, 0, n, names.length, count);
    System.arraycopy(extraValues, 0, v, values.length, count);
    return new LabelSet(n, v);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof LabelSet && ((LabelSet) other).text.equals(text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }

  @Override
  public String toString() {
    return text;
  }

  private static String format(String[] names, String[] values) {
    StringBuilder out = new StringBuilder("{");
    for (int i = 0; i < names.length; i++) {
      if (i > 0) {
        out.append(", ");
      }
      out.append(names[i]).append("=\"");
      String v = values[i];
      for (int j = 0; j < v.length(); j++) {
        char c = v.charAt(j);
        if (c == '\\' || c == '"') {
          out.append('\\').append(c);
        } else if (c == '\n') {
          out.append("\\n");
        } else {
          out.append(c);
        }
      }
      out.append('"');
    }
    return out.append('}').toString();
  }
}
