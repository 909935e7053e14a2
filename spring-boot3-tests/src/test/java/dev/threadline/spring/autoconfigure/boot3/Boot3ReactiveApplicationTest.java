package dev.threadline.spring.autoconfigure.boot3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.threadline.logback.ThreadlineEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
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
 * The starter in a Spring Boot 3.5 WebFlux application (Spring 6.2, Reactor 3.7; Boot 3.5 serves it on Tomcat, which
 * it prefers to Reactor Netty when both are present, so the request is recycled before the access line is written):
 * the response echoes X-Request-Id, and the controller's lines, after a thread hop and a delay, carry the request id
 * and the same trace and span as the request's access line.
 */
@SpringBootTest(classes = Boot3ReactiveApplicationTest.App.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"spring.application.name=orders", "spring.main.web-application-type=reactive"})
// Closed after the class: Boot configures Logback once per JVM while a context is open, so a cached context would
// give the next test's lines this one's service name (see Boot3JmsHopTest).
@org.springframework.test.annotation.DirtiesContext
class Boot3ReactiveApplicationTest {

  @org.springframework.boot.SpringBootConfiguration
  @org.springframework.boot.autoconfigure.EnableAutoConfiguration
  @org.springframework.context.annotation.Import(App.Orders.class)
  static class App {
    @RestController
    static class Orders {
      private static final org.slf4j.Logger LOG = LoggerFactory.getLogger("orders.web");

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

  /** Lines encoded by the real encoder and parsed back from their JSON. */
  static final class JsonLines extends AppenderBase<ILoggingEvent> {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ThreadlineEncoder encoder = new ThreadlineEncoder();
    final List<Map<String, Object>> lines = new CopyOnWriteArrayList<>();

    JsonLines(LoggerContext context) {
      setContext(context);
      encoder.setContext(context);
      encoder.start();
      start();
    }

    @Override
    protected void append(ILoggingEvent event) {
      try {
        lines.add(JSON.readValue(new String(encoder.encode(event), StandardCharsets.UTF_8),
            new TypeReference<Map<String, Object>>() { }));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    List<Map<String, Object>> byLogger(String name) {
      return lines.stream().filter(l -> name.equals(l.get("logger"))).toList();
    }
  }

  @LocalServerPort
  int port;

  @Test
  void theResponseEchoesTheRequestId_andTheControllersLinesCarryIt() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    JsonLines capture = new JsonLines(context);
    root.addAppender(capture);
    try {
      ResponseEntity<String> response = WebClient.create("http://127.0.0.1:" + port).get().uri("/orders/7")
          .header("X-Request-Id", "boot3-reactive-1")
          .retrieve().toEntity(String.class).block(Duration.ofSeconds(10));

      assertThat(response.getBody()).isEqualTo("order 7");
      assertThat(response.getHeaders().getFirst("X-Request-Id")).isEqualTo("boot3-reactive-1");
      await().atMost(5, TimeUnit.SECONDS).until(() -> !capture.byLogger("dev.threadline.access").isEmpty());
      // Micrometer Tracing is on this class path: the request's span is the tracer's, and the lines carry its trace.
      Map<String, Object> access = capture.byLogger("dev.threadline.access").get(0);
      assertThat(access).containsEntry("requestId", "boot3-reactive-1").containsEntry("status", 200)
          .containsEntry("path", "/orders/7").containsKey("trace_id");
      assertThat(capture.byLogger("orders.web")).hasSize(2).allSatisfy(line -> assertThat(line)
          .containsEntry("requestId", "boot3-reactive-1")
          .containsEntry("trace_id", access.get("trace_id"))
          .containsEntry("span_id", access.get("span_id")));
    } finally {
      root.detachAppender(capture);
      capture.stop();
    }
  }
}
