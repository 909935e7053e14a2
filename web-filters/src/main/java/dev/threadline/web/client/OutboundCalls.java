package dev.threadline.web.client;

import dev.threadline.core.CarrierGetter;
import dev.threadline.core.CarrierSetter;
import dev.threadline.core.Correlation;
import dev.threadline.core.CorrelationPropagator;
import dev.threadline.core.CorrelationScope;
import dev.threadline.core.internal.Ids;
import dev.threadline.core.internal.RemoteParent;
import dev.threadline.core.internal.TraceBridges;
import dev.threadline.core.internal.W3CTraceContext;
import dev.threadline.web.internal.Paths;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * What every outbound integration (the JDK's HttpClient, Apache HttpClient 5, OkHttp, Spring's clients) shares:
 * the client span, the headers it writes and the optional call line. Immutable and thread-safe; one instance
 * serves any number of clients.
 *
 * <p>A call's client span is a child of the current span (a new trace when nothing is current), so the server it
 * calls starts its own span under it: the caller's call line and the callee's access line show one parent-child
 * pair. The call line ({@code dev.threadline.client}, on unless {@link Builder#logCalls} is false) carries
 * {@code method}, {@code target_host}, {@code path} (no query, no path parameters), {@code status} (absent when the
 * call failed), {@code duration_ms} and {@code parent_span_id} (the calling span), with the client span's ids, and
 * {@code callee_span_id} when the callee answered with a W3C {@code traceresponse}; INFO below 400, WARN otherwise or
 * when the call failed.
 *
 * @since 0.1.0
 */
public final class OutboundCalls {

  private static final OutboundCalls DEFAULTS = builder().build();

  /** {@code null}: the shared propagator, read at each call. */
  private final CorrelationPropagator propagator;
  private final boolean logCalls;
  private final Logger logger;

  private OutboundCalls(Builder b) {
    this.propagator = b.propagator;
    this.logCalls = b.logCalls;
    this.logger = LoggerFactory.getLogger(b.loggerName);
  }

  private CorrelationPropagator propagator() {
    return propagator != null ? propagator : CorrelationPropagator.shared();
  }

  /** Default propagation, call lines on. */
  public static OutboundCalls defaults() {
    return DEFAULTS;
  }

  /** A builder starting from the {@linkplain #defaults() defaults}. */
  public static Builder builder() {
    return new Builder();
  }

  /** Starts a call: a client span under the current one. Never throws. */
  public Call start() {
    return start(null);
  }

  /**
   * Starts a call to {@code targetHost} (name or IP, no port; {@code null} when unknown): a client span under the
   * current one. When the propagator does not {@linkplain CorrelationPropagator#propagatesTo propagate} to that host,
   * the call carries no correlation header at all. Never throws.
   */
  public Call start(String targetHost) {
    Call call = begin();
    call.withheld = targetHost != null && !propagator().propagatesTo(targetHost);
    return call;
  }

  private Call begin() {
    Correlation external = TraceBridges.activeSpan();
    if (external != null) {
      // Another tracer (OpenTelemetry) owns the trace: its instrumentation writes the trace headers. The bridge's
      // span already carries the baggage fields of Threadline's correlation of the same trace.
      return new Call(external, System.nanoTime(), true);
    }
    Correlation parent = Correlation.current().orElse(null);
    Correlation span = parent != null ? parent.newChild() : Correlation.newTrace();
    return new Call(span, System.nanoTime(), false);
  }

  /**
   * One outbound call in progress.
   *
   * @since 0.1.0
   */
  public final class Call {
    private final Correlation span;
    private final long started;
    private final boolean deferred;
    /** Whether the target host gets no correlation headers (not among the propagator's hosts). */
    private boolean withheld;
    /**
     * The client span a tracer below this integration made and sent ({@link #sent}); {@code null}: none seen, the
     * call line is written in {@link #span}.
     */
    private volatile Correlation sentSpan;

    Call(Correlation span, long started, boolean deferred) {
      this.span = span;
      this.started = started;
      this.deferred = deferred;
    }

    /** The client span. */
    public Correlation span() {
      return span;
    }

    /**
     * Writes {@code traceparent}, {@code tracestate}, the request id and baggage onto the outgoing carrier; only the
     * request id when another tracer (OpenTelemetry, through the bridge) owns the trace and writes its headers.
     */
    public <C> void inject(C carrier, CarrierSetter<C> setter) {
      if (withheld) {
        return;
      }
      if (deferred) {
        propagator().injectRequestId(span.requestId(), carrier, setter);
      } else {
        propagator().inject(span, carrier, setter);
      }
    }

    /**
     * As {@link #inject(Object, CarrierSetter)}, reading what is already on the outgoing request through
     * {@code written}: when another tracer wrote {@code traceparent}, Threadline adds the request id and its baggage
     * fields beside the tracer's {@code baggage} members (never replacing one); when it wrote none (its propagator is
     * off or not W3C, as with Spring Boot's tracing when its export is disabled), Threadline writes the trace headers
     * itself, with the tracer's current span as parent. A tracer that writes its headers later, below this
     * integration (the Java agent does so in the HTTP client), replaces them.
     */
    public <C> void inject(C carrier, CarrierSetter<C> setter, CarrierGetter<C> written) {
      if (withheld) {
        return;
      }
      String traceparent = read(written, carrier, "traceparent");
      if (!deferred || traceparent == null) {
        propagator().inject(span, carrier, setter);
      } else {
        propagator().injectBeside(span, carrier, setter, read(written, carrier, CorrelationPropagator.BAGGAGE));
      }
    }

    /**
     * Tells the call what left with the request, once every interceptor below this integration has run (a gRPC
     * call's {@code start} has returned): when a tracer below it (the Java agent's gRPC instrumentation, or a tracer
     * interceptor registered after Threadline's) made its own client span and wrote it into {@code traceparent}, the
     * call line is written in that span, with the span the call was made from as its {@code parent_span_id}. So the
     * span the callee names as its parent is in a line of the caller, whichever order the interceptors run in. Only
     * under a tracer, and only for a span of the call's own trace; never throws.
     *
     * @since 0.1.0
     */
    public <C> void sent(C carrier, CarrierGetter<C> written) {
      if (!deferred) {
        return;
      }
      try {
        RemoteParent sentUnder = W3CTraceContext.extractOrNull(carrier, written);
        if (sentUnder != null && sentUnder.traceId().equals(span.traceId())
            && !sentUnder.spanId().equals(span.spanId())) {
          sentSpan = span.toBuilder().spanId(sentUnder.spanId()).parentSpanId(span.spanId()).build();
        }
      } catch (RuntimeException e) {
        // Not readable: the call line stays in the span the call was made from.
      }
    }

    private <C> String read(CarrierGetter<C> getter, C carrier, String name) {
      try {
        return getter.get(carrier, name);
      } catch (RuntimeException e) {
        return null;
      }
    }

    /**
     * Ends the call: writes the call line when enabled. {@code status} is ignored when {@code failure} is not
     * {@code null}. Never throws.
     */
    public void finish(String method, String host, String path, int status, Throwable failure) {
      finish(method, host, path, status, failure, null);
    }

    /**
     * As {@link #finish(String, String, String, int, Throwable)}, with the response's W3C {@code traceresponse}
     * header ({@code null} when absent): when it names a span of this trace (a Threadline service answers with it
     * when {@code traceResponse} is on), the call line carries it as {@code callee_span_id}, the {@code span_id} of
     * the callee's lines. That joins the hop where a tracer makes the client span out of sight (the Java agent, in
     * the HTTP client), so the span the callee names as its parent is in no line of the caller's.
     */
    public void finish(String method, String host, String path, int status, Throwable failure,
        String traceresponse) {
      write(method, host, path, status, failure, traceresponse, null);
    }

    /**
     * Ends an RPC (gRPC): the call line carries {@code status}, the HTTP status the RPC's status maps to (so the
     * level rule and every query on {@code status} read it as they read an HTTP call's), and the RPC's own status
     * name ({@code OK}, {@code NOT_FOUND}) as {@code grpc_status}. {@code path} is the full method name
     * ({@code /package.Service/Method}). Never throws.
     *
     * @since 0.1.0
     */
    public void finishRpc(String host, String path, int status, String rpcStatus, Throwable failure) {
      write("POST", host, path, status, failure, null, rpcStatus);
    }

    private void write(String method, String host, String path, int status, Throwable failure,
        String traceresponse, String rpcStatus) {
      if (!logCalls) {
        return;
      }
      try {
        Level level = failure != null || status >= 400 ? Level.WARN : Level.INFO;
        if (!logger.isEnabledForLevel(level)) {
          return;
        }
        double durationMs = Math.round((System.nanoTime() - started) / 1_000.0) / 1_000.0;
        String safePath = path == null ? "" : cut(Paths.withoutPathParameters(stripQuery(path)), 2048);
        Correlation lineSpan = sentSpan != null ? sentSpan : span;
        // Opened as every scope is (the tracer's current span for the line, recording nothing), so the line carries
        // the span the tracer sent rather than the one its context has current where the call ends.
        try (CorrelationScope ignored = lineSpan.open()) {
          org.slf4j.spi.LoggingEventBuilder line = logger.atLevel(level)
              .addKeyValue("method", method)
              .addKeyValue("target_host", host == null ? "" : cut(host, 256))
              .addKeyValue("path", safePath);
          if (failure == null) {
            line = line.addKeyValue("status", status);
          }
          if (rpcStatus != null) {
            line = line.addKeyValue("grpc_status", rpcStatus);
          }
          line = line.addKeyValue("duration_ms", durationMs);
          if (lineSpan.parentSpanId().isPresent()) {
            line = line.addKeyValue("parent_span_id", lineSpan.parentSpanId().get());
          }
          String callee = calleeSpan(traceresponse, span.traceId());
          if (callee != null) {
            line = line.addKeyValue("callee_span_id", callee);
          }
          if (failure != null) {
            line.setCause(failure).log("{} {}{} failed after {} ms", method, host, safePath, durationMs);
          } else {
            line.log("{} {}{} {} {} ms", method, host, safePath, rpcStatus != null ? rpcStatus : status, durationMs);
          }
        }
      } catch (RuntimeException e) {
        // A call line is never worth failing the call for.
      }
    }
  }

  /** The span id of a {@code traceresponse} of trace {@code traceId}; {@code null} when absent or not valid. */
  static String calleeSpan(String traceresponse, String traceId) {
    if (traceresponse == null || traceresponse.length() < 55 || traceresponse.length() > 512) {
      return null;
    }
    String value = traceresponse.trim();
    if (value.length() < 55 || value.charAt(2) != '-' || value.charAt(35) != '-' || value.charAt(52) != '-'
        || value.startsWith("ff") || (value.startsWith("00") && value.length() != 55)) {
      return null;
    }
    String trace = value.substring(3, 35);
    String span = value.substring(36, 52);
    return trace.equals(traceId) && Ids.isValidSpanId(span) ? span : null;
  }

  private static String stripQuery(String path) {
    int q = path.indexOf('?');
    return q < 0 ? path : path.substring(0, q);
  }

  private static String cut(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max) + "…";
  }

  /**
   * Settings of {@link OutboundCalls}.
   *
   * @since 0.1.0
   */
  public static final class Builder {
    private CorrelationPropagator propagator;
    private boolean logCalls = true;
    private String loggerName = "dev.threadline.client";

    private Builder() {
    }

    /**
     * The propagator: request-id header, baggage fields. Default: the process's
     * {@linkplain CorrelationPropagator#shared() shared} one, read at each call.
     */
    public Builder propagator(CorrelationPropagator propagator) {
      this.propagator = Objects.requireNonNull(propagator, "propagator");
      return this;
    }

    /**
     * Whether each call writes a call line. Default true: the call line is where the client span's id shows up,
     * the id the called service logs as its parent, so without it one hop cannot be joined to the next in the logs.
     */
    public Builder logCalls(boolean logCalls) {
      this.logCalls = logCalls;
      return this;
    }

    /** The logger name of call lines. Default {@code dev.threadline.client}. */
    public Builder logger(String name) {
      this.loggerName = Objects.requireNonNull(name, "logger").trim();
      return this;
    }

    public OutboundCalls build() {
      return new OutboundCalls(this);
    }
  }
}
