/**
 * Threadline beside Micrometer Tracing on Brave: the auto-configuration that makes Brave's span the request's span,
 * published in Threadline's keys. It applies only when Brave ({@code io.zipkin.brave:brave}) is present.
 */
package dev.threadline.spring.autoconfigure.brave;
