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

  private static final String[] WORDS = {
      "Shipping", "order", "ord-3k9x2", "for", "customer", "took", "ms", "the", "key", "they", "ask", "desk", "bearer",
      "Bearer", "basic", "Basic", "BASIC", "bear", "base", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl", "ey",
      "AKIAIOSFODNN7EXAMPLE", "AIzaSyA-1234567890abcdefghijklmnopqrstu", "ghp_0123456789abcdefghijABCDEFGHIJ0123456",
      "xoxb-1234-5678-abcdefgh", "sk_live_0123456789abcdefABCDEF", "rk_test_0123456789abcdef", "-----BEGIN", "--",
      "4111", "1111", "4111111111111111", "4111-1111-1111-1111", "4111 1111 1111 1111", "123456789012", "0", "-", " ",
      "user@example.com", "a@b", "redis://:pw@host", "https://u:p@h/x", "password=hunter2", "token: abc", "x=y",
      "\u00e9", "\u0661\u0662", "\uD83D\uDE00", "\t", "12", "345", "6789", "Authorization", "gi", "xo", "sk", "rk",
      "A", "e", "g", "x", "s", "r", "b", "B",
  };

  /**
   * The one-pass filter that lets long values skip the scan ({@code mayMatch}) never skips one the scan would change:
   * on text made of ordinary words, numbers, ids and every detector's secrets and near misses.
   */
  @Test
  void theLongValueFilterNeverSkipsAValueTheScanWouldChange() {
    Redactor redactor = Redactor.defaults();
    SplittableRandom random = new SplittableRandom(23);
    int changedByTheScan = 0;
    int unchanged = 0;
    for (int i = 0; i < 200_000; i++) {
      StringBuilder s = new StringBuilder();
      int words = 2 + random.nextInt(12);
      for (int k = 0; k < words; k++) {
        s.append(WORDS[random.nextInt(WORDS.length)]);
        int glue = random.nextInt(6);
        s.append(glue == 0 ? "" : glue == 1 ? "-" : glue == 2 ? "." : " ");
      }
      String value = s.toString();
      String expected = redactor.redactWithoutShortcut(value);
      assertThat(redactor.redact(value)).as(value).isEqualTo(expected);
      if (expected.equals(value)) {
        unchanged++;
      } else {
        changedByTheScan++;
      }
    }
    assertThat(changedByTheScan).isGreaterThan(20_000);
    assertThat(unchanged).isGreaterThan(20_000);
  }

  @Test
  void aThirteenDigitCardIsNeverSkipped() {
    assertThat(Redactor.mayHoldSecret("4222222222222")).isTrue();
    assertThat(Redactor.defaults().redact("4222222222222")).isEqualTo(Redactor.REDACTED);
    assertThat(Redactor.mayHoldSecret("a@b.io")).isTrue();
    assertThat(Redactor.mayHoldSecret("eu-west-1")).isFalse();
  }
}
