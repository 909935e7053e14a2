package dev.threadline.web.reactive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.threadline.web.LogCapture;
import dev.threadline.web.client.spring.ThreadlineExchangeFilterFunction;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ResponseEntity;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * The WebFlux filter on a real Reactor Netty server, called over real HTTP: ids in and out, the access line, the
 * request's ids on every line its operators log on whichever thread, and no line ever with another request's ids.
 */
class ThreadlineWebFilterTest {

  private static final Logger APP = LoggerFactory.getLogger("app");
  private static final java.util.concurrent.CountDownLatch SLOW_STARTED = new java.util.concurrent.CountDownLatch(1);

  private static ReactiveServer server;
  private static WebClient client;
  private static ConnectionProvider connections;
  private LogCapture capture;

  @BeforeAll
  static void start() {
    Hooks.enableAutomaticContextPropagation();
    server = new ReactiveServer(new ThreadlineWebFilter(), routes(), ThreadlineWebFilterTest::throwingFilter);
    connections = ConnectionProvider.builder("test-client").maxConnections(200).pendingAcquireMaxCount(-1).build();
    client = WebClient.builder().clientConnector(new ReactorClientHttpConnector(HttpClient.create(connections)))
        .build();
  }

  @AfterAll
  static void stop() {
    server.close();
    connections.disposeLater().block();
    Hooks.disableAutomaticContextPropagation();
  }

  @BeforeEach
  void capture() {
    capture = LogCapture.capture();
  }

  @AfterEach
  void release() {
    capture.close();
  }

  /** Every app line says which request the handler served (read from the request, not from the MDC). */
  private static void log(ServerRequest request, String step) {
    APP.atInfo().addKeyValue("served", request.headers().firstHeader("X-Request-Id")).addKeyValue("step", step)
        .log(step);
  }

  /** A filter behind Threadline's that logs while the chain is assembled and, on {@code /thrown}, throws at once. */
  private static Mono<Void> throwingFilter(ServerWebExchange exchange, WebFilterChain chain) {
    if (!exchange.getRequest().getPath().value().equals("/thrown")) {
      return chain.filter(exchange);
    }
    APP.atInfo().addKeyValue("served", exchange.getRequest().getHeaders().getFirst("X-Request-Id"))
        .addKeyValue("step", "assembly").log("assembly");
    throw new IllegalStateException("thrown while the chain is assembled");
  }

  private static RouterFunction<ServerResponse> routes() {
    WebClient outbound = WebClient.builder().filter(new ThreadlineExchangeFilterFunction()).build();
    return RouterFunctions.route()
        .GET("/hello", request -> {
          log(request, "handler");
          return ServerResponse.ok().bodyValue("hello");
        })
        .GET("/hops", request -> {
          int delay = ThreadLocalRandom.current().nextInt(0, 20);
          return Mono.just(request)
              .doOnNext(r -> log(r, "start"))
              .publishOn(Schedulers.parallel())
              .map(r -> {
                log(r, "publishOn");
                return r;
              })
              .delayElement(Duration.ofMillis(delay))
              .flatMap(r -> Mono.fromCallable(() -> {
                log(r, "subscribeOn");
                return r;
              }).subscribeOn(Schedulers.boundedElastic()))
              .flatMap(r -> Mono.delay(Duration.ofMillis(delay)).thenReturn(r))
              .flatMap(r -> {
                log(r, "end");
                return ServerResponse.ok().bodyValue("ok");
              });
        })
        .GET("/call", request -> outbound.get().uri(server.url("/hello")).retrieve().bodyToMono(String.class)
            .map(body -> {
              log(request, "response");
              return body;
            })
            .flatMap(body -> ServerResponse.ok().bodyValue(body)))
        .GET("/slow", request -> {
          SLOW_STARTED.countDown();
          return Mono.delay(Duration.ofSeconds(30)).then(ServerResponse.ok().bodyValue("late"));
        })
        .GET("/boom", request -> Mono.error(new IllegalStateException("boom")))
        .GET("/teapot", request -> Mono.error(new ResponseStatusException(HttpStatusCode.valueOf(418))))
        .GET("/healthz", request -> ServerResponse.ok().bodyValue("up"))
        .build();
  }

  private static ResponseEntity<String> get(String path, String requestId) {
    return client.get().uri(server.url(path)).headers(h -> {
      if (requestId != null) {
        h.set("X-Request-Id", requestId);
      }
    }).exchangeToMono(r -> r.toEntity(String.class)).block(Duration.ofSeconds(10));
  }

  private List<Map<String, Object>> accessLines(String requestId) {
    return capture.lines(l -> "dev.threadline.access".equals(l.get("logger")) && requestId.equals(l.get("requestId")));
  }

  @Test
  void callerIdsContinue_requestIdEchoed_oneAccessLine() {
    String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    ResponseEntity<String> response = client.get().uri(server.url("/hello?secret=1"))
        .header("X-Request-Id", "caller-1").header("traceparent", traceparent).header("User-Agent", "probe/1")
        .retrieve().toEntity(String.class).block(Duration.ofSeconds(10));

    assertThat(response.getHeaders().getFirst("X-Request-Id")).isEqualTo("caller-1");
    await().atMost(5, TimeUnit.SECONDS).until(() -> accessLines("caller-1").size() == 1);
    Map<String, Object> access = accessLines("caller-1").get(0);
    assertThat(access).containsEntry("level", "info").containsEntry("method", "GET").containsEntry("path", "/hello")
        .containsEntry("status", 200).containsEntry("user_agent", "probe/1").containsEntry("client_ip", "127.0.0.1")
        .containsEntry("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736")
        .containsEntry("parent_span_id", "00f067aa0ba902b7").containsKey("duration_ms").doesNotContainKey("query");
    assertThat(access.get("span_id")).isNotEqualTo("00f067aa0ba902b7");
    Map<String, Object> handler = capture.lines(l -> "handler".equals(l.get("step"))).get(0);
    assertThat(handler).containsEntry("requestId", "caller-1").containsEntry("span_id", access.get("span_id"));
  }

  @Test
  void noIdsIn_freshIdsOut() {
    ResponseEntity<String> response = get("/hello", null);
    String requestId = response.getHeaders().getFirst("X-Request-Id");
    assertThat(requestId).isNotBlank();
    await().atMost(5, TimeUnit.SECONDS).until(() -> accessLines(requestId).size() == 1);
    assertThat(accessLines(requestId).get(0)).doesNotContainKey("parent_span_id").containsKey("trace_id");
  }

  @Test
  void errorsGiveTheirStatusAndLevel_healthChecksNoLine() {
    assertThat(get("/boom", "boom-1").getStatusCode().value()).isEqualTo(500);
    assertThat(get("/teapot", "teapot-1").getStatusCode().value()).isEqualTo(418);
    assertThat(get("/nowhere", "missing-1").getStatusCode().value()).isEqualTo(404);
    assertThat(get("/healthz", "health-1").getHeaders().getFirst("X-Request-Id")).isEqualTo("health-1");

    await().atMost(5, TimeUnit.SECONDS).until(() -> accessLines("missing-1").size() == 1);
    await().atMost(5, TimeUnit.SECONDS).until(() -> accessLines("teapot-1").size() == 1);
    await().atMost(5, TimeUnit.SECONDS).until(() -> accessLines("boom-1").size() == 1);
    assertThat(accessLines("boom-1").get(0)).containsEntry("status", 500).containsEntry("level", "error");
    assertThat(accessLines("teapot-1").get(0)).containsEntry("status", 418).containsEntry("level", "warn");
    assertThat(accessLines("missing-1").get(0)).containsEntry("status", 404).containsEntry("level", "warn");
    assertThat(accessLines("health-1")).isEmpty();
  }

  @Test
  void aFilterThatThrowsWhileTheChainIsAssembled_logsWithTheIds_andGetsA500Line() {
    assertThat(get("/thrown", "thrown-1").getStatusCode().value()).isEqualTo(500);

    await().atMost(5, TimeUnit.SECONDS).until(() -> accessLines("thrown-1").size() == 1);
    assertThat(accessLines("thrown-1").get(0)).containsEntry("status", 500).containsEntry("level", "error")
        .containsEntry("path", "/thrown");
    Map<String, Object> assembly = capture.lines(l -> "assembly".equals(l.get("step"))).get(0);
    assertThat(assembly).containsEntry("served", "thrown-1").containsEntry("requestId", "thrown-1")
        .containsEntry("span_id", accessLines("thrown-1").get(0).get("span_id"));
  }

  @Test
  void traceparentIsReadCaseInsensitively_andTwoOfThemAreNoParent() {
    String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    String traceparent = "00-" + traceId + "-00f067aa0ba902b7-01";
    client.get().uri(server.url("/hello")).header("X-Request-Id", "one-tp").header("TraceParent", traceparent)
        .retrieve().toBodilessEntity().block(Duration.ofSeconds(10));
    client.get().uri(server.url("/hello")).header("X-Request-Id", "two-tp")
        .header("traceparent", traceparent, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
        .retrieve().toBodilessEntity().block(Duration.ofSeconds(10));

    await().atMost(5, TimeUnit.SECONDS).until(() -> accessLines("one-tp").size() == 1
        && accessLines("two-tp").size() == 1);
    assertThat(accessLines("one-tp").get(0)).containsEntry("trace_id", traceId)
        .containsEntry("parent_span_id", "00f067aa0ba902b7");
    // W3C: more than one traceparent is no valid parent, so the request starts a trace of its own.
    assertThat(accessLines("two-tp").get(0)).doesNotContainKey("parent_span_id")
        .doesNotContainEntry("trace_id", traceId)
        .doesNotContainEntry("trace_id", "0af7651916cd43dd8448eb211c80319c");
  }

  @Test
  void aWebClientCallAndItsResponseCarryTheRequestIds() {
    ResponseEntity<String> response = get("/call", "outer-1");
    assertThat(response.getBody()).isEqualTo("hello");

    // Both requests (the outer one and the /hello it calls) end with an access line of the same request id.
    await().atMost(5, TimeUnit.SECONDS).until(() -> accessLines("outer-1").size() == 2);
    Map<String, Object> outer = accessLines("outer-1").stream().filter(l -> "/call".equals(l.get("path")))
        .findFirst().orElseThrow();
    Map<String, Object> inner = accessLines("outer-1").stream().filter(l -> "/hello".equals(l.get("path")))
        .findFirst().orElseThrow();
    Map<String, Object> call = capture.byLogger("dev.threadline.client").get(0);
    assertThat(call).containsEntry("requestId", "outer-1").containsEntry("trace_id", outer.get("trace_id"));
    assertThat(inner).containsEntry("trace_id", outer.get("trace_id"))
        .containsEntry("parent_span_id", call.get("span_id"));
    Map<String, Object> afterResponse = capture.lines(l -> "response".equals(l.get("step"))).get(0);
    assertThat(afterResponse).containsEntry("requestId", "outer-1").containsEntry("span_id", outer.get("span_id"));
  }

  @Test
  void aThousandInterleavedRequestsWithHops_noLineCarriesAnotherRequestsIds() {
    List<String> ids = Flux.range(0, 1_000)
        .flatMap(i -> client.get().uri(server.url("/hops")).header("X-Request-Id", "hop-" + i)
            .retrieve().toBodilessEntity().map(r -> r.getHeaders().getFirst("X-Request-Id")), 256)
        .collectList().block(Duration.ofSeconds(60));
    assertThat(ids).hasSize(1_000).doesNotContainNull();

    await().atMost(10, TimeUnit.SECONDS)
        .until(() -> capture.lines(l -> "dev.threadline.access".equals(l.get("logger"))).size() >= 1_000);
    List<Map<String, Object>> app = capture.lines(l -> l.get("served") != null);
    assertThat(app).hasSize(4_000);
    List<Map<String, Object>> wrong = app.stream().filter(l -> !l.get("served").equals(l.get("requestId"))).toList();
    assertThat(wrong).as("lines with another request's ids (or none)").isEmpty();
    // Every thread the work hopped over was used, and each request's lines share one trace.
    assertThat(app.stream().map(l -> l.get("thread")).filter(t -> t != null).distinct().count()).isGreaterThan(2);
    Map<Object, List<Object>> traces = app.stream().collect(java.util.stream.Collectors.groupingBy(
        l -> l.get("requestId"), java.util.stream.Collectors.mapping(l -> l.get("trace_id"),
            java.util.stream.Collectors.toList())));
    assertThat(traces).hasSize(1_000).allSatisfy((id, t) -> assertThat(t).hasSize(4).containsOnly(t.get(0)));
    assertThat(capture.lines(l -> "dev.threadline.access".equals(l.get("logger"))))
        .allSatisfy(l -> assertThat(l.get("requestId")).asString().startsWith("hop-"));
  }

  @Test
  void aClientThatGoesAwayStillGetsItsAccessLine() {
    // The client gives up once the server is handling the request, and closes its connection: the server cancels
    // the request's chain.
    HttpClient impatient = HttpClient.create(ConnectionProvider.newConnection());
    reactor.core.Disposable call = WebClient.builder().clientConnector(new ReactorClientHttpConnector(impatient))
        .build().get().uri(server.url("/slow")).header("X-Request-Id", "gone-1").retrieve().bodyToMono(String.class)
        .subscribe(body -> { }, error -> { });
    await().atMost(10, TimeUnit.SECONDS).until(() -> SLOW_STARTED.getCount() == 0);
    assertThat(accessLines("gone-1")).isEmpty();
    call.dispose();
    await().atMost(10, TimeUnit.SECONDS).until(() -> accessLines("gone-1").size() == 1);
    assertThat(accessLines("gone-1").get(0)).containsEntry("status", 499).containsEntry("level", "warn")
        .containsEntry("path", "/slow");
  }
}
