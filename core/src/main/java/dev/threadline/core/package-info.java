/**
 * The correlation context shared by every Threadline module: the {@link dev.threadline.core.Correlation} value,
 * {@link dev.threadline.core.CorrelationScope scopes} that publish it to the SLF4J MDC, id generation, the
 * transport-independent {@link dev.threadline.core.CorrelationPropagator propagation codecs} (W3C Trace Context,
 * request id, B3 read, W3C baggage), and {@link dev.threadline.core.ContextExecutors thread hops}.
 *
 * <p>Depends on the JDK and {@code slf4j-api} only.
 */
package dev.threadline.core;
