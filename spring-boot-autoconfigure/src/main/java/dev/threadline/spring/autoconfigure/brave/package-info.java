/**
 * Threadline beside Micrometer Tracing on Brave: Brave's span is the request's span, published in Threadline's keys.
 * Every type here needs Brave ({@code io.zipkin.brave:brave}) and is used only when it is present.
 */
package dev.threadline.spring.autoconfigure.brave;
