package dev.threadline.web.grpc;

import dev.threadline.core.Correlation;
import dev.threadline.core.CorrelationScope;
import dev.threadline.web.client.OutboundCalls;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.util.Objects;

/**
 * The outbound end of a gRPC hop: every call gets a client span (a child of the current span, or a new trace), the
 * correlation in its metadata ({@code traceparent}, {@code tracestate}, the request id, {@code baggage}) unless the
 * propagator does not {@linkplain dev.threadline.core.CorrelationPropagator#propagatesTo propagate} to the channel's
 * host, and a call line on {@code dev.threadline.client} as the HTTP clients write it ({@link OutboundCalls}):
 * {@code method} {@code POST}, {@code target_host}, {@code path} (the full method name, {@code /package.Service/Method}),
 * {@code status} (the HTTP status the gRPC status maps to), {@code grpc_status}, {@code duration_ms},
 * {@code parent_span_id}; WARN when the status maps to 400 or more. The response listener's callbacks run with the
 * caller's ids in the MDC.
 *
 * <p>Under a tracer's span (through its {@link dev.threadline.core.spi.TraceBridge}) the call starts no span of its
 * own: the call line carries the span current when the call starts, the tracer's client span when the tracer's
 * client interceptor runs before this one. The tracer's trace headers stay as it wrote them, with the request id and
 * baggage fields added beside; when the tracer wrote none (no client instrumentation, or one that runs after this
 * interceptor, or a propagator that writes nothing), this interceptor writes them from the current span, and a
 * tracer that writes later replaces them (OpenTelemetry's and Micrometer's gRPC instrumentations do), so the call
 * carries one {@code traceparent}.
 *
 * <pre>{@code
 * ManagedChannelBuilder.forTarget("orders:9090").intercept(new ThreadlineClientInterceptor()).build()
 * }</pre>
 *
 * Immutable and thread-safe. Never throws anything of its own into a call.
 *
 * @since 0.1.0
 */
public final class ThreadlineClientInterceptor implements ClientInterceptor {

  private final OutboundCalls calls;

  /** Default propagation, call lines on. */
  public ThreadlineClientInterceptor() {
    this(OutboundCalls.defaults());
  }

  /** With the settings of {@code calls} (propagator, call lines, logger name). */
  public ThreadlineClientInterceptor(OutboundCalls calls) {
    this.calls = Objects.requireNonNull(calls, "calls");
  }

  @Override
  public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(MethodDescriptor<ReqT, RespT> method,
      CallOptions callOptions, Channel next) {
    return new TracedCall<>(next.newCall(method, callOptions), "/" + method.getFullMethodName(), next.authority());
  }

  /** {@code host[:port]} without the port; {@code null} when there is none. */
  static String host(String authority) {
    if (authority == null || authority.isEmpty()) {
      return null;
    }
    if (authority.startsWith("[")) {
      int end = authority.indexOf(']');
      return end < 0 ? authority : authority.substring(0, end + 1);
    }
    int colon = authority.lastIndexOf(':');
    return colon < 0 || authority.indexOf(':') != colon ? authority : authority.substring(0, colon);
  }

  private final class TracedCall<ReqT, RespT> extends ForwardingClientCall.SimpleForwardingClientCall<ReqT, RespT> {
    private final String path;
    private final String authority;

    TracedCall(ClientCall<ReqT, RespT> delegate, String path, String authority) {
      super(delegate);
      this.path = path;
      this.authority = authority;
    }

    @Override
    public void start(Listener<RespT> responseListener, Metadata headers) {
      OutboundCalls.Call call = null;
      String host = null;
      Correlation caller = null;
      try {
        host = host(authority);
        caller = Correlation.current().orElse(null);
        call = calls.start(host);
        // What a tracer's interceptor that ran first wrote stays; the request id and baggage fields go beside it.
        call.inject(headers, GrpcMetadata.SETTER, GrpcMetadata.GETTER);
      } catch (RuntimeException e) {
        // Correlation is never worth failing the call for: it goes on without.
      }
      super.start(call == null ? responseListener : new TracedListener<>(responseListener, call, host, caller),
          headers);
      if (call != null) {
        // A tracer's interceptor below this one has written its client span by now: the call line takes it.
        call.sent(headers, GrpcMetadata.GETTER);
      }
    }

    private final class TracedListener<T> extends ForwardingClientCallListener.SimpleForwardingClientCallListener<T> {
      private final OutboundCalls.Call call;
      private final String host;
      /** The span current when the call started, opened again for the callbacks; {@code null}: none. */
      private final Correlation caller;

      TracedListener(ClientCall.Listener<T> delegate, OutboundCalls.Call call, String host, Correlation caller) {
        super(delegate);
        this.call = call;
        this.host = host;
        this.caller = caller;
      }

      @Override
      public void onHeaders(Metadata headers) {
        try (CorrelationScope ignored = open()) {
          super.onHeaders(headers);
        }
      }

      @Override
      public void onMessage(T message) {
        try (CorrelationScope ignored = open()) {
          super.onMessage(message);
        }
      }

      @Override
      public void onReady() {
        try (CorrelationScope ignored = open()) {
          super.onReady();
        }
      }

      @Override
      public void onClose(Status status, Metadata trailers) {
        call.finishRpc(host, path, GrpcStatuses.http(status.getCode()), status.getCode().name(), null);
        try (CorrelationScope ignored = open()) {
          super.onClose(status, trailers);
        }
      }

      /** The caller's scope; {@code null} (which try-with-resources skips) when the call started outside one. */
      private CorrelationScope open() {
        return caller == null ? null : caller.open();
      }
    }
  }
}
