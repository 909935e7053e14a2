package dev.threadline.web.servlet;

import dev.threadline.core.CarrierGetter;
import dev.threadline.core.Correlation;
import dev.threadline.core.CorrelationPropagator;
import dev.threadline.core.CorrelationScope;
import dev.threadline.core.internal.RemoteParent;
import dev.threadline.core.internal.TraceBridges;
import dev.threadline.core.internal.W3CTraceContext;
import dev.threadline.core.spi.TraceBridge;
import dev.threadline.web.internal.AccessLines;
import dev.threadline.web.internal.Paths;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The inbound end of a hop: every request runs inside a server span of its caller's trace (or of a new one), with
 * the request id, trace id and span id in the MDC, and ends with one access line in the shared schema.
 *
 * <p>Per request: reads {@code traceparent}/{@code tracestate}, the request-id header (and its aliases) and B3
 * through a {@link CorrelationPropagator}; a missing or malformed header gives a new trace or a fresh request id,
 * and the refused value is logged nowhere. Opens a {@link CorrelationScope} for the request dispatch and again for
 * each async and error dispatch of the same request, and for the {@link AsyncListener} callbacks, always closing it
 * before the container thread returns to its pool, so no pooled thread ever carries another request's ids. Echoes
 * the request id on the response ({@code X-Request-Id}) and optionally sends {@code traceresponse}.
 *
 * <p>The access line, written once when the request completes (after async processing, if any) through the logger
 * {@code dev.threadline.access}: {@code method}, {@code path} (no query string unless {@link #setLogQuery}),
 * {@code status}, {@code duration_ms}, {@code user_agent}, {@code client_ip} and, when the caller sent its trace,
 * {@code parent_span_id} (the caller's span, so one hop joins the next); INFO below 400, WARN for 4xx, ERROR
 * for 5xx (see {@link #setClientErrorLevel}, {@link #setServerErrorLevel}). No request or response header other than
 * User-Agent (and X-Forwarded-For when trusted) is read for it: Authorization, Cookie and Set-Cookie never appear.
 * Requests whose dispatched path (servlet path and path info, as the container decoded and normalised them, never the
 * raw URI) matches a {@linkplain #setSkip skip pattern} (health checks, by default) get their correlation but no
 * access line. The logged {@code path} never carries path parameters ({@code ;jsessionid=…}).
 *
 * <p>Register it for the REQUEST, ASYNC and ERROR dispatcher types, first in the chain. Configure it with setters or
 * with filter init-parameters of the same names ({@code requestIdHeader}, {@code echoRequestId},
 * {@code traceResponse}, {@code accessLog}, {@code accessLogger}, {@code skip}, {@code logQuery},
 * {@code trustForwardedFor}, {@code trustedCallers}, {@code clientErrorLevel}, {@code serverErrorLevel}); the
 * propagator only with {@link #setPropagator} (default: {@link CorrelationPropagator#shared()}). Never throws anything of its own
 * into the request: a failure of its own is reported once and the request goes on.
 *
 * @since 0.1.0
 */
public class ThreadlineFilter implements Filter {

  /** The paths that get no access line unless {@link #setSkip} says otherwise: health checks. */
  public static final String DEFAULT_SKIP = "/actuator/health,/actuator/health/**,/health,/healthz,/livez,/readyz";

  private static final String STATE_ATTRIBUTE = ThreadlineFilter.class.getName() + ".state";
  private static final int MAX_USER_AGENT = 512;
  private static final int MAX_PATH = 2048;

  /** Reads HTTP request headers, case-insensitively as the container does. */
  public static final CarrierGetter<HttpServletRequest> REQUEST_GETTER = new CarrierGetter<>() {
    @Override
    public String get(HttpServletRequest request, String name) {
      return request.getHeader(name);
    }

    @Override
    public List<String> getAll(HttpServletRequest request, String name) {
      java.util.Enumeration<String> values = request.getHeaders(name);
      if (values == null || !values.hasMoreElements()) {
        return List.of();
      }
      String first = values.nextElement();
      if (!values.hasMoreElements()) {
        return first == null ? List.of() : List.of(first);
      }
      List<String> all = new ArrayList<>();
      all.add(first);
      all.addAll(Collections.list(values));
      all.removeIf(java.util.Objects::isNull);
      return all;
    }
  };

  /**
   * The correlation of the request this filter handles (the server span), from any code that has the request,
   * on any thread; empty when the filter did not see the request.
   */
  public static java.util.Optional<Correlation> correlationOf(ServletRequest request) {
    Object state = request.getAttribute(STATE_ATTRIBUTE);
    return state instanceof RequestState ? java.util.Optional.of(((RequestState) state).correlation)
        : java.util.Optional.empty();
  }

  private static final Logger SELF = LoggerFactory.getLogger(ThreadlineFilter.class);

  /** The propagator given to this filter; {@code null}: the shared one, read at each request. */
  private CorrelationPropagator propagator;
  /** A request-id header for this filter only, over whichever propagator applies; {@code null}: none. */
  private String requestIdHeader;
  /** The callers trusted to set ids, by address; {@code null}: every caller the propagator trusts. */
  private volatile AddressRanges trustedCallers;
  /** The propagator in force, trusting nothing the caller sent. */
  private final Derived untrusted = new Derived();
  /** The propagator in force, with {@link #requestIdHeader}. */
  private final Derived withHeader = new Derived();
  private boolean echoRequestId = true;
  private boolean traceResponse;
  private boolean accessLog = true;
  private Logger accessLogger = LoggerFactory.getLogger("dev.threadline.access");
  private List<PathPattern> skip = PathPattern.parseAll(DEFAULT_SKIP);
  private boolean logQuery;
  private boolean trustForwardedFor;
  private Level clientErrorLevel = Level.WARN;
  private Level serverErrorLevel = Level.ERROR;
  private volatile boolean failureReported;

  @Override
  public void init(FilterConfig config) {
    Map<String, Consumer<String>> settings = new LinkedHashMap<>();
    settings.put("requestIdHeader", this::setRequestIdHeader);
    settings.put("echoRequestId", v -> setEchoRequestId(Boolean.parseBoolean(v.trim())));
    settings.put("traceResponse", v -> setTraceResponse(Boolean.parseBoolean(v.trim())));
    settings.put("accessLog", v -> setAccessLog(Boolean.parseBoolean(v.trim())));
    settings.put("accessLogger", this::setAccessLogger);
    settings.put("skip", this::setSkip);
    settings.put("logQuery", v -> setLogQuery(Boolean.parseBoolean(v.trim())));
    settings.put("trustForwardedFor", v -> setTrustForwardedFor(Boolean.parseBoolean(v.trim())));
    settings.put("trustedCallers", this::setTrustedCallers);
    settings.put("clientErrorLevel", this::setClientErrorLevel);
    settings.put("serverErrorLevel", this::setServerErrorLevel);
    settings.forEach((name, setter) -> {
      String value = config.getInitParameter(name);
      if (value != null) {
        try {
          setter.accept(value);
        } catch (RuntimeException e) {
          // A bad setting must not stop the application from starting: keep the default, say which and why.
          SELF.warn("Threadline filter: init-parameter {} ignored, the default stays: {}", name, e.getMessage());
        }
      }
    });
  }

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    if (!(req instanceof HttpServletRequest) || !(res instanceof HttpServletResponse)) {
      chain.doFilter(req, res);
      return;
    }
    HttpServletRequest request = (HttpServletRequest) req;
    HttpServletResponse response = (HttpServletResponse) res;
    Object existing = request.getAttribute(STATE_ATTRIBUTE);
    if (existing instanceof RequestState) {
      // An async, error or forward dispatch of a request this filter already started: the same span again.
      try (CorrelationScope ignored = ((RequestState) existing).correlation.open()) {
        chain.doFilter(req, res);
      }
      return;
    }
    RequestState state = start(request, response);
    if (state == null) {
      chain.doFilter(req, res);
      return;
    }
    Throwable failure = null;
    try (CorrelationScope ignored = state.correlation.open()) {
      putCallerIds(state);
      try {
        chain.doFilter(req, res);
      } catch (IOException | ServletException | RuntimeException | Error e) {
        failure = e;
        throw e;
      } finally {
        if (request.getDispatcherType() == DispatcherType.REQUEST && request.isAsyncStarted()) {
          listenForCompletion(request, state);
        } else {
          state.finish(response, failure);
        }
        removeCallerIds(state);
      }
    } finally {
      if (state.bridged != null) {
        try {
          state.bridged.close();
        } catch (Exception e) {
          reportOnce("could not leave the tracer's request context", new IllegalStateException(e));
        }
      }
    }
  }

  /** The request's correlation, attributes and response headers; {@code null} (and reported) if that failed. */
  private RequestState start(HttpServletRequest request, HttpServletResponse response) {
    try {
      long started = System.nanoTime();
      TraceBridge bridge = TraceBridges.get();
      Correlation external = bridge == null ? null : bridge.activeSpan();
      Correlation correlation;
      AutoCloseable bridged = null;
      CorrelationPropagator propagator = propagatorFor(request);
      if (external != null) {
        // Another tracer (OpenTelemetry) already serves this request in a span of its own: no competing span,
        // only the request id, which the tracer then carries on.
        String requestId = propagator.extractValidRequestId(request, REQUEST_GETTER);
        correlation = requestId == null ? external : external.toBuilder().requestId(requestId).build();
        if (propagator.trustsIncoming()) {
          correlation = withBaggage(withCaller(correlation, request), propagator, request);
        }
        bridged = bridge.enterRequest(correlation.requestId());
      } else {
        correlation = propagator.extract(request, REQUEST_GETTER);
      }
      RequestState state = new RequestState(correlation, started, request);
      state.bridged = bridged;
      if (!propagator.trustsIncoming()) {
        Map<String, String> caller = propagator.callerIds(request, REQUEST_GETTER);
        state.callerIds = caller.isEmpty() ? null : caller;
      }
      request.setAttribute(STATE_ATTRIBUTE, state);
      if (echoRequestId) {
        response.setHeader(propagator.requestIdHeader(), correlation.requestId());
      }
      if (traceResponse) {
        response.setHeader("traceresponse", W3CTraceContext.formatTraceparent(correlation));
      }
      return state;
    } catch (RuntimeException e) {
      reportOnce("could not start the request's correlation", e);
      return null;
    }
  }

  /**
   * The tracer's server span with the caller's span (from {@code traceparent}, when of the same trace) as its
   * parent, which the tracer's API does not tell: the access line names it, so the hop joins the caller's lines.
   */
  private static Correlation withCaller(Correlation tracerSpan, HttpServletRequest request) {
    java.util.Optional<RemoteParent> caller = W3CTraceContext.extract(request, REQUEST_GETTER);
    if (caller.isEmpty() || caller.get().spanId().equals(tracerSpan.spanId())) {
      return tracerSpan;
    }
    if (!caller.get().traceId().equals(tracerSpan.traceId())) {
      warnTracerIgnoredCaller();
      return tracerSpan;
    }
    return tracerSpan.toBuilder().parentSpanId(caller.get().spanId()).build();
  }

  private static void putCallerIds(RequestState state) {
    if (state.callerIds != null) {
      state.callerIds.forEach(org.slf4j.MDC::put);
    }
  }

  private static void removeCallerIds(RequestState state) {
    if (state.callerIds != null) {
      state.callerIds.keySet().forEach(org.slf4j.MDC::remove);
    }
  }

  /**
   * The propagator for this request: the filter's, or, when {@code trustedCallers} is set and the peer is not in
   * it, the same settings trusting nothing the caller sent.
   */
  private CorrelationPropagator propagatorFor(HttpServletRequest request) {
    CorrelationPropagator base = propagator();
    AddressRanges trusted = trustedCallers;
    if (!base.trustsIncoming() || trusted == null || trusted.contains(request.getRemoteAddr())) {
      return base;
    }
    return untrusted.of(base, b -> b.toBuilder().trustIncoming(false).build());
  }

  /** The allowed baggage fields the caller sent, which a tracer's span does not carry, added to it. */
  private static Correlation withBaggage(Correlation tracerSpan, CorrelationPropagator propagator,
      HttpServletRequest request) {
    if (request.getHeader(CorrelationPropagator.BAGGAGE) == null) {
      return tracerSpan;
    }
    Map<String, String> fields = propagator.extract(request, REQUEST_GETTER).baggage();
    if (fields.isEmpty()) {
      return tracerSpan;
    }
    Correlation.Builder b = tracerSpan.toBuilder();
    fields.forEach(b::baggage);
    return b.build();
  }

  private static final java.util.concurrent.atomic.AtomicBoolean WARNED_IGNORED_CALLER =
      new java.util.concurrent.atomic.AtomicBoolean();

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

  private void listenForCompletion(HttpServletRequest request, RequestState state) {
    try {
      request.getAsyncContext().addListener(new AsyncListener() {
        @Override
        public void onComplete(AsyncEvent event) {
          try (CorrelationScope ignored = state.correlation.open()) {
            state.finish((HttpServletResponse) event.getSuppliedResponse(), state.asyncFailure);
          }
        }

        @Override
        public void onTimeout(AsyncEvent event) {
          state.asyncFailure = new AsyncTimeout();
        }

        @Override
        public void onError(AsyncEvent event) {
          state.asyncFailure = event.getThrowable() != null ? event.getThrowable() : new AsyncTimeout();
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
          event.getAsyncContext().addListener(this);
        }
      });
    } catch (RuntimeException e) {
      reportOnce("could not follow the async request", e);
    }
  }

  /** A propagator made from another, made again only when that other one changes (it is shared, and may be replaced). */
  private static final class Derived {
    private volatile CorrelationPropagator[] made;

    CorrelationPropagator of(CorrelationPropagator base, java.util.function.UnaryOperator<CorrelationPropagator> make) {
      CorrelationPropagator[] last = made;
      if (last == null || last[0] != base) {
        last = new CorrelationPropagator[] {base, make.apply(base)};
        made = last;
      }
      return last[1];
    }
  }

  /** What one request needs from start to its access line. */
  private final class RequestState {
    final Correlation correlation;
    final long started;
    final HttpServletRequest request;
    /** Taken on the REQUEST dispatch: an async or error dispatch changes what the request reports. */
    final String dispatchedPath;
    volatile Throwable asyncFailure;
    /** What the trace bridge changed on the request thread, undone when the request dispatch ends. */
    AutoCloseable bridged;
    /** An untrusted caller's ids, logged as caller_request_id and caller_trace_id; {@code null}: none. */
    Map<String, String> callerIds;
    private boolean finished;

    RequestState(Correlation correlation, long started, HttpServletRequest request) {
      this.correlation = correlation;
      this.started = started;
      this.request = request;
      this.dispatchedPath = dispatchedPath(request);
    }

    synchronized void finish(HttpServletResponse response, Throwable failure) {
      if (finished) {
        return;
      }
      finished = true;
      if (!accessLog) {
        return;
      }
      try {
        writeAccessLine(request, dispatchedPath, response, failure, System.nanoTime() - started, correlation);
      } catch (RuntimeException e) {
        reportOnce("could not write the access line", e);
      }
    }
  }

  /** Marks an async request that timed out or failed without a throwable. */
  private static final class AsyncTimeout extends RuntimeException {
    private static final long serialVersionUID = 1L;

    AsyncTimeout() {
      super("async request timed out", null, false, false);
    }
  }

  private void writeAccessLine(HttpServletRequest request, String dispatchedPath, HttpServletResponse response,
      Throwable failure, long nanos, Correlation correlation) {
    // The skip decision is made on the path the container dispatched (decoded, dot segments resolved, no path
    // parameters), never on the raw URI, which a client can dress up as a skipped path
    // (/actuator/health/../../admin). What is logged is the URI as sent, without path parameters (;jsessionid=…).
    if (matchesSkip(dispatchedPath)) {
      return;
    }
    String path = Paths.withoutPathParameters(request.getRequestURI());
    // An exception that escaped the chain becomes a 500 once the container handles it, whatever was set before.
    int status = failure != null && !response.isCommitted() ? 500 : response.getStatus();
    Level level = AccessLines.level(status, clientErrorLevel, serverErrorLevel);
    if (!accessLogger.isEnabledForLevel(level)) {
      return;
    }
    String method = request.getMethod();
    String loggedPath = cap(path, MAX_PATH);
    double durationMs = AccessLines.millis(nanos);
    org.slf4j.spi.LoggingEventBuilder line = accessLogger.atLevel(level)
        .addKeyValue("method", method)
        .addKeyValue("path", loggedPath);
    if (logQuery && request.getQueryString() != null) {
      line = line.addKeyValue("query", cap(request.getQueryString(), MAX_PATH));
    }
    line = line.addKeyValue("status", status).addKeyValue("duration_ms", durationMs);
    String userAgent = request.getHeader("User-Agent");
    if (userAgent != null) {
      line = line.addKeyValue("user_agent", cap(userAgent, MAX_USER_AGENT));
    }
    String clientIp = clientIp(request);
    if (clientIp != null) {
      line = line.addKeyValue("client_ip", clientIp);
    }
    if (correlation.parentSpanId().isPresent()) {
      line = line.addKeyValue("parent_span_id", correlation.parentSpanId().get());
    }
    line.log("{} {} {} {} ms", method, loggedPath, status, durationMs);
  }

  /**
   * The path within the application the container dispatched this request to: servlet path plus path info, which
   * the container decoded and normalised (dot segments resolved, path parameters removed).
   */
  static String dispatchedPath(HttpServletRequest request) {
    String servletPath = request.getServletPath();
    String pathInfo = request.getPathInfo();
    String path = (servletPath == null ? "" : servletPath) + (pathInfo == null ? "" : pathInfo);
    return path.isEmpty() ? "/" : path;
  }

  private boolean matchesSkip(String path) {
    for (PathPattern p : skip) {
      if (p.matches(path)) {
        return true;
      }
    }
    return false;
  }

  private String clientIp(HttpServletRequest request) {
    if (trustForwardedFor) {
      String forwarded = request.getHeader("X-Forwarded-For");
      if (forwarded != null) {
        int comma = forwarded.indexOf(',');
        String first = (comma < 0 ? forwarded : forwarded.substring(0, comma)).trim();
        if (isIpLiteral(first)) {
          return first;
        }
      }
    }
    String remote = request.getRemoteAddr();
    return remote != null && isIpLiteral(remote) ? remote : null;
  }

  /** IPv4 or IPv6 text: digits, hex letters, dots and colons (and a zone's %), at most 45 characters. */
  static boolean isIpLiteral(String s) {
    if (s.isEmpty() || s.length() > 45) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '.'
          || c == ':' || c == '%';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static String cap(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max) + "…";
  }

  private void reportOnce(String what, RuntimeException e) {
    if (!failureReported) {
      failureReported = true;
      SELF.warn("Threadline filter {}; the request went on without it ({}). Reported once.", what,
          e.getClass().getName());
    }
  }

  // ---- settings

  /**
   * The propagator: request-id header and aliases, B3, baggage fields. Default: the process's
   * {@linkplain CorrelationPropagator#shared() shared} one, which every outbound integration uses too.
   */
  public void setPropagator(CorrelationPropagator propagator) {
    this.propagator = java.util.Objects.requireNonNull(propagator, "propagator");
  }

  /**
   * The request-id header this filter reads and echoes, over the rest of its propagator's settings (aliases, B3,
   * baggage fields stay). Default: the propagator's.
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
   * The callers trusted to set the ids this request continues (request id, {@code traceparent}, B3, baggage), as
   * addresses and CIDR ranges ({@code 10.0.0.0/8, 192.168.1.5, fd00::/8}) of the peer that connects (a trusted proxy
   * in front of the service). Any other caller's request starts a new trace with a fresh request id, and what it sent
   * is only logged, as {@code caller_request_id} and {@code caller_trace_id}. Empty (the default): every caller,
   * unless the propagator trusts none ({@code trustIncoming=false}, for an edge service).
   *
   * @throws IllegalArgumentException naming the entry that is no IP address or CIDR range
   */
  public void setTrustedCallers(String ranges) {
    this.trustedCallers = ranges == null || ranges.isBlank() ? null : AddressRanges.parse(ranges);
  }

  /** The propagator in force: this filter's or the shared one, with this filter's request-id header. */
  private CorrelationPropagator propagator() {
    CorrelationPropagator base = propagator != null ? propagator : CorrelationPropagator.shared();
    if (requestIdHeader == null || requestIdHeader.equals(base.requestIdHeader())) {
      return base;
    }
    return withHeader.of(base, b -> b.toBuilder().requestIdHeader(requestIdHeader).build());
  }


  /** Whether the response carries the request id. Default true. */
  public void setEchoRequestId(boolean echoRequestId) {
    this.echoRequestId = echoRequestId;
  }

  /** Whether the response carries W3C {@code traceresponse} with the server span. Default false. */
  public void setTraceResponse(boolean traceResponse) {
    this.traceResponse = traceResponse;
  }

  /** Whether to write the access line. Default true. */
  public void setAccessLog(boolean accessLog) {
    this.accessLog = accessLog;
  }

  /** The logger name of the access lines. Default {@code dev.threadline.access}. */
  public void setAccessLogger(String name) {
    this.accessLogger = LoggerFactory.getLogger(name.trim());
  }

  /**
   * Comma-separated path patterns (below the context path) that get no access line: exact paths, or a prefix
   * ending in {@code /**}. Default {@code /actuator/health,/actuator/health/**,/health,/healthz,/livez,/readyz};
   * empty logs every request.
   */
  public void setSkip(String patterns) {
    this.skip = PathPattern.parseAll(patterns);
  }

  /** Whether the access line carries the query string as {@code query}. Default false: queries hold secrets. */
  public void setLogQuery(boolean logQuery) {
    this.logQuery = logQuery;
  }

  /**
   * Whether {@code client_ip} is the first address of {@code X-Forwarded-For} rather than the peer's address. Turn
   * it on only behind a proxy that sets the header, since a client can send anything. Default false.
   */
  public void setTrustForwardedFor(boolean trustForwardedFor) {
    this.trustForwardedFor = trustForwardedFor;
  }

  /** The level of access lines with a 4xx status: TRACE, DEBUG, INFO, WARN (default) or ERROR. */
  public void setClientErrorLevel(String level) {
    this.clientErrorLevel = level(level, "clientErrorLevel");
  }

  /** The level of access lines with a 5xx status: TRACE, DEBUG, INFO, WARN or ERROR (default). */
  public void setServerErrorLevel(String level) {
    this.serverErrorLevel = level(level, "serverErrorLevel");
  }

  private static Level level(String value, String setting) {
    return AccessLines.parseLevel(value, setting);
  }

  /** An exact path, or a prefix ending in {@code /**}. */
  static final class PathPattern {
    private final String exact;
    private final String prefix;

    private PathPattern(String exact, String prefix) {
      this.exact = exact;
      this.prefix = prefix;
    }

    static List<PathPattern> parseAll(String patterns) {
      List<PathPattern> result = new ArrayList<>();
      for (String p : patterns.split(",")) {
        String t = p.trim();
        if (t.isEmpty()) {
          continue;
        }
        if (!t.startsWith("/")) {
          throw new IllegalArgumentException("skip patterns start with '/': '" + t + "'");
        }
        result.add(t.endsWith("/**") ? new PathPattern(null, t.substring(0, t.length() - 2))
            : new PathPattern(t, null));
      }
      return List.copyOf(result);
    }

    boolean matches(String path) {
      return exact != null ? exact.equals(path) : path.startsWith(prefix);
    }
  }
}
