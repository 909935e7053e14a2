package dev.threadline.spring.autoconfigure.internal;

import dev.threadline.loki.LokiStats;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the Loki health contributors of both Spring Boot lines report (their {@code Health} types live in different
 * packages): the appender's counters and last error as details. Never a status: logs that cannot reach Loki are not a
 * reason to restart the application, so the contributors say UP or UNKNOWN, never DOWN.
 */
public final class LokiHealth {

  /** The {@code reason} detail of an UNKNOWN health, when the appender is not running. */
  public static final String NOT_RUNNING = "the Loki appender is not running";

  private LokiHealth() {
  }

  /**
   * The details of a running appender, in a stable order: sent, droppedQueueFull, droppedRejected, retries,
   * queuedBytes, and lastError when there was one.
   *
   * @param stats the appender's counters
   * @return a new mutable map
   */
  public static Map<String, Object> details(LokiStats stats) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("sent", stats.sent());
    details.put("droppedQueueFull", stats.droppedQueueFull());
    details.put("droppedRejected", stats.droppedRejected());
    details.put("retries", stats.retries());
    details.put("queuedBytes", stats.queuedBytes());
    if (stats.lastError() != null) {
      details.put("lastError", stats.lastError());
    }
    return details;
  }
}
