package dev.threadline.loki;

import java.util.List;
import java.util.function.ToLongFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads Loki's answer to a push it partly refused. Loki validates each stream and each entry, stores what passes and
 * answers 400 with what it refused: one message, or the messages grouped as {@code "N errors like: <message>"}
 * joined by {@code "; "} (grafana/loki {@code pkg/util/errors}, {@code GroupedErrors}). An entry-level message (too
 * old, too new, too long, structured metadata over its limits) stands for one entry; a stream-level one (its labels)
 * for every entry of that stream in the push; the ingester's {@code "total ignored: N out of M"} for N. Anything
 * else (a gateway's 400, a request Loki could not decode) refused the whole push.
 */
final class LokiRefusal {

  private static final Pattern GROUP = Pattern.compile("^(\\d+) errors like: ");
  private static final Pattern IGNORED = Pattern.compile("total ignored: (\\d+) out of (\\d+)");
  private static final String[] ENTRY_LEVEL = {
      "has timestamp too old", "has timestamp too new", "max entry size", "structured metadata too large",
      "too many structured metadata", "includes structured metadata, but this feature is disallowed",
      "entry too far behind", "entry out of order"};
  private static final String[] STREAM_LEVEL = {
      "error parsing labels '", "label names; limit", "has label name too long", "has label value too long",
      "has duplicate label name", "missing required labels"};

  private LokiRefusal() {
  }

  /**
   * How many of {@code batch}'s entries Loki refused, by its 400 text; the whole batch when the text cannot be read
   * as Loki's validation errors (or was cut short).
   */
  static int refused(String text, boolean complete, List<LokiRecord> batch) {
    return refused(text, complete, batch.size(), entriesByStream(batch));
  }

  /** A stream's entries in {@code batch}, by its label text. */
  static ToLongFunction<String> entriesByStream(List<LokiRecord> batch) {
    return labels -> batch.stream().filter(r -> r.labels.text().equals(labels)).count();
  }

  /**
   * How many of a push's {@code total} entries Loki refused, by its 400 text, where {@code entriesOfStream} gives a
   * stream's entries by its label text; {@code total} when the text cannot be read as Loki's validation errors.
   */
  static int refused(String text, boolean complete, int total, ToLongFunction<String> entriesOfStream) {
    if (!complete || text == null || text.isBlank()) {
      return total;
    }
    long refused = 0;
    for (String group : text.strip().split("; (?=\\d+ errors like: )")) {
      long n = 1;
      Matcher counted = GROUP.matcher(group);
      String message = group;
      if (counted.find()) {
        n = Long.parseLong(counted.group(1));
        message = group.substring(counted.end());
      }
      long each = entries(message, entriesOfStream);
      if (each < 0) {
        return total;
      }
      refused += n * each;
    }
    return (int) Math.min(refused, total);
  }

  /** The entries one message stands for; -1 when it is not one of Loki's validation messages. */
  private static long entries(String message, ToLongFunction<String> entriesOfStream) {
    Matcher ignored = IGNORED.matcher(message);
    if (ignored.find()) {
      return Long.parseLong(ignored.group(1));
    }
    String lower = message.toLowerCase(java.util.Locale.ROOT);
    for (String entry : ENTRY_LEVEL) {
      if (lower.contains(entry)) {
        return 1;
      }
    }
    for (String stream : STREAM_LEVEL) {
      if (lower.contains(stream)) {
        String labels = quotedStream(message);
        if (labels == null) {
          return -1;
        }
        long count = entriesOfStream.applyAsLong(labels);
        return count == 0 ? -1 : count;
      }
    }
    return -1;
  }

  /** The label text in the message's first {@code '{…}'}. */
  private static String quotedStream(String message) {
    int start = message.indexOf("'{");
    if (start < 0) {
      return null;
    }
    int end = message.indexOf("}'", start);
    return end < 0 ? null : message.substring(start + 1, end + 1);
  }
}
