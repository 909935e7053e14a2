package dev.threadline.logback;

import java.time.Instant;
import java.time.LocalDate;

/**
 * Writes an instant as ISO-8601 UTC with microseconds: {@code 2026-11-22T03:04:05.123456Z}. Everything up to the
 * fraction ({@code "2026-11-22T03:04:05.}) is computed once per second and cached, since the lines of a busy service
 * share their second; the fraction is arithmetic, so writing a timestamp allocates nothing but, once a second, the
 * cached prefix.
 */
final class TimestampWriter {

  private static final class Second {
    final long epochSecond;
    final byte[] prefix; // "\"2026-11-22T03:04:05."

    Second(long epochSecond) {
      this.epochSecond = epochSecond;
      long epochDay = Math.floorDiv(epochSecond, 86_400L);
      int secondOfDay = (int) Math.floorMod(epochSecond, 86_400L);
      JsonBuffer b = new JsonBuffer(32);
      b.raw((byte) '"');
      b.ascii(LocalDate.ofEpochDay(epochDay).toString());
      b.raw((byte) 'T');
      b.padded(secondOfDay / 3600, 2);
      b.raw((byte) ':');
      b.padded((secondOfDay / 60) % 60, 2);
      b.raw((byte) ':');
      b.padded(secondOfDay % 60, 2);
      b.raw((byte) '.');
      this.prefix = b.toByteArray();
    }
  }

  /** Immutable, so threads may replace it freely; a racing writer at worst computes a second twice. */
  private volatile Second second = new Second(0);

  /** Writes the quoted timestamp of {@code instant}. */
  void write(JsonBuffer out, Instant instant) {
    long seconds = instant.getEpochSecond();
    Second cached = second;
    if (cached.epochSecond != seconds) {
      cached = new Second(seconds);
      second = cached;
    }
    out.raw(cached.prefix);
    out.padded(instant.getNano() / 1000, 6);
    out.raw((byte) 'Z');
    out.raw((byte) '"');
  }
}
