package dev.threadline.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadline.web.LogCapture;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.env.Environment;
import org.springframework.scheduling.annotation.Async;
import org.springframework.scheduling.annotation.EnableAsync;
import org.springframework.stereotype.Service;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;

/**
 * A real Spring Boot web application on a random port with nothing but the auto-configuration: a request to a
 * controller that calls another endpoint through the Boot-provided RestClient.Builder, runs an @Async method and
 * sends a JMS message through a real embedded Artemis broker to a @JmsListener. Every captured JSON line shares the
 * request id and trace, with the right span parents.
 */
@SpringBootTest(classes = ThreadlineBootApplicationTest.App.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = "spring.application.name=orders")
class ThreadlineBootApplicationTest {

  private static org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ broker;

  @org.junit.jupiter.api.BeforeAll
  static void startBroker() throws Exception {
    broker = dev.threadline.web.messaging.EmbeddedBrokers.artemis("vm://2");
  }

  @org.junit.jupiter.api.AfterAll
  static void stopBroker() throws Exception {
    broker.stop();
  }

  // Not @SpringBootApplication: a component scan of this package would take in the auto-configuration's nested
  // classes as user configuration, and the other tests' applications.
  @org.springframework.boot.SpringBootConfiguration
  @org.springframework.boot.autoconfigure.EnableAutoConfiguration
  @org.springframework.context.annotation.Import({App.Events.class, App.Front.class, App.Worker.class})
  @EnableAsync
  static class App {
    static final java.util.concurrent.BlockingQueue<dev.threadline.core.Correlation> EVENTS =
        new java.util.concurrent.LinkedBlockingQueue<>();

    @org.springframework.context.annotation.Bean
    jakarta.jms.ConnectionFactory connectionFactory() {
      return new org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory("vm://2");
    }

    @org.springframework.stereotype.Component
    static class Events {
      @org.springframework.jms.annotation.JmsListener(destination = "order-events")
      void on(String body) {
        LoggerFactory.getLogger("orders.events").info("event {}", body);
        EVENTS.add(dev.threadline.core.Correlation.current().orElseThrow());
      }
    }

    @RestController
    static class Front {
      private static final Logger LOG = LoggerFactory.getLogger("orders.front");
      private final RestClient client;
      private final Worker worker;
      private final Environment environment;
      private final org.springframework.jms.core.JmsTemplate jms;

      Front(RestClient.Builder builder, Worker worker, Environment environment,
          org.springframework.jms.core.JmsTemplate jms) {
        this.client = builder.build();
        this.worker = worker;
        this.environment = environment;
        this.jms = jms;
      }

      @GetMapping("/front")
      String front() throws Exception {
        LOG.info("front handling");
        String port = environment.getProperty("local.server.port");
        String back = client.get().uri("http://127.0.0.1:" + port + "/back").retrieve().body(String.class);
        String async = worker.work().get();
        jms.convertAndSend("order-events", "order placed");
        return back + "+" + async;
      }

      @GetMapping("/back")
      String back() {
        LoggerFactory.getLogger("orders.back").info("back handling");
        return "back";
      }
    }

    @Service
    static class Worker {
      @Async
      public CompletableFuture<String> work() {
        LoggerFactory.getLogger("orders.worker").info("async work on {}", Thread.currentThread().getName());
        return CompletableFuture.completedFuture("async");
      }
    }
  }

  @LocalServerPort
  int port;

  @Autowired
  Environment environment;

  @Test
  void oneRequestIdAndTraceAcrossTheHttpHopTheAsyncHopAndTheJmsHop() throws Exception {
    try (LogCapture capture = LogCapture.capture()) {
      HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + port + "/front")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(response.body()).isEqualTo("back+async");
      String requestId = response.headers().firstValue("X-Request-Id").orElseThrow();
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
          .until(() -> capture.byLogger("dev.threadline.access").size() == 2
              && !capture.byLogger("orders.events").isEmpty());

      Map<String, Object> front = only(capture.byLogger("orders.front"));
      Map<String, Object> call = only(capture.byLogger("dev.threadline.client"));
      Map<String, Object> back = only(capture.byLogger("orders.back"));
      Map<String, Object> worker = only(capture.byLogger("orders.worker"));
      Map<String, Object> event = only(capture.byLogger("orders.events"));
      dev.threadline.core.Correlation listener = App.EVENTS.poll(10, java.util.concurrent.TimeUnit.SECONDS);
      String traceId = (String) front.get("trace_id");
      List<Map<String, Object>> ours = capture.lines(l -> l.get("logger").toString().startsWith("orders.")
          || l.get("logger").toString().startsWith("dev.threadline."));
      assertThat(ours).hasSize(7);
      for (Map<String, Object> line : ours) {
        assertThat(line).as(line.toString()).containsEntry("requestId", requestId).containsEntry("trace_id", traceId);
      }
      assertThat(call).containsEntry("parent_span_id", front.get("span_id"));
      Map<String, Object> backAccess = only(capture.lines(l -> "dev.threadline.access".equals(l.get("logger"))
          && "/back".equals(l.get("path"))));
      assertThat(backAccess).containsEntry("parent_span_id", call.get("span_id"))
          .containsEntry("span_id", back.get("span_id"));
      assertThat(worker).containsEntry("span_id", front.get("span_id"));
      assertThat((String) worker.get("thread")).isNotEqualTo(front.get("thread"));
      // The listener runs in a child span of the sending request's span, on the container's thread.
      assertThat(listener).isNotNull();
      assertThat(listener.parentSpanId()).hasValue((String) front.get("span_id"));
      assertThat(event).containsEntry("span_id", listener.spanId());
      assertThat((String) event.get("thread")).isNotEqualTo(front.get("thread"));
    }
  }

  @Test
  void theConsoleSpeaksThreadlinesSchemaByDefault() throws Exception {
    assertThat(environment.getProperty("logging.structured.format.console"))
        .isEqualTo(ThreadlineStructuredLogFormatter.class.getName());
    ch.qos.logback.classic.LoggerContext logback =
        (ch.qos.logback.classic.LoggerContext) LoggerFactory.getILoggerFactory();
    ch.qos.logback.classic.spi.LoggingEvent event = new ch.qos.logback.classic.spi.LoggingEvent(
        getClass().getName(), logback.getLogger("orders.console"), ch.qos.logback.classic.Level.WARN,
        "stock low for {}", null, new Object[] {"sku-1"});
    String line = new ThreadlineStructuredLogFormatter(environment).format(event);
    assertThat(line).endsWith("\n");
    Map<String, Object> parsed = tools.jackson.databind.json.JsonMapper.builder().build()
        .readValue(line, new tools.jackson.core.type.TypeReference<Map<String, Object>>() { });
    assertThat(parsed).containsEntry("service", "orders").containsEntry("level", "warn")
        .containsEntry("logger", "orders.console").containsEntry("message", "stock low for sku-1");
  }

  private static Map<String, Object> only(List<Map<String, Object>> lines) {
    assertThat(lines).hasSize(1);
    return lines.get(0);
  }
}
