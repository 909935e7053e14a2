/**
 * Extension points for other tracers: a {@link dev.threadline.core.spi.TraceBridge} found through
 * {@link java.util.ServiceLoader} takes over the trace when its tracer has a current span.
 */
package dev.threadline.core.spi;
