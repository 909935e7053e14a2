package dev.threadline.web.grpc;

import dev.threadline.core.Correlation;
import dev.threadline.core.CorrelationPropagator;
import dev.threadline.core.CorrelationScope;
import dev.threadline.core.internal.TraceBridges;
import dev.threadline.core.spi.TraceBridge;
import dev.threadline.web.internal.AccessLines;
import dev.threadline.web.internal.Inbound;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.slf4j.event.Level;

/**
 * The inbound end of a gRPC hop: every call runs in a server span of its caller's trace (or of a new one), with the
 * request id, trace id and span id in the MDC for the handler and for every listener callback ({@code onMessage},
 * {@code onHalfClose}, {@code onReady}, {@code onComplete}, {@code onCancel}, whichever thread gRPC runs them on), and
 * ends with one access line.
 *
 * <p>Reads {@code traceparent}, {@code tracestate}, the request id and {@code baggage} from the call's metadata through
 * the {@link CorrelationPropagator} (default: the {@linkplain CorrelationPropagator#shared() shared} one), honouring
 * its trust setting: an untrusted caller gets a new trace and a fresh request id, and what it sent is logged as
 * {@code caller_request_id} / {@code caller_trace_id} only. Echoes the request id in the response headers.
 *
 * <p>The access line ({@code dev.threadline.access}), written once when the call completes or is cancelled, uses the
 * servlet filter's fields: {@code method} ({@code POST}, the HTTP/2 method of every gRPC call), {@code path} (the full
 * method name as gRPC sends it in {@code :path}, {@code /package.Service/Method}), {@code status} (the HTTP status the
 * gRPC status maps to, as {@code google.rpc.Code} defines it: OK 200, INVALID_ARGUMENT 400, NOT_FOUND 404, CANCELLED
 * 499, INTERNAL 500, UNAVAILABLE 503…), {@code grpc_status} (the gRPC status name), {@code duration_ms},
 * {@code user_agent}, {@code client_ip} and {@code parent_span_id}; INFO below 400, WARN for 4xx, ERROR for 5xx, as
 * the filter. Calls of the standard health service ({@code grpc.health.v1.Health}) get no access line.
 *
 * <p>Under a tracer (through its {@link TraceBridge}: OpenTelemetry, with the Java agent, the SDK or Micrometer
 * Tracing, or Brave) whose gRPC instrumentation made a server span current for the call, the interceptor starts no
 * span of its own: the call's lines and its access line carry the tracer's span, with the request id (echoed, in the
 * MDC, and handed to the tracer, which records it on the span and carries it in its baggage) and the caller's span
 * as {@code parent_span_id}. That is decided when the call starts, so the tracer's interceptor must run before this
 * one (the Java agent's always does). When a tracer's interceptor runs after it instead, the call starts in a span of
 * Threadline's, and the access line still carries the tracer's span, found when the handler closes the call.
 *
 * <pre>{@code
 * ServerBuilder.forPort(9090).addService(ServerInterceptors.intercept(service, new ThreadlineServerInterceptor()))
 * // or, for every service: serverBuilder.intercept(new ThreadlineServerInterceptor())
 * }</pre>
 *
 * Immutable and thread-safe. Never throws anything of its own into a call: a failure of its own is reported once and
 * the call goes on without correlation.
 *
 * @since 0.1.0
 */
public final class ThreadlineServerInterceptor implements ServerInterceptor {

  private static final Logger SELF = LoggerFactory.getLogger(ThreadlineServerInterceptor.class);
  private static final String HEALTH_SERVICE = "grpc.health.v1.Health";
  private static final int MAX_USER_AGENT = 512;
  private static final int MAX_PATH = 2048;
  private static final Metadata.Key<String> USER_AGENT =
      Metadata.Key.of("user-agent", Metadata.ASCII_STRING_MARSHALLER);

  /** The propagator (the given one, or the shared one read at each call) and the tracer decision. */
  private final Inbound inbound = new Inbound();
  private final boolean accessLog;
  private final Logger accessLogger;
  private final boolean echoRequestId;
  private final Level clientErrorLevel;
  private final Level serverErrorLevel;
  private final AtomicBoolean failureReported = new AtomicBoolean();

  /** Default settings: the shared propagator, access lines on {@code dev.threadline.access}. */
  public ThreadlineServerInterceptor() {
    this(builder());
  }

  private ThreadlineServerInterceptor(Builder b) {
    if (b.propagator != null) {
      inbound.setPropagator(b.propagator);
    }
    this.accessLog = b.accessLog;
    this.accessLogger = LoggerFactory.getLogger(b.accessLogger);
    this.echoRequestId = b.echoRequestId;
    this.clientErrorLevel = b.clientErrorLevel;
    this.serverErrorLevel = b.serverErrorLevel;
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
      ServerCallHandler<ReqT, RespT> next) {
    CallState state = start(call, headers);
    if (state == null) {
      return next.startCall(call, headers);
    }
    ServerCall<ReqT, RespT> traced = new TracedCall<>(call, state);
    ServerCall.Listener<ReqT> listener;
    try (CallScope ignored = state.enter()) {
      listener = next.startCall(traced, headers);
    } catch (RuntimeException | Error e) {
      state.failed = true;
      throw e;
    }
    return new ScopedListener<>(listener, state);
  }

  private CallState start(ServerCall<?, ?> call, Metadata headers) {
    try {
      long started = System.nanoTime();
      // Under a tracer's span (its interceptor ran first): that span, with the request id; otherwise a server span
      // continued from the metadata.
      Inbound.Start start = inbound.start(headers, GrpcMetadata.GETTER, null, false);
      String userAgent = accessLog ? headers.get(USER_AGENT) : null;
      return new CallState(start.correlation(), start.underTracer(), started, start.propagator().requestIdHeader(),
          start.callerIds(), call, userAgent);
    } catch (RuntimeException e) {
      reportOnce("could not start the call's correlation", e);
      return null;
    }
  }

  private void reportOnce(String what, RuntimeException e) {
    if (failureReported.compareAndSet(false, true)) {
      SELF.warn("Threadline gRPC interceptor {}; the call goes on (reported once): {}", what, e.toString());
    }
  }

  /** What one call needs from start to its access line. */
  private final class CallState {
    /** The call's span: Threadline's, or the tracer's (current at the start, or found when the call closes). */
    volatile Correlation correlation;
    /** Whether the tracer's span was current when the call started: the request id is then handed to the tracer. */
    final boolean underTracer;
    final long started;
    final String requestIdHeader;
    final Map<String, String> callerIds;
    final ServerCall<?, ?> call;
    final String userAgent;
    volatile Status status;
    /** Whether a handler callback threw: gRPC then ends the call with UNKNOWN, not through {@link TracedCall}. */
    volatile boolean failed;
    private final AtomicBoolean finished = new AtomicBoolean();

    CallState(Correlation correlation, boolean underTracer, long started, String requestIdHeader,
        Map<String, String> callerIds, ServerCall<?, ?> call, String userAgent) {
      this.correlation = correlation;
      this.underTracer = underTracer;
      this.started = started;
      this.requestIdHeader = requestIdHeader;
      this.callerIds = callerIds;
      this.call = call;
      this.userAgent = userAgent;
    }

    /**
     * The call's scope on this thread: its correlation (so the MDC), the untrusted caller's ids, and under a tracer
     * the request id handed to it. Closing it undoes all three.
     */
    CallScope enter() {
      CorrelationScope scope = correlation.open();
      putCallerIds();
      AutoCloseable told = TraceBridge.NOTHING;
      if (underTracer) {
        TraceBridge bridge = TraceBridges.get();
        if (bridge != null) {
          told = bridge.enterRequest(correlation.requestId());
        }
      }
      return new CallScope(this, scope, told);
    }

    /**
     * Called as the handler closes the call, in its context: when a tracer's interceptor ran after this one, its
     * server span is current there, and the access line takes it, with this call's request id, baggage fields and
     * caller's span. Nothing changes when the call started under the tracer, or no other span is current.
     */
    void takeTracersSpan() {
      if (underTracer) {
        return;
      }
      Correlation own = correlation;
      Correlation tracers = TraceBridges.activeSpan();
      if (tracers == null || tracers.spanId().equals(own.spanId()) && tracers.traceId().equals(own.traceId())) {
        return;
      }
      Correlation.Builder b = tracers.toBuilder().requestId(own.requestId()).parentSpanId(null);
      if (tracers.traceId().equals(own.traceId()) && own.parentSpanId().isPresent()) {
        b.parentSpanId(own.parentSpanId().get());
      }
      own.baggage().forEach(b::baggage);
      correlation = b.build();
    }

    void putCallerIds() {
      if (callerIds != null) {
        callerIds.forEach(MDC::put);
      }
    }

    void removeCallerIds() {
      if (callerIds != null) {
        callerIds.keySet().forEach(MDC::remove);
      }
    }

    void finish(boolean cancelled) {
      if (!finished.compareAndSet(false, true) || !accessLog) {
        return;
      }
      try {
        Status.Code code = status != null ? status.getCode()
            : failed ? Status.Code.UNKNOWN : cancelled ? Status.Code.CANCELLED : Status.Code.OK;
        writeAccessLine(this, code, System.nanoTime() - started);
      } catch (RuntimeException e) {
        reportOnce("could not write the access line", e);
      }
    }
  }

  private void writeAccessLine(CallState state, Status.Code code, long nanos) {
    if (HEALTH_SERVICE.equals(state.call.getMethodDescriptor().getServiceName())) {
      return;
    }
    int status = GrpcStatuses.http(code);
    Level level = AccessLines.level(status, clientErrorLevel, serverErrorLevel);
    if (!accessLogger.isEnabledForLevel(level)) {
      return;
    }
    String path = AccessLines.cap("/" + state.call.getMethodDescriptor().getFullMethodName(), MAX_PATH);
    double durationMs = AccessLines.millis(nanos);
    org.slf4j.spi.LoggingEventBuilder line = accessLogger.atLevel(level)
        .addKeyValue("method", "POST")
        .addKeyValue("path", path)
        .addKeyValue("status", status)
        .addKeyValue("grpc_status", code.name())
        .addKeyValue("duration_ms", durationMs);
    if (state.userAgent != null) {
      line = line.addKeyValue("user_agent", AccessLines.cap(state.userAgent, MAX_USER_AGENT));
    }
    String clientIp = clientIp(state.call);
    if (clientIp != null) {
      line = line.addKeyValue("client_ip", clientIp);
    }
    if (state.correlation.parentSpanId().isPresent()) {
      line = line.addKeyValue("parent_span_id", state.correlation.parentSpanId().get());
    }
    line.log("POST {} {} {} ms", path, code.name(), durationMs);
  }

  private static String clientIp(ServerCall<?, ?> call) {
    SocketAddress remote = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
    if (remote instanceof InetSocketAddress) {
      InetSocketAddress inet = (InetSocketAddress) remote;
      return inet.getAddress() != null ? inet.getAddress().getHostAddress() : null;
    }
    return null;
  }

  /** The call as the handler sees it: records the status it closes with, echoes the request id. */
  private final class TracedCall<ReqT, RespT> extends ForwardingServerCall.SimpleForwardingServerCall<ReqT, RespT> {
    private final CallState state;

    TracedCall(ServerCall<ReqT, RespT> delegate, CallState state) {
      super(delegate);
      this.state = state;
    }

    @Override
    public void sendHeaders(Metadata headers) {
      if (echoRequestId) {
        try {
          GrpcMetadata.SETTER.set(headers, state.requestIdHeader, state.correlation.requestId());
        } catch (RuntimeException e) {
          reportOnce("could not echo the request id", e);
        }
      }
      super.sendHeaders(headers);
    }

    @Override
    public void close(Status status, Metadata trailers) {
      state.status = status;
      try {
        state.takeTracersSpan();
      } catch (RuntimeException e) {
        reportOnce("could not read the tracer's span", e);
      }
      super.close(status, trailers);
    }
  }

  /** Runs every callback of the handler's listener in the call's scope, and ends the call's line. */
  private static final class ScopedListener<ReqT>
      extends ForwardingServerCallListener.SimpleForwardingServerCallListener<ReqT> {
    private final CallState state;

    ScopedListener(ServerCall.Listener<ReqT> delegate, CallState state) {
      super(delegate);
      this.state = state;
    }

    @Override
    public void onMessage(ReqT message) {
      try (CallScope ignored = state.enter()) {
        super.onMessage(message);
      } catch (RuntimeException | Error e) {
        state.failed = true;
        throw e;
      }
    }

    @Override
    public void onHalfClose() {
      try (CallScope ignored = state.enter()) {
        super.onHalfClose();
      } catch (RuntimeException | Error e) {
        state.failed = true;
        throw e;
      }
    }

    @Override
    public void onReady() {
      try (CallScope ignored = state.enter()) {
        super.onReady();
      }
    }

    @Override
    public void onCancel() {
      try (CallScope ignored = state.enter()) {
        try {
          super.onCancel();
        } finally {
          state.finish(true);
        }
      }
    }

    @Override
    public void onComplete() {
      try (CallScope ignored = state.enter()) {
        try {
          super.onComplete();
        } finally {
          state.finish(false);
        }
      }
    }
  }

  /** What {@link CallState#enter()} opened on a thread; closed in reverse order, never throwing. */
  private static final class CallScope implements AutoCloseable {
    private final CallState state;
    private final CorrelationScope scope;
    private final AutoCloseable told;

    CallScope(CallState state, CorrelationScope scope, AutoCloseable told) {
      this.state = state;
      this.scope = scope;
      this.told = told;
    }

    @Override
    public void close() {
      try {
        if (told != TraceBridge.NOTHING) {
          told.close();
        }
      } catch (Exception e) {
        // The tracer's scope handling failed; the callback is done either way.
      } finally {
        state.removeCallerIds();
        scope.close();
      }
    }
  }

  /**
   * Settings of {@link ThreadlineServerInterceptor}.
   *
   * @since 0.1.0
   */
  public static final class Builder {
    private CorrelationPropagator propagator;
    private boolean accessLog = true;
    private String accessLogger = "dev.threadline.access";
    private boolean echoRequestId = true;
    private Level clientErrorLevel = Level.WARN;
    private Level serverErrorLevel = Level.ERROR;

    private Builder() {
    }

    /** The propagator: request-id header, trust, baggage fields. Default: the shared one, read at each call. */
    public Builder propagator(CorrelationPropagator propagator) {
      this.propagator = Objects.requireNonNull(propagator, "propagator");
      return this;
    }

    /** Whether each call writes an access line. Default true. */
    public Builder accessLog(boolean accessLog) {
      this.accessLog = accessLog;
      return this;
    }

    /** The logger name of access lines. Default {@code dev.threadline.access}. */
    public Builder accessLogger(String name) {
      this.accessLogger = Objects.requireNonNull(name, "accessLogger").trim();
      return this;
    }

    /** Whether the response headers carry the call's request id. Default true. */
    public Builder echoRequestId(boolean echoRequestId) {
      this.echoRequestId = echoRequestId;
      return this;
    }

    /** The level of access lines whose status maps to 4xx: TRACE, DEBUG, INFO, WARN (default) or ERROR. */
    public Builder clientErrorLevel(String level) {
      this.clientErrorLevel = AccessLines.parseLevel(level, "clientErrorLevel");
      return this;
    }

    /** The level of access lines whose status maps to 5xx: TRACE, DEBUG, INFO, WARN or ERROR (default). */
    public Builder serverErrorLevel(String level) {
      this.serverErrorLevel = AccessLines.parseLevel(level, "serverErrorLevel");
      return this;
    }

    public ThreadlineServerInterceptor build() {
      return new ThreadlineServerInterceptor(this);
    }
  }
}
