package dev.threadline.samples.demo;

import java.util.Map;

/**
 * One JSON line as a service wrote it ({@link #raw}) and as a log store reads it ({@link #json}), with accessors for
 * the schema's keys (docs/schema.md). {@code source} is the service the line was captured from.
 */
public record LogLine(String source, String raw, Map<String, Object> json) {

  /** The {@code service} key, or the service the line was captured from when the line has none. */
  public String service() {
    Object service = json.get("service");
    return service == null ? source : service.toString();
  }

  /** The {@code timestamp}: ISO-8601 UTC with six fractional digits, so it sorts as a plain string. */
  public String timestamp() {
    return text("timestamp");
  }

  /** The {@code level}, lowercase. */
  public String level() {
    return text("level");
  }

  /** The logger name. */
  public String logger() {
    return text("logger");
  }

  /** The formatted message. */
  public String message() {
    return text("message");
  }

  /** The {@code requestId}, or null outside a request. */
  public String requestId() {
    return text("requestId");
  }

  /** The W3C {@code trace_id}, or null. */
  public String traceId() {
    return text("trace_id");
  }

  /** The {@code span_id}, or null. */
  public String spanId() {
    return text("span_id");
  }

  /** The caller's span, on access lines, call lines and the worker's event lines; null elsewhere. */
  public String parentSpanId() {
    return text("parent_span_id");
  }

  /** The {@code error} object, or null. */
  @SuppressWarnings("unchecked")
  public Map<String, Object> error() {
    Object error = json.get("error");
    return error instanceof Map ? (Map<String, Object>) error : null;
  }

  /**
   * Whether the line is an error event, as the ops kit's dashboards, alerts and recipes count them: a line at
   * level error or warn that carries a logged exception (so has a fingerprint).
   */
  public boolean isErrorEvent() {
    return fingerprint() != null && ("error".equals(level()) || "warn".equals(level()));
  }

  /** {@code error.fingerprint}, or null. */
  public String fingerprint() {
    Map<String, Object> error = error();
    return error == null || error.get("fingerprint") == null ? null : error.get("fingerprint").toString();
  }

  /** {@code error.type}, or null. */
  public String errorType() {
    Map<String, Object> error = error();
    return error == null || error.get("type") == null ? null : error.get("type").toString();
  }

  /** Any top-level key, as text; null when absent. */
  public String text(String key) {
    Object value = json.get(key);
    return value == null ? null : value.toString();
  }
}
