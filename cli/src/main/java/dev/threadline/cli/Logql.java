package dev.threadline.cli;

import java.time.Duration;
import java.util.List;
import java.util.StringJoiner;

/**
 * The LogQL the tool sends, in one place, written against the names the appender and the ops kit's Alloy pipeline
 * give Loki: the stream labels {@code service}, {@code env} and {@code level}, and the structured metadata
 * {@code requestId}, {@code trace_id} and {@code error_fingerprint}, which a query filters on without a parser.
 * README's "threadline: the terminal" section lists these queries, and the ops module's grammar check parses them.
 */
final class Logql {

  private Logql() {}

  /** The stream selector for the filters given: {@code {service=~".+"}} when no service is named. */
  static String selector(List<String> services, String env, List<String> levels) {
    StringJoiner matchers = new StringJoiner(", ", "{", "}");
    if (services.isEmpty()) {
      matchers.add("service=~\".+\"");
    } else if (services.size() == 1) {
      matchers.add("service=" + quote(services.get(0)));
    } else {
      StringJoiner alternatives = new StringJoiner("|");
      services.forEach(s -> alternatives.add(regexLiteral(s)));
      matchers.add("service=~" + quote(alternatives.toString()));
    }
    if (env != null) {
      matchers.add("env=" + quote(env));
    }
    if (!levels.isEmpty()) {
      matchers.add(levels.size() == 1 ? "level=" + quote(levels.get(0))
          : "level=~" + quote(String.join("|", levels)));
    }
    return matchers.toString();
  }

  /** Every line of a request or trace: a line filter first (cheap, on the chunk's text), then the metadata. */
  static String trace(String selector, String id) {
    return selector + " |= " + quote(id) + " | requestId=" + quote(id) + " or trace_id=" + quote(id);
  }

  /**
   * The lines that contain the id as text: what {@code trace} falls back to when the lines carry no structured
   * metadata (the appender's {@code structuredMetadata} off, or a Loki before 3.0); the tool keeps those whose
   * {@code requestId} or {@code trace_id} is the id.
   */
  static String containing(String selector, String id) {
    return selector + " |= " + quote(id);
  }

  /** Error events (error and warn lines with an exception), as the ops kit's dashboards and alerts count them. */
  static String errorSelector(List<String> services, String env) {
    return selector(services, env, List.of("error", "warn"));
  }

  /** The error events of each service and fingerprint in the {@code window} before the query's time. */
  static String errorCounts(String errorSelector, Duration window) {
    return "sum by (service, error_fingerprint) (count_over_time(" + errorSelector + " | error_fingerprint!=\"\" ["
        + duration(window) + "]))";
  }

  /** The fingerprints seen in the 7 days before the window: what {@code --new} leaves out. */
  static String fingerprintsBefore(String errorSelector, Duration window, Duration lookBack) {
    return "sum by (error_fingerprint) (count_over_time(" + errorSelector + " | error_fingerprint!=\"\" ["
        + duration(lookBack) + "] offset " + duration(window) + "))";
  }

  /** The error events of one fingerprint. */
  static String fingerprint(String errorSelector, String fingerprint) {
    return errorSelector + " | error_fingerprint=" + quote(fingerprint);
  }

  /**
   * The lines {@code tail} follows: a selector, and the request's id as text when one is named (the tool keeps the
   * lines whose {@code requestId} or {@code trace_id} is the id, with or without structured metadata).
   */
  static String tail(String selector, String requestId) {
    return requestId == null ? selector : containing(selector, requestId);
  }

  /** A LogQL double-quoted string. */
  static String quote(String value) {
    StringBuilder b = new StringBuilder(value.length() + 2).append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\t' -> b.append("\\t");
        default -> b.append(c);
      }
    }
    return b.append('"').toString();
  }

  /** {@code value} as a regular expression that matches only itself (RE2 syntax). */
  static String regexLiteral(String value) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if ("\\.+*?()|[]{}^$".indexOf(c) >= 0) {
        b.append('\\');
      }
      b.append(c);
    }
    return b.toString();
  }

  /** A LogQL duration: whole days from a week up ({@code 7d}), else the largest whole {@code h}, {@code m} or {@code s}. */
  static String duration(Duration d) {
    long s = Math.max(1, d.toSeconds());
    if (s % 86_400 == 0 && s >= 7 * 86_400) {
      return s / 86_400 + "d";
    }
    if (s % 3_600 == 0) {
      return s / 3_600 + "h";
    }
    if (s % 60 == 0) {
      return s / 60 + "m";
    }
    return s + "s";
  }
}
