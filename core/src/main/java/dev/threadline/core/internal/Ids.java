package dev.threadline.core.internal;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Trace and span ids as W3C Trace Context defines them: a trace id is 32 lowercase hex digits, a span id 16,
 * and neither is ever all zeros.
 *
 * <p>Ids come from {@link ThreadLocalRandom}: each thread has its own generator, so id generation never contends
 * between threads. They are random, not cryptographically unpredictable; trace ids are not secrets. Every bit of
 * a generated trace id is random, which is what the W3C level-2 {@code random} trace flag promises.
 */
public final class Ids {

  /** Length of a trace id in hex characters. */
  public static final int TRACE_ID_LENGTH = 32;

  /** Length of a span id in hex characters. */
  public static final int SPAN_ID_LENGTH = 16;

  private Ids() {}

  /** A new random trace id: 32 lowercase hex characters, never all zeros. Costs two random longs. */
  public static String newTraceId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long high = random.nextLong();
    long low;
    do {
      low = random.nextLong();
    } while (high == 0 && low == 0);
    char[] out = new char[TRACE_ID_LENGTH];
    Hex.writeLong(high, out, 0);
    Hex.writeLong(low, out, 16);
    return new String(out);
  }

  /** A new random span id: 16 lowercase hex characters, never all zeros. */
  public static String newSpanId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long id;
    do {
      id = random.nextLong();
    } while (id == 0);
    char[] out = new char[SPAN_ID_LENGTH];
    Hex.writeLong(id, out, 0);
    return new String(out);
  }

  /** Whether {@code id} is a valid W3C trace id: 32 lowercase hex characters, not all zeros. */
  public static boolean isValidTraceId(CharSequence id) {
    return id != null && id.length() == TRACE_ID_LENGTH && Hex.isValidId(id, 0, TRACE_ID_LENGTH);
  }

  /** Whether {@code id} is a valid W3C span id: 16 lowercase hex characters, not all zeros. */
  public static boolean isValidSpanId(CharSequence id) {
    return id != null && id.length() == SPAN_ID_LENGTH && Hex.isValidId(id, 0, SPAN_ID_LENGTH);
  }
}
