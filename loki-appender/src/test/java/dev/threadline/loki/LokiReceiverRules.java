package dev.threadline.loki;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The checks Loki's distributor makes on a decoded push (grafana/loki {@code pkg/distributor/distributor.go} and
 * {@code validator.go}, messages from {@code pkg/validation/validate.go}), with Loki's default limits.
 *
 * <p>Like Loki it validates per stream and per entry and keeps what passes: a stream with no entries is skipped
 * unchecked; a stream whose labels fail loses all its entries; an entry that fails is dropped alone. The outcome
 * carries the entries kept and the errors seen, grouped as Loki groups them, which Loki returns as a 400 after
 * storing the rest. Lengths
 * are UTF-8 bytes, as Go's {@code len}.
 */
final class LokiReceiverRules {

  /** {@code max_label_names_per_series}; a {@code service_name} label is not counted, as in Loki. */
  static final int MAX_LABEL_NAMES_PER_SERIES = 15;
  /** {@code max_label_name_length}. */
  static final int MAX_LABEL_NAME_LENGTH = 1024;
  /** {@code max_label_value_length}. */
  static final int MAX_LABEL_VALUE_LENGTH = 2048;
  /** {@code max_line_size}: 256 KiB. */
  static final int DEFAULT_MAX_LINE_BYTES = 256 * 1024;
  /** {@code max_structured_metadata_size}: 64 KiB of names plus values per entry. */
  static final int MAX_STRUCTURED_METADATA_BYTES = 64 * 1024;
  /** {@code max_structured_metadata_entries_count}. */
  static final int MAX_STRUCTURED_METADATA_COUNT = 128;
  /** {@code reject_old_samples_max_age}. */
  static final Duration REJECT_OLD_SAMPLES_MAX_AGE = Duration.ofHours(168);
  /** {@code creation_grace_period}. */
  static final Duration CREATION_GRACE_PERIOD = Duration.ofMinutes(10);

  private static final DateTimeFormatter RFC3339 =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssXXX").withZone(ZoneOffset.UTC);

  /** An entry that passed, with its stream's parsed labels (sorted). */
  record Kept(Map<String, String> labels, LokiReceiverPush.Entry entry) {
  }

  /** What a push leaves: the entries kept, in request order, and Loki's error text (grouped), or null if none. */
  record Outcome(List<Kept> kept, String lastError) {
  }

  private final int maxLineBytes;
  private final Clock clock;

  /** {@code maxLineBytes} 0 disables the line limit, as Loki's {@code max_line_size: 0} does. */
  LokiReceiverRules(int maxLineBytes, Clock clock) {
    this.maxLineBytes = maxLineBytes;
    this.clock = clock;
  }

  /** {@code max_chunk_age / 2}: how far behind its stream's newest entry an entry may be. */
  static final Duration OUT_OF_ORDER_WINDOW = Duration.ofHours(1);

  /** The newest timestamp each stream has stored, by tenant and label text. */
  private final Map<String, Long> newestByStream = new java.util.HashMap<>();

  synchronized Outcome apply(String tenant, List<LokiReceiverPush.Stream> streams) {
    Instant now = clock.instant();
    long oldest = nanos(now.minus(REJECT_OLD_SAMPLES_MAX_AGE));
    long newest = nanos(now.plus(CREATION_GRACE_PERIOD));
    List<Kept> kept = new ArrayList<>();
    Map<String, Integer> errors = new LinkedHashMap<>();
    String lastError = null;
    for (LokiReceiverPush.Stream stream : streams) {
      if (stream.entries().isEmpty()) {
        continue;
      }
      List<LokiReceiverPush.Pair> labels;
      try {
        labels = LokiReceiverLabels.parse(stream.labels());
      } catch (LokiReceiverLabels.ParseException e) {
        lastError = invalidLabels(stream.labels(), e.getMessage());
        errors.merge(lastError, 1, Integer::sum);
        continue;
      }
      String labelError = validateLabels(stream.labels(), labels);
      if (labelError != null) {
        lastError = labelError;
        errors.merge(lastError, 1, Integer::sum);
        continue;
      }
      String normalized = LokiReceiverLabels.format(labels);
      Map<String, String> labelMap = new LinkedHashMap<>();
      labels.forEach(pair -> labelMap.put(pair.name(), pair.value()));
      Map<String, String> unmodifiable = Collections.unmodifiableMap(labelMap);
      String key = tenant + "|" + normalized;
      StringBuilder ignored = new StringBuilder();
      int ignoredCount = 0;
      for (LokiReceiverPush.Entry entry : stream.entries()) {
        String entryError = validateEntry(normalized, entry, oldest, newest);
        if (entryError != null) {
          lastError = entryError;
          errors.merge(lastError, 1, Integer::sum);
          continue;
        }
        long ts = entry.timestampNanos();
        Long highest = newestByStream.get(key);
        long cutoff = highest == null ? Long.MIN_VALUE : highest - OUT_OF_ORDER_WINDOW.toNanos();
        if (ts < cutoff) {
          // The ingester's unordered-writes check (pkg/ingester/stream.go): stored entries stay, these are ignored.
          ignoredCount++;
          ignored.append(String.format("entry with timestamp %s ignored, reason: 'entry too far behind, entry"
              + " timestamp is: %s, oldest acceptable timestamp is: %s',%n", rfc3339(ts), rfc3339(ts),
              rfc3339(cutoff)));
          continue;
        }
        newestByStream.merge(key, ts, Math::max);
        kept.add(new Kept(unmodifiable, entry));
      }
      if (ignoredCount > 0) {
        lastError = ignored + String.format("user '%s', total ignored: %d out of %d for stream: %s", tenant,
            ignoredCount, stream.entries().size(), normalized);
        errors.merge(lastError, 1, Integer::sum);
      }
    }
    return new Outcome(kept, grouped(errors));
  }

  /**
   * The 400 text as Loki's main line writes it ({@code pkg/util/errors} GroupedErrors): one error alone as it is;
   * otherwise each distinct message as {@code "N errors like: <message>"}, joined by {@code "; "}.
   */
  private static String grouped(Map<String, Integer> errors) {
    if (errors.isEmpty()) {
      return null;
    }
    if (errors.size() == 1 && errors.values().iterator().next() == 1) {
      return errors.keySet().iterator().next();
    }
    StringBuilder text = new StringBuilder();
    errors.forEach((message, n) -> {
      if (text.length() > 0) {
        text.append("; ");
      }
      text.append(n).append(" errors like: ").append(message);
    });
    return text.toString();
  }

  private static String validateLabels(String original, List<LokiReceiverPush.Pair> labels) {
    // Stricter than Loki's parser, which accepts "__" names: they are reserved for Loki's own streams, and a client
    // must never send them (LOKI-FACTS.md).
    for (LokiReceiverPush.Pair pair : labels) {
      if (pair.name().startsWith("__")) {
        return invalidLabels(original, "invalid label name \"" + pair.name() + "\": names starting with __ are reserved");
      }
    }
    if (labels.isEmpty()) {
      return "error at least one label pair is required per stream";
    }
    int names = labels.size();
    if (labels.stream().anyMatch(pair -> pair.name().equals("service_name"))) {
      names--;
    }
    if (names > MAX_LABEL_NAMES_PER_SERIES) {
      return String.format("entry for stream '%s' has %d label names; limit %d", original, names,
          MAX_LABEL_NAMES_PER_SERIES);
    }
    String last = "";
    for (LokiReceiverPush.Pair pair : labels) {
      if (utf8Length(pair.name()) > MAX_LABEL_NAME_LENGTH) {
        return String.format("stream '%s' has label name too long: '%s'", original, pair.name());
      }
      if (utf8Length(pair.value()) > MAX_LABEL_VALUE_LENGTH) {
        return String.format("stream '%s' has label value too long: '%s'", original, pair.value());
      }
      if (pair.name().equals(last)) {
        return String.format("stream '%s' has duplicate label name: '%s'", original, pair.name());
      }
      last = pair.name();
    }
    return null;
  }

  private String validateEntry(String labels, LokiReceiverPush.Entry entry, long oldest, long newest) {
    long ts = entry.timestampNanos();
    if (ts < oldest) {
      return String.format("entry for stream '%s' has timestamp too old: %s, oldest acceptable timestamp is: %s",
          labels, rfc3339(ts), rfc3339(oldest));
    }
    if (ts > newest) {
      return String.format("entry for stream '%s' has timestamp too new: %s", labels, rfc3339(ts));
    }
    int lineBytes = utf8Length(entry.line());
    if (maxLineBytes != 0 && lineBytes > maxLineBytes) {
      return String.format(
          "Max entry size '%d' bytes exceeded for stream '%s' while adding an entry with length '%d' bytes",
          maxLineBytes, labels, lineBytes);
    }
    List<LokiReceiverPush.Pair> metadata = entry.structuredMetadata();
    if (!metadata.isEmpty()) {
      int size = 0;
      for (LokiReceiverPush.Pair pair : metadata) {
        size += utf8Length(pair.name()) + utf8Length(pair.value());
      }
      if (size > MAX_STRUCTURED_METADATA_BYTES) {
        return String.format("stream '%s' has structured metadata too large: '%d' bytes, limit: '%d' bytes. Please see "
            + "`limits_config.max_structured_metadata_size` or contact your Loki administrator to increase it.",
            labels, size, MAX_STRUCTURED_METADATA_BYTES);
      }
      if (metadata.size() > MAX_STRUCTURED_METADATA_COUNT) {
        return String.format("stream '%s' has too many structured metadata labels: '%d', limit: '%d'. Please see "
            + "`limits_config.max_structured_metadata_entries_count` or contact your Loki administrator to increase it.",
            labels, metadata.size(), MAX_STRUCTURED_METADATA_COUNT);
      }
    }
    return null;
  }

  private static String invalidLabels(String labels, String error) {
    return String.format("Error parsing labels '%s' with error: %s", labels, error);
  }

  private static String rfc3339(long nanos) {
    return RFC3339.format(Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L)));
  }

  private static long nanos(Instant instant) {
    return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
  }

  /** Go's {@code len} of the string's UTF-8 encoding, without encoding it. */
  static int utf8Length(String s) {
    int bytes = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        bytes++;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }
}
