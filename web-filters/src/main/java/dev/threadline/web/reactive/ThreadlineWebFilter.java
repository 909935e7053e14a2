package dev.threadline.web.reactive;

import dev.threadline.core.Correlation;
import dev.threadline.core.CorrelationPropagator;
import dev.threadline.core.CorrelationScope;
import dev.threadline.core.internal.CorrelationThreadLocalAccessor;
import dev.threadline.core.internal.W3CTraceContext;
import dev.threadline.web.internal.AccessLog;
import dev.threadline.web.internal.Inbound;
import dev.threadline.web.internal.Paths;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.ErrorResponse;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;
import reactor.util.context.Context;

/**
 * The inbound end of a hop for Spring WebFlux: the servlet {@code ThreadlineFilter}'s behaviour on a reactive
 * server. Each request runs in a server span of its caller's trace (or of a new one), continued from
 * {@code traceparent}, the request-id header and B3 through the {@link CorrelationPropagator} under the same trust
 * rules ({@link #setTrustedCallers}); the response echoes the request id; one access line on
 * {@code dev.threadline.access}, with the same fields, levels and skip patterns, is written when the request
 * completes, fails (the status its {@link ErrorResponse} gives, else 500) or is cancelled because the client went
 * away (status 499, as nginx writes it).
 *
 * <p>The correlation travels in the Reactor {@code Context} under core's context-propagation key, so with
 * {@link Hooks#enableAutomaticContextPropagation()} (call it once at start-up; the Spring Boot starter does) every
 * operator of the request (map, flatMap, publishOn and subscribeOn hops, delays, a {@code WebClient} exchange and its
 * response) logs with the request's ids, and a thread that goes back to its pool carries none. Without the hook, a
 * warning says so once and only the subscribing thread has the ids.
 *
 * <pre>{@code
 * Hooks.enableAutomaticContextPropagation();
 * WebHttpHandlerBuilder.webHandler(handler).filter(new ThreadlineWebFilter()).build();
 * }</pre>
 *
 * <p>Cost per request: the ids read from the headers, a request state, one operator of its own and one context
 * entry; the request's values for the access line are read only when that line is on. Under automatic context
 * propagation the context entry costs the most: Reactor sets and restores the thread-locals at each signal through
 * it, as for any {@code contextWrite} (benchmarks/RESULTS.md has the figures). Never throws anything of its own into
 * the request: a failure of its own is reported once and the request goes on without it.
 *
 * @since 0.1.0
 */
public class ThreadlineWebFilter implements WebFilter, Ordered {

  /** The status of the access line of a request the client abandoned before its response was complete. */
  public static final int CLIENT_CLOSED_REQUEST = 499;

  private static final String STATE_ATTRIBUTE = ThreadlineWebFilter.class.getName() + ".state";
  private static final Logger SELF = LoggerFactory.getLogger(ThreadlineWebFilter.class);
  private static final AtomicBoolean WARNED_NO_PROPAGATION = new AtomicBoolean();
  private static final AtomicIntegerFieldUpdater<RequestState> FINISHED =
      AtomicIntegerFieldUpdater.newUpdater(RequestState.class, "finished");

  /** What Spring's filter chain names this filter by at every request (a checkpoint): a constant, not a hash code. */
  private static final String NAME = ThreadlineWebFilter.class.getSimpleName();

  private final Inbound inbound = new Inbound();
  private final AccessLog access = new AccessLog();
  private volatile boolean echoRequestId = true;
  private volatile boolean traceResponse;
  private volatile int order = Ordered.HIGHEST_PRECEDENCE + 2;
  private volatile boolean failureReported;

  /**
   * The correlation of the request this filter handles (its server span), from any code that has the exchange;
   * empty when the filter did not see the request.
   */
  public static Optional<Correlation> correlationOf(ServerWebExchange exchange) {
    Object state = exchange.getAttribute(STATE_ATTRIBUTE);
    return state instanceof RequestState ? Optional.of(((RequestState) state).correlation) : Optional.empty();
  }

  @Override
  public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
    if (exchange.getAttribute(STATE_ATTRIBUTE) != null) {
      return chain.filter(exchange);
    }
    RequestState state = start(exchange);
    if (state == null) {
      return chain.filter(exchange);
    }
    // Two operators every signal of the request crosses: the chain with its end observed, and the context entry.
    return HandledRequest.of(exchange, chain, state).contextWrite(state);
  }

  /** The request's correlation, attribute and response headers; {@code null} (and reported) if that failed. */
  private RequestState start(ServerWebExchange exchange) {
    try {
      long started = System.nanoTime();
      if (!Hooks.isAutomaticContextPropagationEnabled()) {
        warnNoPropagation();
      }
      ServerHttpRequest request = exchange.getRequest();
      boolean logged = access.enabled();
      // Made on each read (Reactor Netty keeps the socket address): only when something uses it.
      String remoteAddress = logged || inbound.readsRemoteAddress() ? remoteAddress(request) : null;
      Inbound.Start start = inbound.start(request, RequestHeaders.GETTER, remoteAddress, false);
      Correlation correlation = start.correlation();
      RequestState state = new RequestState(exchange, correlation, start.callerIds(), started, remoteAddress, logged);
      exchange.getAttributes().put(STATE_ATTRIBUTE, state);
      ServerHttpResponse response = exchange.getResponse();
      if (logged) {
        // The status as the response commits: a servlet container may recycle the response before the access line.
        response.beforeCommit(state);
      }
      if (echoRequestId) {
        response.getHeaders().set(start.propagator().requestIdHeader(), correlation.requestId());
      }
      if (traceResponse) {
        response.getHeaders().set("traceresponse", W3CTraceContext.formatTraceparent(correlation));
      }
      return state;
    } catch (RuntimeException | LinkageError e) {
      reportOnce("could not start the request's correlation", e);
      return null;
    }
  }

  private static void warnNoPropagation() {
    if (WARNED_NO_PROPAGATION.compareAndSet(false, true)) {
      SELF.warn("Reactor's automatic context propagation is off: lines logged by this request's operators on other "
          + "threads carry no request id. Call Hooks.enableAutomaticContextPropagation() at start-up (the Threadline "
          + "Spring Boot starter does). Logged once.");
    }
  }

  static String remoteAddress(ServerHttpRequest request) {
    InetSocketAddress remote = request.getRemoteAddress();
    InetAddress address = remote == null ? null : remote.getAddress();
    return address == null ? null : address.getHostAddress();
  }

  /**
   * The path within the application, decoded, dot segments resolved and without path parameters: what skip
   * patterns match, so {@code /actuator/health/../../admin} is the {@code /admin} request it is.
   */
  static String normalisedPath(String pathWithinApplication) {
    String raw = Paths.withoutPathParameters(pathWithinApplication);
    try {
      String path = URI.create(raw).normalize().getPath();
      return path == null || path.isEmpty() ? "/" : path;
    } catch (IllegalArgumentException e) {
      return raw.isEmpty() ? "/" : raw;
    }
  }

  /**
   * What one request needs from start to its access line: the context entry its operators carry, the commit hook
   * that notes the status, and the request's end. The request's values are read at the start, and only when the
   * access line is on: on a servlet container (WebFlux on Tomcat) the request is recycled once the response is
   * complete, before the line is written.
   */
  private final class RequestState
      implements AccessLog.Request, HandledRequest.End, Function<Context, Context>, Supplier<Mono<Void>> {
    final ServerWebExchange exchange;
    final Correlation correlation;
    final Map<String, String> callerIds;
    final long started;
    /** Whether this request gets an access line (read once: the setting may change while it runs). */
    final boolean logged;
    final String method;
    final String rawPath;
    final String query;
    final String pathWithinApplication;
    final String userAgent;
    final String forwardedFor;
    final String remoteAddress;
    volatile Throwable failure;
    /** The status the response committed with; 0: not committed yet. */
    volatile int committedStatus;
    /** 1 once the request's end was handled. */
    volatile int finished;

    RequestState(ServerWebExchange exchange, Correlation correlation, Map<String, String> callerIds, long started,
        String remoteAddress, boolean logged) {
      this.exchange = exchange;
      this.correlation = correlation;
      this.callerIds = callerIds;
      this.started = started;
      this.logged = logged;
      this.remoteAddress = remoteAddress;
      if (!logged) {
        this.method = null;
        this.rawPath = null;
        this.query = null;
        this.pathWithinApplication = null;
        this.userAgent = null;
        this.forwardedFor = null;
        return;
      }
      ServerHttpRequest request = exchange.getRequest();
      URI uri = request.getURI();
      this.method = request.getMethod().name();
      this.rawPath = uri.getRawPath();
      this.query = uri.getRawQuery();
      this.pathWithinApplication = request.getPath().pathWithinApplication().value();
      HttpHeaders headers = request.getHeaders();
      this.userAgent = headers.getFirst("User-Agent");
      this.forwardedFor = headers.getFirst("X-Forwarded-For");
    }

    @Override
    public Correlation correlation() {
      return correlation;
    }

    /** The request's entry in the Reactor context of its operators. */
    @Override
    public Context apply(Context context) {
      return context.put(CorrelationThreadLocalAccessor.KEY, correlation);
    }

    /** Runs as the response commits: notes the status, never throws into the commit. */
    @Override
    public Mono<Void> get() {
      try {
        HttpStatusCode status = exchange.getResponse().getStatusCode();
        committedStatus = status == null ? 200 : status.value();
      } catch (RuntimeException e) {
        reportOnce("could not read the response status", e);
      }
      return Mono.empty();
    }

    @Override
    public void failed(Throwable e) {
      failure = e;
    }

    @Override
    public void finish(SignalType signal) {
      if (!logged || !FINISHED.compareAndSet(this, 0, 1)) {
        return;
      }
      try (CorrelationScope ignored = correlation.open()) {
        if (callerIds != null) {
          callerIds.forEach(MDC::put);
        }
        try {
          if (!access.skips(normalisedPath(pathWithinApplication))) {
            access.write(this, status(signal), System.nanoTime() - started, correlation);
          }
        } finally {
          if (callerIds != null) {
            callerIds.keySet().forEach(MDC::remove);
          }
        }
      } catch (RuntimeException | LinkageError e) {
        reportOnce("could not write the access line", e);
      }
    }

    private int status(SignalType signal) {
      if (signal == SignalType.CANCEL) {
        return CLIENT_CLOSED_REQUEST;
      }
      ServerHttpResponse response = exchange.getResponse();
      Throwable e = failure;
      if (e != null && !response.isCommitted()) {
        // What WebFlux's exception handling will answer: the error's own status, else 500.
        return e instanceof ErrorResponse ? ((ErrorResponse) e).getStatusCode().value() : 500;
      }
      int committed = committedStatus;
      if (committed != 0) {
        return committed;
      }
      HttpStatusCode set = response.getStatusCode();
      return set == null ? 200 : set.value();
    }

    @Override
    public String method() {
      return method;
    }

    @Override
    public String rawPath() {
      return rawPath;
    }

    @Override
    public String query() {
      return query;
    }

    @Override
    public String header(String name) {
      if ("User-Agent".equalsIgnoreCase(name)) {
        return userAgent;
      }
      return "X-Forwarded-For".equalsIgnoreCase(name) ? forwardedFor : null;
    }

    @Override
    public String remoteAddress() {
      return remoteAddress;
    }
  }

  private void reportOnce(String what, Throwable e) {
    if (!failureReported) {
      failureReported = true;
      SELF.warn("Threadline WebFlux filter {}; the request went on without it ({}). Reported once.", what,
          e.getClass().getName());
    }
  }

  /** This filter's name, {@code ThreadlineWebFilter}: Spring's filter chain asks for it at every request. */
  @Override
  public String toString() {
    return NAME;
  }

  // ---- settings

  @Override
  public int getOrder() {
    return order;
  }

  /** This filter's place among the application's WebFilters. Default {@code Ordered.HIGHEST_PRECEDENCE + 2}. */
  public void setOrder(int order) {
    this.order = order;
  }

  /** The propagator; default: the process's {@linkplain CorrelationPropagator#shared() shared} one. */
  public void setPropagator(CorrelationPropagator propagator) {
    inbound.setPropagator(propagator);
  }

  /**
   * The request-id header this filter reads and echoes, over the rest of its propagator's settings.
   *
   * @throws IllegalArgumentException for an empty name or one that is no HTTP token
   */
  public void setRequestIdHeader(String header) {
    inbound.setRequestIdHeader(header);
  }

  /**
   * The callers trusted to set the ids a request continues, as addresses and CIDR ranges of the connecting peer
   * ({@code 10.0.0.0/8, 192.168.1.5}); any other caller gets a new trace and a fresh request id, and what it sent is
   * logged on the access line as {@code caller_request_id} and {@code caller_trace_id}. Empty (default): every caller.
   *
   * @throws IllegalArgumentException naming the entry that is no IP address or CIDR range
   */
  public void setTrustedCallers(String ranges) {
    inbound.setTrustedCallers(ranges);
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
    access.setEnabled(accessLog);
  }

  /** The logger name of the access lines. Default {@code dev.threadline.access}. */
  public void setAccessLogger(String name) {
    access.setLogger(name);
  }

  /**
   * Comma-separated path patterns (within the application) that get no access line: exact paths, or a prefix
   * ending in {@code /**}. Default: the servlet filter's health-check paths; empty logs every request.
   */
  public void setSkip(String patterns) {
    access.setSkip(patterns);
  }

  /** Whether the access line carries the query string as {@code query}. Default false: queries hold secrets. */
  public void setLogQuery(boolean logQuery) {
    access.setLogQuery(logQuery);
  }

  /** Whether {@code client_ip} is the first address of {@code X-Forwarded-For}; only behind a proxy. Default false. */
  public void setTrustForwardedFor(boolean trustForwardedFor) {
    access.setTrustForwardedFor(trustForwardedFor);
  }

  /** The level of access lines with a 4xx status (499 included): TRACE, DEBUG, INFO, WARN (default) or ERROR. */
  public void setClientErrorLevel(String level) {
    access.setClientErrorLevel(level);
  }

  /** The level of access lines with a 5xx status: TRACE, DEBUG, INFO, WARN or ERROR (default). */
  public void setServerErrorLevel(String level) {
    access.setServerErrorLevel(level);
  }
}
