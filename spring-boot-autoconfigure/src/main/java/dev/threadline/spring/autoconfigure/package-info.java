/**
 * Spring Boot auto-configuration for Threadline: the servlet filter, client propagation, task decoration, JSON
 * console lines and the Loki appender, each behind its class condition and a {@code threadline.*} switch.
 */
package dev.threadline.spring.autoconfigure;
