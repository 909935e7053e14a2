package dev.threadline.web.internal;

import java.util.Locale;
import org.slf4j.event.Level;

/**
 * What the inbound integrations (the servlet and WebFlux filters through AccessLog, the gRPC server interceptor) share of an access line: how a
 * duration is written, which level a status gets, how long a logged value may be.
 */
public final class AccessLines {

  private AccessLines() {
  }

  /** {@code nanos} in milliseconds, to the microsecond: the {@code duration_ms} field. */
  public static double millis(long nanos) {
    return Math.round(nanos / 1_000.0) / 1_000.0;
  }

  /** INFO below 400, {@code clientError} for 4xx, {@code serverError} for 5xx. */
  public static Level level(int status, Level clientError, Level serverError) {
    return status >= 500 ? serverError : status >= 400 ? clientError : Level.INFO;
  }

  /** {@code value} cut to {@code max} characters, marked with an ellipsis when cut. */
  public static String cap(String value, int max) {
    return value.length() <= max ? value : value.substring(0, max) + "…";
  }

  /** A level setting's value; the message names {@code setting}. */
  public static Level parseLevel(String value, String setting) {
    try {
      return Level.valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new IllegalArgumentException(setting + " must be TRACE, DEBUG, INFO, WARN or ERROR, not '" + value + "'");
    }
  }
}
