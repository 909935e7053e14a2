package dev.threadline.cli;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;

/**
 * One Threadline log line (docs/schema.md), read back: the schema's keys the views need, the hop fields the web
 * integrations add, and the line's own JSON text for {@code --json}.
 *
 * <p>{@link #parse} finds the JSON object in a line that may carry a prefix a log collector added
 * ({@code kubectl logs --prefix}, the CRI log format {@code <time> stdout F }, {@code docker compose logs}'s
 * {@code service  | }); a line that is not a JSON object with the schema's required {@code timestamp} and
 * {@code level} is not a Threadline line, and is skipped and counted by the caller.
 */
record LogLine(
    Instant time,
    String timestamp,
    String level,
    String service,
    String env,
    String logger,
    String thread,
    String message,
    String requestId,
    String traceId,
    String spanId,
    String parentSpanId,
    Double durationMs,
    String method,
    String path,
    String targetHost,
    Object status,
    String errorType,
    String errorMessage,
    String fingerprint,
    String raw) {

  /** The logger the servlet, WebFlux and gRPC integrations write access lines to (web-filters' AccessLog). */
  static final String ACCESS_LOGGER = "dev.threadline.access";
  /** The logger the HTTP and gRPC client integrations write call lines to (web-filters' OutboundCalls). */
  static final String CALL_LOGGER = "dev.threadline.client";

  /** The line's Threadline object, or null when it holds none. {@code fallbackService} names a line without one. */
  static LogLine parse(String text, String fallbackService) {
    int open = text.indexOf('{');
    if (open < 0) {
      return null;
    }
    int end = text.length();
    while (end > open && Character.isWhitespace(text.charAt(end - 1))) {
      end--;
    }
    String raw = open == 0 && end == text.length() ? text : text.substring(open, end);
    Map<String, Object> json = Json.parseObject(raw);
    return json == null ? null : of(json, raw, fallbackService);
  }

  /** A Loki entry's line; its stream's {@code service} label names a line without one. Null when not Threadline. */
  static LogLine parse(LokiClient.Entry entry) {
    return parse(entry.line(), entry.labels().get("service"));
  }

  /** The line as parsed from {@code raw}; null when it lacks the schema's timestamp or level. */
  static LogLine of(Map<String, Object> json, String raw, String fallbackService) {
    String timestamp = text(json, "timestamp");
    String level = text(json, "level");
    if (timestamp == null || level == null || !json.containsKey("message")) {
      return null;
    }
    Instant time;
    try {
      time = Instant.parse(timestamp);
    } catch (DateTimeParseException e) {
      return null;
    }
    Object error = json.get("error");
    Map<?, ?> err = error instanceof Map<?, ?> m ? m : Map.of();
    String service = text(json, "service");
    Object duration = json.get("duration_ms");
    return new LogLine(time, timestamp, level.toLowerCase(Locale.ROOT),
        service != null ? service : fallbackService, text(json, "env"), text(json, "logger"), text(json, "thread"),
        text(json, "message"), text(json, "requestId"), text(json, "trace_id"), text(json, "span_id"),
        text(json, "parent_span_id"),
        duration instanceof Number n ? n.doubleValue() : null, text(json, "method"), text(json, "path"),
        text(json, "target_host"), json.get("status") instanceof String || json.get("status") instanceof Number
            ? json.get("status") : null,
        text(err, "type"), text(err, "message"), text(err, "fingerprint"), raw);
  }

  private static String text(Map<?, ?> json, String key) {
    Object value = json.get(key);
    if (value instanceof String s) {
      return s;
    }
    return value instanceof Number || value instanceof Boolean ? value.toString() : null;
  }

  /** Whether the line belongs to the request or trace {@code id}. */
  boolean belongsTo(String id) {
    return id.equals(requestId) || id.equals(traceId);
  }

  /**
   * An error event, as the ops kit's dashboards, alerts and recipes count them: a line at level error or warn that
   * carries a logged exception (so a fingerprint).
   */
  boolean isErrorEvent() {
    return fingerprint != null && !fingerprint.isEmpty() && ("error".equals(level) || "warn".equals(level));
  }

  /** What the line says about a problem: level error, or any logged exception. */
  boolean isProblem() {
    return "error".equals(level) || errorType != null;
  }

  /** How the line joins two spans: a call line (the caller's side), an access line (the callee's), or neither. */
  Hop hop() {
    if (ACCESS_LOGGER.equals(logger)) {
      return Hop.SERVED; // also the entry's access line, whose caller (if any) is outside the request's lines
    }
    if (parentSpanId == null) {
      return Hop.NONE;
    }
    if (CALL_LOGGER.equals(logger) || targetHost != null) {
      return Hop.CALL;
    }
    if (ACCESS_LOGGER.equals(logger) || durationMs != null) {
      return Hop.SERVED;
    }
    return Hop.RECEIVED;
  }

  /** The kinds of lines that are the edges of a request's tree. */
  enum Hop {
    /** Not an edge. */
    NONE,
    /** A call line: the caller's span called out, as the child span written on the line. */
    CALL,
    /** An access line: the span served a request from the parent span. */
    SERVED,
    /** A message or event received in the span, sent from the parent span (Kafka, JMS, RabbitMQ). */
    RECEIVED
  }

  /** The level's rank, trace 0 to error 4; unknown levels rank as info. */
  int levelRank() {
    return rank(level);
  }

  static int rank(String level) {
    return switch (level) {
      case "trace" -> 0;
      case "debug" -> 1;
      case "warn", "warning" -> 3;
      case "error", "fatal" -> 4;
      default -> 2;
    };
  }
}
