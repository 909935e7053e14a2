package dev.threadline.web.internal.grpc;

import dev.threadline.web.grpc.GrpcMetadata;
import dev.threadline.web.internal.RemoteParents;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

/**
 * The gRPC counterpart of the servlet {@code RemoteParentFilter}: runs before a tracer's gRPC server interceptor
 * (Micrometer's {@code ObservationGrpcServerInterceptor}, which Spring gRPC registers) and makes the caller's span,
 * read from the {@code traceparent} metadata, the tracer's current remote context while the rest of the chain starts
 * the call. The tracer starts its server span there, so one that reads no headers (Spring Boot's no-op propagator
 * when tracing export is disabled) continues the caller's trace instead of starting a new one; one that reads
 * {@code traceparent} itself finds the same parent.
 *
 * <p>Does nothing without a tracer bridge, without a valid {@code traceparent}, or when the tracer has a span current
 * already (the Java agent's interceptor runs before every other). Never throws anything of its own into a call. The
 * Spring Boot starter registers it as the first global server interceptor.
 */
public final class RemoteParentInterceptor implements ServerInterceptor {

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
      ServerCallHandler<ReqT, RespT> next) {
    AutoCloseable entered = RemoteParents.enter(headers, GrpcMetadata.GETTER);
    try {
      return next.startCall(call, headers);
    } finally {
      RemoteParents.exit(entered);
    }
  }
}
