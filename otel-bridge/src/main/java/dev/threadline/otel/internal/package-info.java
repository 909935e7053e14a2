/**
 * Internal to Threadline: the OpenTelemetry trace bridge that {@link java.util.ServiceLoader} finds and the
 * translation between OpenTelemetry's span context and Threadline's correlation. Public only for the service loader
 * and because the supported class lives in another package.
 *
 * <p>Not API: no compatibility promise. Anything here may change or disappear in any release, patch releases
 * included. Do not use it from application code; the supported type is {@code dev.threadline.otel.ThreadlineOtel}.
 */
package dev.threadline.otel.internal;
