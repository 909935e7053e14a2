package dev.threadline.logback;

import java.util.Collections;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The key names of the schema, in one place. Three presets: {@code threadline} (the default, the documented
 * contract), {@code ecs} (Elastic Common Schema) and {@code otel} (OpenTelemetry's log data model and semantic
 * conventions). The order of keys in a line is the same in every preset.
 *
 * <p>In the {@code threadline} preset the error is a nested object {@code error{type,message,stack,fingerprint}};
 * the other presets write it as flat dotted keys, as their ecosystems expect.
 */
final class FieldNames {

  static final String THREADLINE = "threadline";
  static final String ECS = "ecs";
  static final String OTEL = "otel";
  /** Written, as {@code true}, only on a line reduced to its core keys to fit the line limit. */
  static final String TRUNCATED = "truncated";

  final String preset;
  final String timestamp;
  final String level;
  final boolean upperCaseLevel;
  final String service;
  final String env;
  final String version;
  final String host;
  final String logger;
  final String thread;
  final String message;
  final String requestId;
  final String traceId;
  final String spanId;
  final String tags;
  /** The name of the nested error object, or {@code null} when error keys are flat. */
  final String error;
  final String errorType;
  final String errorMessage;
  final String errorStack;
  final String errorFingerprint;
  /** Every key the schema itself may write: a user field with one of these names is renamed. */
  final Set<String> reserved;

  private FieldNames(String preset, String[] n, boolean upperCaseLevel, String error) {
    this.preset = preset;
    timestamp = n[0];
    level = n[1];
    service = n[2];
    env = n[3];
    version = n[4];
    host = n[5];
    logger = n[6];
    thread = n[7];
    message = n[8];
    requestId = n[9];
    traceId = n[10];
    spanId = n[11];
    tags = n[12];
    errorType = n[13];
    errorMessage = n[14];
    errorStack = n[15];
    errorFingerprint = n[16];
    this.upperCaseLevel = upperCaseLevel;
    this.error = error;
    // Top-level keys only: in the nested form, error.type and friends live inside the error object.
    Set<String> all = new HashSet<>(java.util.Arrays.asList(n).subList(0, 13));
    all.add(TRUNCATED);
    if (error != null) {
      all.add(error);
    } else {
      all.addAll(java.util.Arrays.asList(n).subList(13, 17));
    }
    reserved = Collections.unmodifiableSet(all);
  }

  /**
   * The preset called {@code name} ({@code threadline}, {@code ecs} or {@code otel}, any case).
   *
   * @throws IllegalArgumentException for any other name, listing the valid ones
   */
  static FieldNames preset(String name) {
    switch (name == null ? THREADLINE : name.trim().toLowerCase(Locale.ROOT)) {
      case THREADLINE:
        return new FieldNames(THREADLINE, new String[] {
            "timestamp", "level", "service", "env", "version", "host", "logger", "thread", "message",
            "requestId", "trace_id", "span_id", "tags", "type", "message", "stack", "fingerprint"},
            false, "error");
      case ECS:
        return new FieldNames(ECS, new String[] {
            "@timestamp", "log.level", "service.name", "service.environment", "service.version", "host.name",
            "log.logger", "process.thread.name", "message", "requestId", "trace.id", "span.id", "tags",
            "error.type", "error.message", "error.stack_trace", "error.fingerprint"},
            false, null);
      case OTEL:
        return new FieldNames(OTEL, new String[] {
            "timestamp", "severity_text", "service.name", "deployment.environment.name", "service.version",
            "host.name", "logger.name", "thread.name", "body", "requestId", "trace_id", "span_id", "tags",
            "exception.type", "exception.message", "exception.stacktrace", "exception.fingerprint"},
            true, null);
      default:
        throw new IllegalArgumentException(
            "fieldNames: '" + name + "' is not a preset; use threadline, ecs or otel");
    }
  }
}
