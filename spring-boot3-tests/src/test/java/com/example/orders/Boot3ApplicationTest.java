package com.example.orders;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.console.ConsoleLines;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.threadline.spring.autoconfigure.ThreadlineStructuredLogFormatter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.env.Environment;
import org.springframework.scheduling.annotation.Async;
import org.springframework.scheduling.annotation.EnableAsync;
import org.springframework.stereotype.Service;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;

/**
 * A real Spring Boot 3.5 web application on Tomcat 10.1 with nothing of Threadline's but the starter: a request to a
 * controller that calls another endpoint through the Boot-provided RestClient.Builder and runs an @Async method. The
 * console lines, as Boot's own console appender writes them, are Threadline's JSON, and all six share the request id
 * and trace, with the right span parents. The actuator reports Loki shipping as the threadlineLoki component.
 *
 * <p>In an application's own package, as applications are: {@code @SpringBootApplication} scans its package, and in
 * Threadline's package it would pick up the auto-configuration's nested classes as user configuration, ahead of the
 * auto-configurations whose beans they wait for.
 */
@SpringBootTest(classes = Boot3ApplicationTest.App.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"spring.application.name=orders", "threadline.loki.url=http://127.0.0.1:1",
        "threadline.loki.shutdown-timeout=200ms", "management.endpoint.health.show-components=always",
        "management.endpoint.health.show-details=always"})
@ExtendWith(OutputCaptureExtension.class)
// Closed after the class: Boot configures Logback once per JVM while a context is open, so a cached context would
// keep its console (and its service name) for the next test's application.
@DirtiesContext
class Boot3ApplicationTest {

  @SpringBootApplication
  @EnableAsync
  static class App {

    @RestController
    static class Front {
      private static final Logger LOG = LoggerFactory.getLogger("orders.front");
      private final RestClient client;
      private final Worker worker;
      private final Environment environment;

      Front(RestClient.Builder builder, Worker worker, Environment environment) {
        this.client = builder.build();
        this.worker = worker;
        this.environment = environment;
      }

      @GetMapping("/front")
      String front() throws Exception {
        LOG.info("front handling");
        String port = environment.getProperty("local.server.port");
        String back = client.get().uri("http://127.0.0.1:" + port + "/back").retrieve().body(String.class);
        String async = worker.work().get();
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
  void oneRequestIdAndTraceAcrossTheHttpHopAndTheAsyncHop_onBootsOwnConsole(CapturedOutput output) throws Exception {
    HttpResponse<String> response = get("/front");
    assertThat(response.body()).isEqualTo("back+async");
    String requestId = response.headers().firstValue("X-Request-Id").orElseThrow();
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> ConsoleLines.of(output.getOut())
        .matching(l -> "dev.threadline.access".equals(l.get("logger")) && requestId.equals(l.get("requestId")))
        .size() == 2);

    ConsoleLines console = ConsoleLines.of(output.getOut());
    List<Map<String, Object>> ours = console.matching(l -> requestId.equals(l.get("requestId")));
    Map<String, Object> front = only(console.byLogger("orders.front"));
    Map<String, Object> call = only(console.byLogger("dev.threadline.client"));
    Map<String, Object> back = only(console.byLogger("orders.back"));
    Map<String, Object> worker = only(console.byLogger("orders.worker"));
    String traceId = (String) front.get("trace_id");
    assertThat(traceId).matches("[0-9a-f]{32}");
    // front, the call line, back, the worker and both access lines.
    assertThat(ours).hasSize(6);
    for (Map<String, Object> line : ours) {
      assertThat(line).as(line.toString()).containsEntry("trace_id", traceId).containsEntry("service", "orders");
    }
    assertThat(call).containsEntry("parent_span_id", front.get("span_id"));
    Map<String, Object> backAccess = only(console.matching(l -> "dev.threadline.access".equals(l.get("logger"))
        && "/back".equals(l.get("path"))));
    assertThat(backAccess).containsEntry("parent_span_id", call.get("span_id"))
        .containsEntry("span_id", back.get("span_id"));
    assertThat(back.get("span_id")).isNotEqualTo(front.get("span_id"));
    assertThat(worker).containsEntry("span_id", front.get("span_id"));
    assertThat((String) worker.get("thread")).isNotEqualTo(front.get("thread"));
  }

  @Test
  void theConsoleSpeaksThreadlinesSchemaByDefault(CapturedOutput output) {
    assertThat(environment.getProperty("logging.structured.format.console"))
        .isEqualTo(ThreadlineStructuredLogFormatter.class.getName());
    LoggerFactory.getLogger("orders.console").warn("stock low for {}", "sku-1");
    Map<String, Object> line = only(ConsoleLines.of(output.getOut()).byLogger("orders.console"));
    assertThat(line).containsEntry("service", "orders").containsEntry("level", "warn")
        .containsEntry("message", "stock low for sku-1").containsKey("timestamp")
        // Not one of Boot's own formats (ECS, Logstash, GELF), which name these fields differently.
        .doesNotContainKeys("@timestamp", "log.level", "short_message");
  }

  @Test
  void theActuatorReportsLokiShippingUp_andTheHealthCheckGetsNoAccessLine(CapturedOutput output) throws Exception {
    HttpResponse<String> response = get("/actuator/health/threadlineLoki");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode loki = new ObjectMapper().readTree(response.body());
    assertThat(loki.path("status").asText()).as(response.body()).isEqualTo("UP");
    assertThat(loki.path("details").has("sent")).as(response.body()).isTrue();
    assertThat(new ObjectMapper().readTree(get("/actuator/health").body()).path("components").has("threadlineLoki"))
        .isTrue();
    assertThat(ConsoleLines.of(output.getOut()).matching(l -> "dev.threadline.access".equals(l.get("logger"))
        && String.valueOf(l.get("path")).startsWith("/actuator"))).isEmpty();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  private static Map<String, Object> only(List<Map<String, Object>> lines) {
    assertThat(lines).hasSize(1);
    return lines.get(0);
  }
}
