package dev.threadline.web.reactive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.threadline.web.LogCapture;
import dev.threadline.web.TomcatServer;
import dev.threadline.web.client.jdk.TracingHttpClient;
import dev.threadline.web.client.spring.ThreadlineExchangeFilterFunction;
import dev.threadline.web.servlet.ThreadlineFilter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * One request through three real services, WebFlux → servlet → WebFlux: the front (Reactor Netty) calls the middle
 * (Tomcat) with WebClient, which calls the leaf (Reactor Netty) with the JDK client. One request id and one trace in
 * every service's lines, each server span the child of its caller's client span.
 */
class ReactiveServletChainTest {

  @Test
  void webFluxToServletToWebFlux_oneRequestIdOneTrace_eachHopTheChildOfItsCaller() throws Exception {
    Hooks.enableAutomaticContextPropagation();
    HttpClient jdk = TracingHttpClient.wrap(HttpClient.newHttpClient());
    try (LogCapture capture = LogCapture.capture();
        ReactiveServer leaf = new ReactiveServer(new ThreadlineWebFilter(), RouterFunctions.route()
            .GET("/leaf", request -> Mono.just("leaf").publishOn(Schedulers.parallel()).flatMap(body -> {
              LoggerFactory.getLogger("leaf").info("leaf answers");
              return ServerResponse.ok().bodyValue(body);
            })).build());
        TomcatServer middle = new TomcatServer(4).threadline(new ThreadlineFilter())
            .servlet("/middle", new HttpServlet() {
              @Override
              protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
                try {
                  String body = jdk.send(HttpRequest.newBuilder(URI.create(leaf.url("/leaf"))).build(),
                      HttpResponse.BodyHandlers.ofString()).body();
                  LoggerFactory.getLogger("middle").info("middle got {}", body);
                  resp.getWriter().write("middle+" + body);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  resp.setStatus(500);
                }
              }
            }).start()) {
      WebClient toMiddle = WebClient.builder().filter(new ThreadlineExchangeFilterFunction()).build();
      try (ReactiveServer front = new ReactiveServer(new ThreadlineWebFilter(), RouterFunctions.route()
          .GET("/front", request -> toMiddle.get().uri(middle.url("/middle")).retrieve().bodyToMono(String.class)
              .map(body -> {
                LoggerFactory.getLogger("front").info("front got {}", body);
                return body;
              })
              .flatMap(body -> ServerResponse.ok().bodyValue(body))).build())) {
        String requestId = WebClient.create().get().uri(front.url("/front")).retrieve().toEntity(String.class)
            .map(r -> r.getBody() + " " + r.getHeaders().getFirst("X-Request-Id")).block(Duration.ofSeconds(10))
            .split(" ")[1];

        await().atMost(5, TimeUnit.SECONDS).until(() -> capture.byLogger("dev.threadline.access").size() == 3);
        List<Map<String, Object>> access = capture.byLogger("dev.threadline.access");
        Map<String, Object> frontLine = line(access, "/front");
        Map<String, Object> middleLine = line(access, "/middle");
        Map<String, Object> leafLine = line(access, "/leaf");
        Object traceId = frontLine.get("trace_id");
        assertThat(capture.lines(l -> List.of("front", "middle", "leaf", "dev.threadline.access",
            "dev.threadline.client").contains(l.get("logger")))).hasSize(8)
            .allSatisfy(l -> assertThat(l).containsEntry("requestId", requestId).containsEntry("trace_id", traceId));
        List<Map<String, Object>> calls = capture.byLogger("dev.threadline.client");
        Map<String, Object> frontCall = calls.stream().filter(l -> "/middle".equals(l.get("path"))).findFirst()
            .orElseThrow();
        Map<String, Object> middleCall = calls.stream().filter(l -> "/leaf".equals(l.get("path"))).findFirst()
            .orElseThrow();
        assertThat(frontLine).doesNotContainKey("parent_span_id");
        assertThat(frontCall).containsEntry("parent_span_id", frontLine.get("span_id"));
        assertThat(middleLine).containsEntry("parent_span_id", frontCall.get("span_id"));
        assertThat(middleCall).containsEntry("parent_span_id", middleLine.get("span_id"));
        assertThat(leafLine).containsEntry("parent_span_id", middleCall.get("span_id"));
        assertThat(capture.byLogger("leaf").get(0)).containsEntry("span_id", leafLine.get("span_id"));
        assertThat(capture.byLogger("front").get(0)).containsEntry("span_id", frontLine.get("span_id"));
      }
    } finally {
      Hooks.disableAutomaticContextPropagation();
    }
  }

  private static Map<String, Object> line(List<Map<String, Object>> lines, String path) {
    return lines.stream().filter(l -> path.equals(l.get("path"))).findFirst().orElseThrow();
  }
}
