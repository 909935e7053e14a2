package dev.threadline.web.internal;

import dev.threadline.core.CarrierGetter;
import dev.threadline.core.Correlation;
import dev.threadline.core.CorrelationPropagator;
import dev.threadline.core.internal.RemoteParent;
import dev.threadline.core.internal.TraceBridges;
import dev.threadline.core.spi.TraceBridge;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inbound end of a hop, the same for every server integration: which propagator applies to a request (the
 * configured one, the shared one, with this server's request-id header, trusting nothing from a caller outside
 * {@code trustedCallers}) and the request's server span, continued from the caller's headers or under a tracer's
 * span. Settings are written at configuration time and read by every request.
 */
public final class Inbound {

  private static final Logger SELF = LoggerFactory.getLogger(Inbound.class);
  private static final AtomicBoolean WARNED_IGNORED_CALLER = new AtomicBoolean();

  /** The propagator given; {@code null}: the shared one, read at each request. */
  private volatile CorrelationPropagator propagator;
  /** A request-id header for this server only, over whichever propagator applies; {@code null}: none. */
  private volatile String requestIdHeader;
  /** The callers trusted to set ids, by address; {@code null}: every caller the propagator trusts. */
  private volatile AddressRanges trustedCallers;
  private final Derived untrusted = new Derived();
  private final Derived withHeader = new Derived();

  /** A request's start: its server span, and what the caller sent when it was not trusted. */
  public static final class Start {
    private final Correlation correlation;
    private final CorrelationPropagator propagator;
    private final Map<String, String> callerIds;
    private final AutoCloseable bridged;
    private final boolean underTracer;

    Start(Correlation correlation, CorrelationPropagator propagator, Map<String, String> callerIds,
        AutoCloseable bridged, boolean underTracer) {
      this.correlation = correlation;
      this.propagator = propagator;
      this.callerIds = callerIds;
      this.bridged = bridged;
      this.underTracer = underTracer;
    }

    /** Whether a tracer's span was current, so {@link #correlation()} is that span and no span of Threadline's. */
    public boolean underTracer() {
      return underTracer;
    }

    /** The request's server span. */
    public Correlation correlation() {
      return correlation;
    }

    /** The propagator that applied to the request (its request-id header is the one to echo). */
    public CorrelationPropagator propagator() {
      return propagator;
    }

    /** An untrusted caller's ids ({@code caller_request_id}, {@code caller_trace_id}); {@code null}: none. */
    public Map<String, String> callerIds() {
      return callerIds;
    }

    /** What the trace bridge changed on the request thread, to close when it ends; {@code null}: nothing. */
    public AutoCloseable bridged() {
      return bridged;
    }
  }

  /**
   * The request's server span. Under a tracer's active span (OpenTelemetry), that span with the request id; with
   * {@code enterBridge}, the tracer is told the request id on this thread (close {@link Start#bridged()} when the
   * thread leaves the request).
   */
  public <C> Start start(C request, CarrierGetter<C> getter, String remoteAddress, boolean enterBridge) {
    TraceBridge bridge = TraceBridges.get();
    Correlation external = bridge == null ? null : bridge.activeSpan();
    CorrelationPropagator propagator = propagatorFor(remoteAddress);
    Correlation correlation;
    AutoCloseable bridged = null;
    if (external != null) {
      // Another tracer already serves this request in a span of its own: no competing span, only the request id,
      // which the tracer then carries on.
      String requestId = propagator.extractValidRequestId(request, getter);
      correlation = requestId == null ? external : external.toBuilder().requestId(requestId).build();
      if (propagator.trustsIncoming()) {
        correlation = withBaggage(withCaller(correlation, request, getter), propagator, request, getter);
      }
      if (enterBridge) {
        bridged = bridge.enterRequest(correlation.requestId());
      }
    } else {
      correlation = propagator.extract(request, getter);
    }
    Map<String, String> callerIds = null;
    if (!propagator.trustsIncoming()) {
      Map<String, String> caller = propagator.callerIds(request, getter);
      callerIds = caller.isEmpty() ? null : caller;
    }
    return new Start(correlation, propagator, callerIds, bridged, external != null);
  }

  /**
   * The tracer's server span with the caller's span (from {@code traceparent}, when of the same trace) as its
   * parent, which the tracer's API does not tell: the access line names it, so the hop joins the caller's lines.
   */
  private static <C> Correlation withCaller(Correlation tracerSpan, C request, CarrierGetter<C> getter) {
    Optional<RemoteParent> caller = dev.threadline.core.internal.W3CTraceContext.extract(request, getter);
    if (caller.isEmpty() || caller.get().spanId().equals(tracerSpan.spanId())) {
      return tracerSpan;
    }
    if (!caller.get().traceId().equals(tracerSpan.traceId())) {
      warnTracerIgnoredCaller();
      return tracerSpan;
    }
    return tracerSpan.toBuilder().parentSpanId(caller.get().spanId()).build();
  }

  /** The allowed baggage fields the caller sent, which a tracer's span does not carry, added to it. */
  private static <C> Correlation withBaggage(Correlation tracerSpan, CorrelationPropagator propagator, C request,
      CarrierGetter<C> getter) {
    if (getter.get(request, CorrelationPropagator.BAGGAGE) == null) {
      return tracerSpan;
    }
    Map<String, String> fields = propagator.extract(request, getter).baggage();
    if (fields.isEmpty()) {
      return tracerSpan;
    }
    Correlation.Builder b = tracerSpan.toBuilder();
    fields.forEach(b::baggage);
    return b.build();
  }

  /** A tracer started the server span in a trace of its own although the caller sent a valid traceparent. */
  private static void warnTracerIgnoredCaller() {
    if (WARNED_IGNORED_CALLER.compareAndSet(false, true)) {
      SELF.warn("The tracer started this request's server span in a new trace, although the caller sent a valid "
          + "traceparent: its propagator does not read W3C trace context (with Spring Boot: tracing export disabled, "
          + "or management.tracing.propagation.type without w3c), or its server instrumentation runs before "
          + "Threadline's RemoteParentFilter. This request's lines carry the tracer's trace id, not the caller's; "
          + "the request id still joins them. Logged once.");
    }
  }

  /**
   * The propagator for a request from {@code remoteAddress}: the configured one, or, when {@code trustedCallers} is
   * set and the peer is not in it, the same settings trusting nothing the caller sent.
   */
  public CorrelationPropagator propagatorFor(String remoteAddress) {
    CorrelationPropagator base = propagator();
    AddressRanges trusted = trustedCallers;
    if (!base.trustsIncoming() || trusted == null || (remoteAddress != null && trusted.contains(remoteAddress))) {
      return base;
    }
    return untrusted.of(base, b -> b.toBuilder().trustIncoming(false).build());
  }

  /** Whether {@link #start} reads the peer's address at all: only to check it against {@code trustedCallers}. */
  public boolean readsRemoteAddress() {
    return trustedCallers != null;
  }

  /** The propagator in force: the configured one or the shared one, with this server's request-id header. */
  public CorrelationPropagator propagator() {
    CorrelationPropagator p = propagator;
    CorrelationPropagator base = p != null ? p : CorrelationPropagator.shared();
    String header = requestIdHeader;
    if (header == null || header.equals(base.requestIdHeader())) {
      return base;
    }
    return withHeader.of(base, b -> b.toBuilder().requestIdHeader(header).build());
  }

  // ---- settings

  /** The propagator; default: the process's shared one. */
  public void setPropagator(CorrelationPropagator propagator) {
    this.propagator = Objects.requireNonNull(propagator, "propagator");
  }

  /**
   * The request-id header read and echoed, over the propagator's other settings.
   *
   * @throws IllegalArgumentException for an empty name or one that is no HTTP token
   */
  public void setRequestIdHeader(String header) {
    if (header == null || header.isBlank()) {
      throw new IllegalArgumentException("requestIdHeader: a header name must not be empty");
    }
    // Fails here, at configuration, for a name that is no HTTP token.
    CorrelationPropagator.builder().requestIdHeader(header.trim()).build();
    this.requestIdHeader = header.trim();
  }

  /**
   * The callers trusted to set ids, as addresses and CIDR ranges; empty or {@code null}: every caller.
   *
   * @throws IllegalArgumentException naming the entry that is no IP address or CIDR range
   */
  public void setTrustedCallers(String ranges) {
    this.trustedCallers = ranges == null || ranges.isBlank() ? null : AddressRanges.parse(ranges);
  }

  /** A propagator made from another, made again only when that other one changes (it is shared, and may be replaced). */
  private static final class Derived {
    private volatile CorrelationPropagator[] made;

    CorrelationPropagator of(CorrelationPropagator base, UnaryOperator<CorrelationPropagator> make) {
      CorrelationPropagator[] last = made;
      if (last == null || last[0] != base) {
        last = new CorrelationPropagator[] {base, make.apply(base)};
        made = last;
      }
      return last[1];
    }
  }
}
