/**
 * Internal to Threadline: gRPC pieces that Threadline's own modules install (the interceptor that hands the caller's
 * span to a tracer before the tracer's gRPC instrumentation, registered by the Spring Boot starter). Needs grpc-java,
 * like {@code dev.threadline.web.grpc}. Public only because the starter lives in another module.
 *
 * <p>Not API: no compatibility promise. Anything here may change or disappear in any release, patch releases
 * included. Do not register or use it from application code.
 */
package dev.threadline.web.internal.grpc;
