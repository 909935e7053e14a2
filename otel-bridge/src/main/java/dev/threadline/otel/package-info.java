/**
 * Threadline under OpenTelemetry: with threadline-otel-bridge and the OpenTelemetry API on the class path, log lines
 * carry the span OpenTelemetry has current, Threadline's integrations start no spans of their own while a tracer's span
 * is current, and Threadline's own spans become OpenTelemetry's current span. Nothing to call: the bridge is found
 * through {@link java.util.ServiceLoader}. {@link dev.threadline.otel.ThreadlineOtel} holds the names the request id
 * travels under.
 */
package dev.threadline.otel;
