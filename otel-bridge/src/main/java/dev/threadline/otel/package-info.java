/**
 * Uses the active OpenTelemetry trace for the correlation context.
 *
 * <p>This module is a placeholder in the build until issue #6 fills it.
 */
package dev.threadline.otel;
