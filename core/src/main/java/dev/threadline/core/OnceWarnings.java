package dev.threadline.core;

import java.util.concurrent.atomic.AtomicLongArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bad input from outside (a malformed header) is reported once per kind and process, then only counted: a
 * misbehaving caller must not flood the logs. Messages never contain the received value.
 */
final class OnceWarnings {

  enum Kind {
    INVALID_TRACEPARENT("An invalid or duplicate traceparent header was received; a new trace was started"),
    INVALID_REQUEST_ID("An invalid request-id header was received (its value is not logged); a fresh id was used"),
    CARRIER_FAILED("A carrier getter or setter threw; propagation went on without it");

    final String message;

    Kind(String message) {
      this.message = message;
    }
  }

  private static final Logger LOG = LoggerFactory.getLogger("dev.threadline.core.Propagation");
  private static final AtomicLongArray COUNTS = new AtomicLongArray(Kind.values().length);

  private OnceWarnings() {}

  static void report(Kind kind) {
    if (COUNTS.getAndIncrement(kind.ordinal()) == 0) {
      try {
        LOG.warn("{}. This is logged once; later occurrences are only counted.", kind.message);
      } catch (RuntimeException ignored) {
        // A broken logging backend must not turn bad input into an exception for the application.
      }
    }
  }

  static long count(Kind kind) {
    return COUNTS.get(kind.ordinal());
  }
}
