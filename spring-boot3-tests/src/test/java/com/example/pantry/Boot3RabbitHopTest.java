package com.example.pantry;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.console.ConsoleLines;
import dev.threadline.core.Correlation;
import dev.threadline.web.messaging.EmbeddedRabbit;
import dev.threadline.web.messaging.EnabledIfRabbitBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.stereotype.Component;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * A RabbitMQ hop in a real Spring Boot 3.5 application (Boot's AMQP starter, Spring AMQP 3.2) with the starter,
 * against a real broker ({@link EmbeddedRabbit}): a request's controller sends with Boot's {@code RabbitTemplate}, a
 * {@code @RabbitListener} on Boot's listener container factory logs, and its line carries the request's id and trace
 * in a span whose parent is the controller's. Boot's listener retry stays in the chain: the first attempt fails, and
 * the second logs in the same span.
 */
@SpringBootTest(classes = Boot3RabbitHopTest.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"spring.application.name=pantry",
        "spring.rabbitmq.listener.simple.retry.enabled=true",
        "spring.rabbitmq.listener.simple.retry.initial-interval=10ms",
        "spring.rabbitmq.listener.simple.retry.max-attempts=2"})
@ExtendWith(OutputCaptureExtension.class)
@EnabledIfRabbitBroker
// Closed after the class: Boot configures Logback once per JVM while a context is open (see Boot3JmsHopTest).
@DirtiesContext
class Boot3RabbitHopTest {

  private static EmbeddedRabbit broker;

  // Before the context: its properties read the port.
  @BeforeAll
  static void startBroker() throws Exception {
    broker = EmbeddedRabbit.start();
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  @DynamicPropertySource
  static void broker(DynamicPropertyRegistry registry) {
    registry.add("spring.rabbitmq.host", () -> "127.0.0.1");
    registry.add("spring.rabbitmq.port", () -> broker.port());
    registry.add("spring.rabbitmq.username", () -> "guest");
    registry.add("spring.rabbitmq.password", () -> "guest");
  }

  @SpringBootApplication
  static class App {

    @Bean
    Queue restock() {
      return new Queue("boot3-restock", false, false, true);
    }

    @RestController
    static class Front {
      private final RabbitTemplate template;

      Front(RabbitTemplate template) {
        this.template = template;
      }

      @PostMapping("/restock")
      String restock(@RequestBody String item) {
        LoggerFactory.getLogger("pantry.http").info("restocking {}", item);
        template.convertAndSend("boot3-restock", item);
        return "queued";
      }
    }

    /** The correlation each attempt ran in: a console line carries no parent span id, the correlation does. */
    static final BlockingQueue<Correlation> HANDLED = new ArrayBlockingQueue<>(4);

    @Component
    static class Stocker {
      private int attempts;

      @RabbitListener(queues = "boot3-restock")
      void on(String item) {
        attempts++;
        LoggerFactory.getLogger("pantry.rabbit").info("attempt {} stocking {}", attempts, item);
        HANDLED.add(Correlation.current().orElseThrow());
        if (attempts == 1) {
          throw new IllegalStateException("shelf busy");
        }
      }
    }
  }

  @LocalServerPort
  int port;

  @Test
  void aRequestsMessage_isHandledInAChildOfTheControllersSpan_withTheRequestsIdAndTrace_onEveryAttempt(
      CapturedOutput output) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/restock"))
        .header("X-Request-Id", "req-boot3-rabbit").POST(HttpRequest.BodyPublishers.ofString("flour")).build();
    HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);

    Awaitility.await().atMost(Duration.ofSeconds(30))
        .until(() -> ConsoleLines.of(output.getOut()).byLogger("pantry.rabbit").size() == 2);
    ConsoleLines console = ConsoleLines.of(output.getOut());
    Map<String, Object> access = console.matching(l -> "dev.threadline.access".equals(l.get("logger"))).get(0);
    Map<String, Object> front = console.byLogger("pantry.http").get(0);
    List<Map<String, Object>> attempts = console.byLogger("pantry.rabbit");

    assertThat(access).containsEntry("service", "pantry").containsEntry("requestId", "req-boot3-rabbit")
        .containsEntry("path", "/restock").containsEntry("status", 200);
    assertThat(front).containsEntry("requestId", "req-boot3-rabbit").containsEntry("trace_id", access.get("trace_id"))
        .containsEntry("span_id", access.get("span_id"));
    for (Map<String, Object> attempt : attempts) {
      assertThat(attempt).containsEntry("service", "pantry").containsEntry("requestId", "req-boot3-rabbit")
          .containsEntry("trace_id", access.get("trace_id"));
      assertThat(attempt.get("span_id")).isNotEqualTo(front.get("span_id"));
    }
    for (int i = 0; i < 2; i++) {
      Correlation handled = App.HANDLED.poll(5, TimeUnit.SECONDS);
      assertThat(handled).isNotNull();
      assertThat(handled.parentSpanId()).hasValue((String) front.get("span_id"));
      assertThat(handled.spanId()).isEqualTo(attempts.get(i).get("span_id"));
    }
    assertThat(attempts.get(0)).containsEntry("message", "attempt 1 stocking flour");
    assertThat(attempts.get(1)).containsEntry("message", "attempt 2 stocking flour")
        .containsEntry("span_id", attempts.get(0).get("span_id"));
  }
}
