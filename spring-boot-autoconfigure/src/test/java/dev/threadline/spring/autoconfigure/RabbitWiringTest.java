package dev.threadline.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadline.core.Correlation;
import dev.threadline.spring.autoconfigure.internal.RabbitPropagation;
import dev.threadline.web.LogCapture;
import dev.threadline.web.messaging.EmbeddedRabbit;
import dev.threadline.web.messaging.EnabledIfRabbitBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.rabbit.annotation.Queue;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.stereotype.Component;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Spring AMQP in a real Spring Boot 4.1 web application with nothing but the auto-configuration, against a real AMQP
 * 0-9-1 broker in the test process ({@link EmbeddedRabbit}): a request's controller sends with Boot's
 * {@code RabbitTemplate}, a {@code @RabbitListener} logs, and the listener's line carries the request's id and trace
 * in a span whose parent is the controller's. Boot's listener retry stays in the chain, behind Threadline's advice.
 */
@SpringBootTest(classes = RabbitWiringTest.App.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"spring.application.name=orders",
        "spring.rabbitmq.listener.simple.retry.enabled=true",
        "spring.rabbitmq.listener.simple.retry.initial-interval=10ms",
        "spring.rabbitmq.listener.simple.retry.max-attempts=2"})
@EnabledIfRabbitBroker
class RabbitWiringTest {

  private static EmbeddedRabbit broker;

  // Before the context: its properties read the port.
  @BeforeAll
  static void startBroker() throws Exception {
    broker = EmbeddedRabbit.start();
  }

  @DynamicPropertySource
  static void broker(DynamicPropertyRegistry registry) {
    registry.add("spring.rabbitmq.host", () -> "127.0.0.1");
    registry.add("spring.rabbitmq.port", () -> broker.port());
    registry.add("spring.rabbitmq.username", () -> "guest");
    registry.add("spring.rabbitmq.password", () -> "guest");
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  // Not @SpringBootApplication: a component scan of this package would take in other tests' applications.
  @org.springframework.boot.SpringBootConfiguration
  @org.springframework.boot.autoconfigure.EnableAutoConfiguration
  @org.springframework.context.annotation.Import({App.Front.class, App.Orders.class})
  static class App {
    static final BlockingQueue<Correlation> HANDLED = new LinkedBlockingQueue<>();
    static final BlockingQueue<Correlation> FLAKY = new LinkedBlockingQueue<>();
    static final AtomicInteger FLAKY_CALLS = new AtomicInteger();

    @RestController
    static class Front {
      private final RabbitTemplate rabbit;

      Front(RabbitTemplate rabbit) {
        this.rabbit = rabbit;
      }

      @GetMapping("/orders")
      String place() {
        LoggerFactory.getLogger("orders.front").info("order accepted");
        rabbit.convertAndSend("boot-orders", "order 5");
        return "accepted";
      }

      @GetMapping("/flaky")
      String flaky() {
        rabbit.convertAndSend("boot-flaky", "order 6");
        return "accepted";
      }
    }

    @Component
    static class Orders {
      @RabbitListener(queuesToDeclare = @Queue(name = "boot-orders", durable = "false"))
      void on(String body) {
        LoggerFactory.getLogger("orders.listener").info("handling {}", body);
        HANDLED.add(Correlation.current().orElseThrow());
      }

      @RabbitListener(queuesToDeclare = @Queue(name = "boot-flaky", durable = "false"))
      void flaky(String body) {
        FLAKY.add(Correlation.current().orElseThrow());
        if (FLAKY_CALLS.incrementAndGet() == 1) {
          throw new IllegalStateException("first attempt fails");
        }
        LoggerFactory.getLogger("orders.flaky").info("handled {} on attempt 2", body);
      }
    }
  }

  @LocalServerPort
  int port;

  @Autowired
  RabbitTemplate template;

  @Autowired
  RabbitPropagation propagation;

  private HttpResponse<String> get(String path, String requestId) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("X-Request-Id", requestId).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aListenerRunsInAChildOfTheRequestsSpan_withTheRequestsIdAndTrace() throws Exception {
    try (LogCapture capture = LogCapture.capture()) {
      assertThat(get("/orders", "req-boot-rabbit").body()).isEqualTo("accepted");
      Correlation handled = App.HANDLED.poll(30, TimeUnit.SECONDS);
      assertThat(handled).as("the message arrived").isNotNull();
      Awaitility.await().atMost(Duration.ofSeconds(10))
          .until(() -> !capture.byLogger("orders.listener").isEmpty());

      Map<String, Object> front = only(capture.byLogger("orders.front"));
      Map<String, Object> listener = only(capture.byLogger("orders.listener"));
      assertThat(front).containsEntry("requestId", "req-boot-rabbit");
      assertThat(listener).containsEntry("requestId", "req-boot-rabbit")
          .containsEntry("trace_id", front.get("trace_id"))
          .containsEntry("span_id", handled.spanId())
          .containsEntry("message", "handling order 5");
      assertThat(listener.get("span_id")).isNotEqualTo(front.get("span_id"));
      assertThat(handled.parentSpanId()).as("the producer's span is the parent")
          .hasValue((String) front.get("span_id"));
      assertThat((String) listener.get("thread")).isNotEqualTo(front.get("thread"));
      assertThat(template.getBeforePublishPostProcessors()).hasSize(1);
    }
  }

  @Test
  void bootsRetryStaysBehindThreadlinesAdvice_everyAttemptInTheSameSpan() throws Exception {
    try (LogCapture capture = LogCapture.capture()) {
      get("/flaky", "req-boot-flaky");
      Correlation first = App.FLAKY.poll(30, TimeUnit.SECONDS);
      Correlation second = App.FLAKY.poll(30, TimeUnit.SECONDS);
      assertThat(first).isNotNull();
      assertThat(second).as("Boot's retry advice ran a second attempt").isNotNull();
      assertThat(second.spanId()).as("the retry runs inside Threadline's scope").isEqualTo(first.spanId());
      assertThat(first.requestId()).isEqualTo("req-boot-flaky");
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !capture.byLogger("orders.flaky").isEmpty());
      assertThat(only(capture.byLogger("orders.flaky"))).containsEntry("requestId", "req-boot-flaky")
          .containsEntry("span_id", first.spanId()).containsEntry("trace_id", first.traceId());
    }
  }

  private static Map<String, Object> only(List<Map<String, Object>> lines) {
    assertThat(lines).hasSize(1);
    return lines.get(0);
  }
}
