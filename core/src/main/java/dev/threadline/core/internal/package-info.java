/**
 * Internal to Threadline: the codecs, id helpers, tracer-bridge lookup and log-time span check that core shares with
 * Threadline's other modules, and the Micrometer context-propagation accessor that {@link java.util.ServiceLoader}
 * finds. Public only because those modules live in other packages.
 *
 * <p>Not API: no compatibility promise. Anything here may change or disappear in any release, patch releases
 * included. Do not use it from application code; the supported types are in {@code dev.threadline.core} and
 * {@code dev.threadline.core.spi}.
 */
package dev.threadline.core.internal;
