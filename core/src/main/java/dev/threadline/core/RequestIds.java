package dev.threadline.core;

import dev.threadline.core.internal.HeaderValues;
import dev.threadline.core.internal.Hex;
import java.time.Clock;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The request-id rule and the default request-id generator.
 *
 * <h2>What a request id may be</h2>
 * A received request id is accepted when, after trimming surrounding spaces and tabs, it is 1 to
 * {@value #MAX_LENGTH} characters, each one of {@code A-Z a-z 0-9 . _ : + / = -}. That admits UUIDs, ULIDs,
 * base64 (standard and URL-safe) and the ids of common proxies and load balancers, and refuses everything that
 * could forge or break a log line: quotes, backslashes, control characters, spaces, non-ASCII. A refused value is
 * replaced by a fresh id and is never written anywhere.
 *
 * <h2>The default format</h2>
 * {@link #timeOrdered()} makes 20-character ids from the lowercase Crockford base-32 alphabet
 * ({@code 0123456789abcdefghjkmnpqrstvwxyz}, no {@code i l o u}): 10 characters of the Unix time in milliseconds,
 * then 10 characters (50 bits) of randomness, for example {@code 01kaq3m9z8r5w2f7c0x4}. Sorting the ids as
 * strings sorts them by creation time to the millisecond; they are URL-safe, case-insensitive, and need no
 * escaping in JSON, headers or LogQL.
 *
 * @since 0.1.0
 */
public final class RequestIds {

  /** The longest request id accepted from a caller. */
  public static final int MAX_LENGTH = 128;

  private static final char[] CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz".toCharArray();
  private static final RequestIdGenerator TIME_ORDERED = timeOrdered(Clock.systemUTC());

  private RequestIds() {}

  /** The default generator: 20-character, time-ordered, URL-safe ids (see the class documentation). */
  public static RequestIdGenerator timeOrdered() {
    return TIME_ORDERED;
  }

  /** The default generator reading time from {@code clock}, for tests. */
  static RequestIdGenerator timeOrdered(Clock clock) {
    return () -> {
      char[] out = new char[20];
      long millis = clock.millis();
      for (int i = 9; i >= 0; i--) {
        out[i] = CROCKFORD[(int) (millis & 31)];
        millis >>>= 5;
      }
      long random = ThreadLocalRandom.current().nextLong();
      for (int i = 19; i >= 10; i--) {
        out[i] = CROCKFORD[(int) (random & 31)];
        random >>>= 5;
      }
      return new String(out);
    };
  }

  /** Whether {@code id} is an acceptable request id as it stands (no trimming). */
  public static boolean isValid(CharSequence id) {
    if (id == null || id.length() == 0 || id.length() > MAX_LENGTH) {
      return false;
    }
    int bad = 0;
    for (int i = 0; i < id.length(); i++) {
      bad |= Hex.notIn(id.charAt(i), ALLOWED_LOW, ALLOWED_HIGH);
    }
    return bad == 0;
  }

  /**
   * The request id to use for a received header value: the value without surrounding spaces and tabs when it is
   * {@linkplain #isValid valid}, otherwise {@code null}.
   */
  public static String sanitize(String received) {
    if (received == null) {
      return null;
    }
    String trimmed = HeaderValues.trimOws(received);
    return isValid(trimmed) ? trimmed : null;
  }

  /**
   * The characters a request id may hold, as a 128-bit set for {@link Hex#notIn} (one test per character without a
   * branch on it: ids are random): ASCII letters and digits and {@code . _ : + / = -}.
   */
  private static final long ALLOWED_LOW;
  private static final long ALLOWED_HIGH;

  static {
    long low = 0;
    long high = 0;
    for (char c = 0; c < 128; c++) {
      boolean allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || ".:_+/=-".indexOf(c) >= 0;
      if (allowed && c < 64) {
        low |= 1L << c;
      } else if (allowed) {
        high |= 1L << (c - 64);
      }
    }
    ALLOWED_LOW = low;
    ALLOWED_HIGH = high;
  }
}
