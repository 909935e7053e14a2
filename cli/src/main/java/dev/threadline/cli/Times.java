package dev.threadline.cli;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Times as the tool reads them on its command line and prints them: UTC, as the schema's timestamps are. */
final class Times {

  private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSSSSS", Locale.ROOT)
      .withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT)
      .withZone(ZoneOffset.UTC);
  private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d|w)");

  private Times() {}

  /**
   * A duration as LogQL and logcli write one: {@code 30s}, {@code 15m}, {@code 24h}, {@code 7d}, {@code 1w},
   * {@code 1h30m}; also ISO-8601 ({@code PT15M}). Zero or negative is refused.
   */
  static Duration duration(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.startsWith("p")) {
      try {
        return positive(Duration.parse(text.trim()), text);
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("'" + text + "' is not a duration (write 30s, 15m, 24h, 7d or 1h30m)");
      }
    }
    Matcher m = PART.matcher(t);
    Duration total = Duration.ZERO;
    int at = 0;
    while (at < t.length() && m.find(at) && m.start() == at) {
      long n = Long.parseLong(m.group(1));
      total = total.plus(switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        case "d" -> Duration.ofDays(n);
        default -> Duration.ofDays(7 * n);
      });
      at = m.end();
    }
    if (t.isEmpty() || at != t.length()) {
      throw new IllegalArgumentException("'" + text + "' is not a duration (write 30s, 15m, 24h, 7d or 1h30m)");
    }
    return positive(total, text);
  }

  /** {@link #duration}, or null when {@code text} is not a duration. */
  static Duration tryDuration(String text) {
    try {
      return duration(text);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static Duration positive(Duration d, String text) {
    if (d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException("'" + text + "' is not a positive duration");
    }
    return d;
  }

  /** A point in time: an ISO-8601 instant ({@code 2026-12-07T04:00:00Z}), or a duration ago from {@code now}. */
  static Instant point(String text, Instant now) {
    try {
      return Instant.parse(text.trim());
    } catch (DateTimeParseException e) {
      try {
        return now.minus(duration(text));
      } catch (IllegalArgumentException notADuration) {
        throw new IllegalArgumentException("'" + text + "' is neither a duration (24h, 7d) nor a UTC time"
            + " (2026-12-07T04:00:00Z)");
      }
    }
  }

  static String clock(Instant time) {
    return CLOCK.format(time);
  }

  static String dateTime(Instant time) {
    return DATE_TIME.format(time);
  }

  static String seconds(Duration d) {
    return String.format(Locale.ROOT, "%.3f s", d.toNanos() / 1e9);
  }
}
