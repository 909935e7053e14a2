/**
 * Internal to Threadline: what the web integrations share among themselves (how a URI path is written into a line,
 * the inbound span and trust rules, the access line of every server integration, an access line's duration and level),
 * used by the servlet and WebFlux filters, the gRPC interceptors, the HTTP clients and the Spring Boot
 * auto-configuration. Public only because those live
 * in other packages. Needs nothing but core and SLF4J.
 *
 * <p>Not API: no compatibility promise. Anything here may change or disappear in any release, patch releases
 * included. Do not use it from application code; the supported types are in {@code dev.threadline.web.servlet},
 * {@code dev.threadline.web.client..}, {@code dev.threadline.web.messaging..} and {@code dev.threadline.web.grpc}.
 */
package dev.threadline.web.internal;
