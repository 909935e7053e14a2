package dev.threadline.benchmarks.web;

import dev.threadline.core.Correlation;
import dev.threadline.web.reactive.ThreadlineWebFilter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.slf4j.MDC;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.support.Netty4HeadersAdapter;
import org.springframework.http.server.RequestPath;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebExchangeDecorator;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import org.springframework.web.server.WebHandler;
import org.springframework.web.server.handler.DefaultWebFilterChain;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;

/**
 * Issue #18: the WebFlux filter's overhead per request (goal: at most 1 µs), without the access line's I/O, as
 * {@link FilterBenchmark} measures the servlet filter's. One request as a caller sends it (traceparent,
 * X-Request-Id, User-Agent and the usual others) through Spring's own {@link DefaultWebFilterChain} (what
 * {@code WebHttpHandlerBuilder} builds: a deferral and a checkpoint per filter) holding {@link ThreadlineWebFilter},
 * to a handler that reads the request id from the MDC inside a Reactor operator; against the same chain without
 * the filter. What a request on Reactor Netty has is there: Reactor's automatic context propagation on (as the
 * starter sets it) with the thread-local accessors found on the class path (Threadline's and Micrometer
 * Observation's), headers over Netty's {@code HttpHeaders} (read-only on the request, as Spring wraps them), a
 * fresh exchange, response and attribute map per request, and threadline-otel-bridge, whose span scope every
 * correlation scope enters. The exchange answers exactly what the filter and the chain ask; the response never
 * commits. So the figure is the filter's own work plus what its context entry costs the chain, not the server's I/O.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class WebFilterBenchmark {

  private WebFilterChain alone;
  private WebFilterChain contextEntryOnly;
  private WebFilterChain withAccessLine;
  private WebFilterChain withoutAccessLine;
  private ServerHttpRequest request;
  private Blackhole hole;

  @Setup
  public void setUp(Blackhole blackhole) {
    WebBench.logbackWithoutIo();
    Hooks.enableAutomaticContextPropagation();
    ThreadlineWebFilter logging = new ThreadlineWebFilter();
    ThreadlineWebFilter quiet = new ThreadlineWebFilter();
    quiet.setAccessLog(false);
    hole = blackhole;
    WebHandler handler = exchange -> Mono.fromRunnable(() -> hole.consume(MDC.get("requestId")));
    alone = new DefaultWebFilterChain(handler, List.of());
    Correlation caller = Correlation.newTrace("01kkp3m9z8r5w2f7c0x4");
    contextEntryOnly = new DefaultWebFilterChain(handler, List.of(new ContextEntryOnly(caller)));
    withAccessLine = new DefaultWebFilterChain(handler, List.of(logging));
    withoutAccessLine = new DefaultWebFilterChain(handler, List.of(quiet));
    request = new Request();
    checkTheFilterWorks(logging);
    checkTheFilterWorks(quiet);
    checkTheFilterWorks(new ContextEntryOnly(caller));
  }

  /** Fails the run if the filter fell back to its failure path (which would measure nothing of its work). */
  private static void checkTheFilterWorks(WebFilter filter) {
    String[] seen = new String[1];
    Exchange exchange = new Exchange(new Request());
    WebHandler handler = e -> Mono.fromRunnable(() -> seen[0] = MDC.get("requestId"));
    new DefaultWebFilterChain(handler, List.of(filter)).filter(exchange).subscribe();
    String echoed = filter instanceof ContextEntryOnly ? "01kkp3m9z8r5w2f7c0x4"
        : exchange.getResponse().getHeaders().getFirst("X-Request-Id");
    if (!"01kkp3m9z8r5w2f7c0x4".equals(seen[0]) || !"01kkp3m9z8r5w2f7c0x4".equals(echoed)
        || MDC.get("requestId") != null) {
      throw new IllegalStateException("the filter did not run: MDC " + seen[0] + ", echoed " + echoed
          + ", left on the thread " + MDC.get("requestId"));
    }
  }

  @Benchmark
  public void chainAlone() {
    alone.filter(new Exchange(request)).subscribe();
  }

  /**
   * A filter that only puts a correlation in the request's Reactor context: the floor of any WebFilter that carries a
   * value to the request's operators by automatic context propagation (and Spring's cost of one more filter).
   */
  @Benchmark
  public void contextEntryOnly() {
    contextEntryOnly.filter(new Exchange(request)).subscribe();
  }

  @Benchmark
  public void filterWithAccessLine() {
    withAccessLine.filter(new Exchange(request)).subscribe();
  }

  @Benchmark
  public void filterWithoutAccessLine() {
    withoutAccessLine.filter(new Exchange(request)).subscribe();
  }

  /** The least a filter does to carry a correlation: one {@code contextWrite}; named once, as Threadline's filter. */
  static final class ContextEntryOnly implements WebFilter {
    /** Core's context-propagation key (its accessor is internal); {@code setUp} checks that the ids arrive. */
    private static final String KEY = "dev.threadline.correlation";
    private final Correlation correlation;

    ContextEntryOnly(Correlation correlation) {
      this.correlation = correlation;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
      return chain.filter(exchange).contextWrite(c -> c.put(KEY, correlation));
    }

    @Override
    public String toString() {
      return "ContextEntryOnly";
    }
  }

  /** Headers over Netty's, as Reactor Netty's request and response have them. */
  static HttpHeaders nettyHeaders() {
    return new HttpHeaders(new Netty4HeadersAdapter(new io.netty.handler.codec.http.DefaultHttpHeaders()));
  }

  /** A GET from a traced caller; the server parsed its headers once. */
  static final class Request extends ServerHttpRequestDecorator {
    private static final URI URI_ = URI.create("http://orders.internal/api/orders/42");
    private final HttpHeaders headers;
    private final RequestPath path = RequestPath.parse(URI_, "");
    private final InetSocketAddress remote = new InetSocketAddress("10.0.3.7", 41234);

    Request() {
      super(WebBench.unusable(ServerHttpRequest.class));
      HttpHeaders sent = nettyHeaders();
      sent.set("Host", "orders.internal");
      sent.set("Accept", "application/json");
      sent.set("Accept-Encoding", "gzip");
      sent.set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
      sent.set("X-Request-Id", "01kkp3m9z8r5w2f7c0x4");
      sent.set("User-Agent", "okhttp/4.12.0");
      headers = HttpHeaders.readOnlyHttpHeaders(sent);
    }

    @Override
    public HttpHeaders getHeaders() {
      return headers;
    }

    @Override
    public URI getURI() {
      return URI_;
    }

    @Override
    public RequestPath getPath() {
      return path;
    }

    @Override
    public HttpMethod getMethod() {
      return HttpMethod.GET;
    }

    @Override
    public InetSocketAddress getRemoteAddress() {
      return remote;
    }
  }

  /** A response not yet committed, with its own headers; status 200. */
  static final class Response extends ServerHttpResponseDecorator {
    private static final ServerHttpResponse NONE = WebBench.unusable(ServerHttpResponse.class);
    private final HttpHeaders headers = nettyHeaders();
    private java.util.function.Supplier<? extends Mono<Void>> beforeCommit;

    Response() {
      super(NONE);
    }

    @Override
    public HttpHeaders getHeaders() {
      return headers;
    }

    @Override
    public HttpStatusCode getStatusCode() {
      return null;
    }

    @Override
    public boolean isCommitted() {
      return false;
    }

    @Override
    public void beforeCommit(java.util.function.Supplier<? extends Mono<Void>> action) {
      // Kept, as a server's response keeps it; never committed here.
      this.beforeCommit = action;
    }
  }

  /** One exchange per request, as the server makes one. */
  static final class Exchange extends ServerWebExchangeDecorator {
    private static final ServerWebExchange NONE = WebBench.unusable(ServerWebExchange.class);
    private final ServerHttpRequest request;
    private final ServerHttpResponse response = new Response();
    private final Map<String, Object> attributes = new HashMap<>(4);

    Exchange(ServerHttpRequest request) {
      super(NONE);
      this.request = request;
    }

    @Override
    public ServerHttpRequest getRequest() {
      return request;
    }

    @Override
    public ServerHttpResponse getResponse() {
      return response;
    }

    @Override
    public Map<String, Object> getAttributes() {
      return attributes;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getAttribute(String name) {
      return (T) attributes.get(name);
    }
  }
}
