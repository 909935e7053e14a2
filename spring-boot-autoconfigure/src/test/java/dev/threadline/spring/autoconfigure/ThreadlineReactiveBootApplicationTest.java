package dev.threadline.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.threadline.web.LogCapture;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * A real Spring Boot 4.1 WebFlux application on Reactor Netty with nothing but the auto-configuration (issue #18's
 * failing case): the response echoes X-Request-Id, and the controller's lines, logged after a thread hop and a
 * delay, carry the request id and trace id of the request, as its access line does.
 */
@SpringBootTest(classes = ThreadlineReactiveBootApplicationTest.App.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"spring.application.name=orders", "spring.main.web-application-type=reactive"})
class ThreadlineReactiveBootApplicationTest {

  @org.springframework.boot.SpringBootConfiguration
  @org.springframework.boot.autoconfigure.EnableAutoConfiguration
  @org.springframework.context.annotation.Import(App.Orders.class)
  static class App {
    @RestController
    static class Orders {
      private static final Logger LOG = LoggerFactory.getLogger("orders.web");

      @GetMapping("/orders/{id}")
      Mono<String> order(@PathVariable("id") String id) {
        LOG.info("order {} requested", id);
        return Mono.just(id).publishOn(Schedulers.parallel()).delayElement(Duration.ofMillis(20))
            .map(found -> {
              LOG.info("order {} found", found);
              return "order " + found;
            });
      }
    }
  }

  @LocalServerPort
  int port;

  @Test
  void theResponseEchoesTheRequestId_andTheControllersLinesCarryIt() {
    try (LogCapture capture = LogCapture.capture()) {
      ResponseEntity<String> response = WebClient.create("http://127.0.0.1:" + port).get().uri("/orders/42")
          .header("X-Request-Id", "boot-reactive-1")
          .header("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
          .retrieve().toEntity(String.class).block(Duration.ofSeconds(10));

      assertThat(response.getBody()).isEqualTo("order 42");
      assertThat(response.getHeaders().getFirst("X-Request-Id")).isEqualTo("boot-reactive-1");
      await().atMost(5, TimeUnit.SECONDS).until(() -> !capture.byLogger("dev.threadline.access").isEmpty());
      List<Map<String, Object>> controller = capture.byLogger("orders.web");
      assertThat(controller).hasSize(2).allSatisfy(line -> assertThat(line)
          .containsEntry("requestId", "boot-reactive-1")
          .containsEntry("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736"));
      assertThat(controller.get(1).get("thread")).isNotEqualTo(controller.get(0).get("thread"));
      Map<String, Object> access = capture.byLogger("dev.threadline.access").get(0);
      assertThat(access).containsEntry("requestId", "boot-reactive-1").containsEntry("path", "/orders/42")
          .containsEntry("status", 200).containsEntry("parent_span_id", "00f067aa0ba902b7")
          .containsEntry("span_id", controller.get(0).get("span_id"));
    }
  }
}
