package dev.threadline.logback;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;

/**
 * Writes an instant as ISO-8601 UTC with microseconds: {@code 2026-11-22T03:04:05.123456Z}. The date part is
 * computed once per day and cached; the rest is arithmetic, so writing a timestamp allocates nothing.
 */
final class TimestampWriter {

  private static final class Day {
    final long epochDay;
    final byte[] prefix; // "\"2026-11-22T"

    Day(long epochDay) {
      this.epochDay = epochDay;
      this.prefix = ("\"" + LocalDate.ofEpochDay(epochDay) + "T").getBytes(StandardCharsets.US_ASCII);
    }
  }

  private volatile Day day = new Day(0);

  /** Writes the quoted timestamp of {@code instant}. */
  void write(JsonBuffer out, Instant instant) {
    long seconds = instant.getEpochSecond();
    long epochDay = Math.floorDiv(seconds, 86_400L);
    Day cached = day;
    if (cached.epochDay != epochDay) {
      cached = new Day(epochDay);
      day = cached;
    }
    out.raw(cached.prefix);
    int secondOfDay = (int) Math.floorMod(seconds, 86_400L);
    out.padded(secondOfDay / 3600, 2);
    out.raw((byte) ':');
    out.padded((secondOfDay / 60) % 60, 2);
    out.raw((byte) ':');
    out.padded(secondOfDay % 60, 2);
    out.raw((byte) '.');
    out.padded(instant.getNano() / 1000, 6);
    out.raw((byte) 'Z');
    out.raw((byte) '"');
  }
}
