/**
 * gRPC (grpc-java): {@link dev.threadline.web.grpc.ThreadlineServerInterceptor} gives every call a server span, the
 * ids in the MDC for the handler and each listener callback, and one access line;
 * {@link dev.threadline.web.grpc.ThreadlineClientInterceptor} gives every outgoing call a client span, the
 * correlation metadata and a call line. Needs {@code io.grpc:grpc-api}, which the application brings.
 */
package dev.threadline.web.grpc;
