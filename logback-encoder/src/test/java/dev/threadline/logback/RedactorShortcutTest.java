package dev.threadline.logback;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Redactor#mayHoldSecret}, the shortcut that skips the scan for short values without {@code @}, {@code :} or
 * {@code =}, never changes what is redacted: on many short strings made of secrets' pieces, {@code redact} gives
 * exactly what the scan without the shortcut gives.
 */
class RedactorShortcutTest {

  private static final String[] PIECES = {
      "4222222222222", "422222222222", "4", "1", "0", " ", "-", "@", "a@b.io", "x.y", ":", "=", "//", "pwd", "auth",
      "Bearer ", "basic ", "abcdefgh", "eyJ", "AKIA", "ghp_", "xoxb-", "sk_live_", "-----BEGIN ", "e", "b", "B", "A",
      "g", "x", "s", "r", "é", "\u2028", "\t",
  };

  @Test
  void theShortcutNeverSkipsAValueTheScanWouldChange() {
    Redactor redactor = Redactor.defaults();
    SplittableRandom random = new SplittableRandom(19);
    int skipped = 0;
    int changedByTheScan = 0;
    for (int i = 0; i < 200_000; i++) {
      StringBuilder s = new StringBuilder();
      int pieces = 1 + random.nextInt(4);
      for (int k = 0; k < pieces; k++) {
        s.append(PIECES[random.nextInt(PIECES.length)]);
      }
      String value = s.length() > 16 ? s.substring(0, 8 + random.nextInt(9)) : s.toString();
      String expected = redactor.redactWithoutShortcut(value);
      assertThat(redactor.redact(value)).as(value).isEqualTo(expected);
      if (!Redactor.mayHoldSecret(value)) {
        skipped++;
      }
      if (!expected.equals(value)) {
        changedByTheScan++;
      }
    }
    // The corpus exercises both sides: values the shortcut answers, and values with secrets in them.
    assertThat(skipped).isGreaterThan(20_000);
    assertThat(changedByTheScan).isGreaterThan(5_000);
  }

  @Test
  void aThirteenDigitCardIsNeverSkipped() {
    assertThat(Redactor.mayHoldSecret("4222222222222")).isTrue();
    assertThat(Redactor.defaults().redact("4222222222222")).isEqualTo(Redactor.REDACTED);
    assertThat(Redactor.mayHoldSecret("a@b.io")).isTrue();
    assertThat(Redactor.mayHoldSecret("eu-west-1")).isFalse();
  }
}
