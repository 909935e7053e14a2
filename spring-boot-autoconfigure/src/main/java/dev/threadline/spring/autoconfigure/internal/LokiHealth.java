package dev.threadline.spring.autoconfigure.internal;

import dev.threadline.loki.LokiAppender;
import dev.threadline.loki.LokiStats;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the Loki health contributors of both Spring Boot lines report (their {@code Health} types live in different
 * packages): a status code and details, the same on both.
 *
 * <ul>
 *   <li>UP while the appender runs, whatever Loki answers: logs that cannot reach Loki are not a reason to restart the
 *       application, so an unreachable or refusing Loki shows in {@code lastError} and the counters, not the status;</li>
 *   <li>DOWN when the appender is started and not off but its sender thread is not running (it died, and could not be
 *       restarted): nothing more will be shipped until the application restarts;</li>
 *   <li>UNKNOWN, with a {@code reason}, when Loki is off (a blank url) or there is no running appender.</li>
 * </ul>
 *
 * <p>The details are the appender's counters ({@link LokiStats}) and its name; {@code lastError} is the appender's
 * short, sanitized summary (never Loki's raw answer, never a secret). A spill directory that cannot be used does not
 * change the status either: the appender runs memory-only, which {@code spillStatus} and {@code spillError} say.
 */
public final class LokiHealth {

  /** The {@code reason} detail of an UNKNOWN health, when the appender is not running. */
  public static final String NOT_RUNNING = "the Loki appender is not running";

  /** The {@code reason} detail of an UNKNOWN health, when a blank threadline.loki.url switched Loki off. */
  public static final String OFF = "Loki is off: threadline.loki.url is blank";

  /**
   * A status code ({@code UP}, {@code DOWN}, {@code UNKNOWN}) and its details.
   *
   * @param status the status code, as both Boot lines' {@code Health.status(String)} take it
   * @param details the details, in a stable order
   */
  public record Report(String status, Map<String, Object> details) {
  }

  private LokiHealth() {
  }

  /**
   * The report for an application's Loki shipping; reads the counters once, no other work.
   *
   * @param shipping the application's Loki shipping
   * @return its report
   */
  public static Report of(LokiShipping shipping) {
    if (shipping.isOff()) {
      return new Report("UNKNOWN", Map.of("reason", OFF));
    }
    LokiAppender appender = shipping.appender();
    if (appender == null || !appender.isStarted()) {
      return new Report("UNKNOWN", Map.of("reason", NOT_RUNNING));
    }
    LokiStats stats = appender.stats();
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("appender", appender.getName());
    details.putAll(details(stats));
    return new Report(status(appender.isStarted(), appender.isOff(), stats), details);
  }

  /**
   * The status of an appender: DOWN when it is started and not off but its sender is not running, UNKNOWN when it is
   * not started or off, UP otherwise.
   *
   * @param started whether the appender is started
   * @param off whether the appender is off (no url)
   * @param stats its counters
   * @return {@code UP}, {@code DOWN} or {@code UNKNOWN}
   */
  public static String status(boolean started, boolean off, LokiStats stats) {
    if (!started || off) {
      return "UNKNOWN";
    }
    return stats.senderRunning() ? "UP" : "DOWN";
  }

  /**
   * The counters as details, in a stable order: appended, sent, dropped (all causes), then each cause
   * (droppedQueueFull, droppedTooLarge, droppedRejected, droppedRetriesExhausted, droppedFailed, droppedAtShutdown),
   * unconfirmed, pending, retries, retriedAfterTimeout, bytesSent, queuedBytes, mdcLabelOverflow, senderRunning,
   * senderRestarts, lastSendMillis, lastError when there was one, then the spill's: spilled, spillPending, recovered,
   * droppedTooOld (a cause, counted in dropped too), spillBytes, spillTornBytes, spillStatus ({@code off},
   * {@code on} or {@code memory-only}), and spillError when the spill could not be used or last failed.
   *
   * @param stats the appender's counters
   * @return a new mutable map
   */
  public static Map<String, Object> details(LokiStats stats) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("appended", stats.appended());
    details.put("sent", stats.sent());
    details.put("dropped", stats.dropped());
    details.put("droppedQueueFull", stats.droppedQueueFull());
    details.put("droppedTooLarge", stats.droppedTooLarge());
    details.put("droppedRejected", stats.droppedRejected());
    details.put("droppedRetriesExhausted", stats.droppedRetriesExhausted());
    details.put("droppedFailed", stats.droppedFailed());
    details.put("droppedAtShutdown", stats.droppedAtShutdown());
    details.put("unconfirmed", stats.unconfirmed());
    details.put("pending", stats.pending());
    details.put("retries", stats.retries());
    details.put("retriedAfterTimeout", stats.retriedAfterTimeout());
    details.put("bytesSent", stats.bytesSent());
    details.put("queuedBytes", stats.queuedBytes());
    details.put("mdcLabelOverflow", stats.mdcLabelOverflow());
    details.put("senderRunning", stats.senderRunning());
    details.put("senderRestarts", stats.senderRestarts());
    details.put("lastSendMillis", stats.lastSendMillis());
    if (stats.lastError() != null) {
      details.put("lastError", stats.lastError());
    }
    details.put("spilled", stats.spilled());
    details.put("spillPending", stats.spillPending());
    details.put("recovered", stats.recovered());
    details.put("droppedTooOld", stats.droppedTooOld());
    details.put("spillBytes", stats.spillBytes());
    details.put("spillTornBytes", stats.spillTornBytes());
    details.put("spillStatus", stats.spillStatus());
    if (stats.spillError() != null) {
      details.put("spillError", stats.spillError());
    }
    return details;
  }
}
