package dev.threadline.logback;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TimestampWriterTest {

  private static final DateTimeFormatter ISO_MICROS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

  @Test
  void everyInstantIsWrittenAsIsoUtcWithMicroseconds_whetherItsSecondIsCachedOrNot() {
    TimestampWriter writer = new TimestampWriter();
    JsonBuffer out = new JsonBuffer(64);
    SplittableRandom random = new SplittableRandom(19);
    Instant previous = Instant.parse("2026-03-14T23:59:59.999999Z");
    for (int i = 0; i < 100_000; i++) {
      // Mostly the same or the next second (as lines arrive), sometimes anywhere from 1970 to 2999.
      Instant instant;
      switch (random.nextInt(4)) {
        case 0:
          instant = previous.plusNanos(random.nextInt(1_000_000));
          break;
        case 1:
          instant = Instant.ofEpochSecond(previous.getEpochSecond() + 1, random.nextInt(1_000_000_000));
          break;
        case 2:
          instant = Instant.ofEpochSecond(random.nextLong(0, 32_503_680_000L), random.nextInt(1_000_000_000));
          break;
        default:
          instant = previous;
      }
      out.reset();
      writer.write(out, instant);
      assertThat(new String(out.bytes, 0, out.size, StandardCharsets.US_ASCII))
          .isEqualTo("\"" + ISO_MICROS.format(instant) + "\"");
      previous = instant;
    }
  }
}
