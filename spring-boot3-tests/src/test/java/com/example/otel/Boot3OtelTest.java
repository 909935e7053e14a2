package com.example.otel;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.console.ConsoleLines;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;

/**
 * A Spring Boot 3.5 application on Micrometer Tracing with OpenTelemetry (the OpenTelemetry version Boot 3.5 manages,
 * older than the one threadline-otel-bridge is built against), with threadline-otel-bridge: every line carries the
 * span current where it is logged (the server span, a child span the application opens), one trace and one request
 * id across a RestClient hop, the callee's parent span in a line of the caller, and no span of Threadline's own. In
 * a surefire run of its own, the only one with OpenTelemetry on the class path.
 */
@SpringBootTest(classes = Boot3OtelTest.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"spring.application.name=otel3", "management.tracing.sampling.probability=1.0"})
@AutoConfigureObservability
@ExtendWith(OutputCaptureExtension.class)
@DirtiesContext
class Boot3OtelTest {

  static final InMemorySpanExporter SPANS = InMemorySpanExporter.create();

  @SpringBootApplication
  static class App {

    @Bean
    SpanExporter collectFinishedSpans() {
      return SPANS;
    }

    @RestController
    static class Orders {
      private static final Logger LOG = LoggerFactory.getLogger("otel3.orders");
      private final Tracer tracer;
      private final RestClient client;
      private final Environment environment;

      Orders(Tracer tracer, RestClient.Builder builder, Environment environment) {
        this.tracer = tracer;
        this.client = builder.build();
        this.environment = environment;
      }

      @GetMapping("/orders")
      String orders() {
        LOG.info("taking the order");
        Span child = tracer.nextSpan().name("reserve stock").start();
        try (Tracer.SpanInScope ignored = tracer.withSpan(child)) {
          LOG.info("reserving stock");
        } finally {
          child.end();
        }
        String stock = client.get().uri("http://127.0.0.1:" + environment.getProperty("local.server.port")
            + "/stock").retrieve().body(String.class);
        LOG.info("back in the server span");
        return stock;
      }

      @GetMapping("/stock")
      String stock() {
        LOG.info("counting stock");
        return "7";
      }
    }
  }

  @LocalServerPort
  int port;

  @Test
  void linesCarryTheCurrentSpan_oneTraceAcrossTheHop_theHopJoins(CapturedOutput output) throws Exception {
    String callerTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
    String callerSpan = "00f067aa0ba902b7";
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + port + "/orders"))
        .header("traceparent", "00-" + callerTrace + "-" + callerSpan + "-01")
        .header("X-Request-Id", "req-boot3-otel").timeout(Duration.ofSeconds(20)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    Awaitility.await().atMost(Duration.ofSeconds(15)).until(() ->
        ConsoleLines.of(output).byLogger("dev.threadline.access").size() >= 2
            && SPANS.getFinishedSpanItems().stream().filter(s -> s.getName().equals("reserve stock")).count() == 1);

    ConsoleLines console = ConsoleLines.of(output);
    Map<String, Map<String, Object>> byMessage = console.byLogger("otel3.orders").stream()
        .collect(Collectors.toMap(l -> (String) l.get("message"), l -> l));
    List<Map<String, Object>> access = console.byLogger("dev.threadline.access");
    Map<String, Object> ordersAccess = access.stream().filter(l -> "/orders".equals(l.get("path"))).findFirst()
        .orElseThrow();
    Map<String, Object> stockAccess = access.stream().filter(l -> "/stock".equals(l.get("path"))).findFirst()
        .orElseThrow();
    SpanData child = SPANS.getFinishedSpanItems().stream().filter(s -> s.getName().equals("reserve stock"))
        .findFirst().orElseThrow();

    List<Map<String, Object>> all = new java.util.ArrayList<>(byMessage.values());
    all.addAll(access);
    all.addAll(console.byLogger("dev.threadline.client"));
    assertThat(all).hasSizeGreaterThanOrEqualTo(7).allSatisfy(line -> assertThat(line)
        .containsEntry("trace_id", callerTrace).containsEntry("requestId", "req-boot3-otel")
        .doesNotContainKeys("traceId", "spanId"));
    Object serverSpan = byMessage.get("taking the order").get("span_id");
    assertThat(byMessage.get("reserving stock")).containsEntry("span_id", child.getSpanId());
    assertThat(child.getParentSpanId()).isEqualTo(serverSpan);
    assertThat(byMessage.get("back in the server span")).containsEntry("span_id", serverSpan);
    // No span of Threadline's own: the access line is written under the tracer's server span.
    assertThat(ordersAccess).containsEntry("span_id", serverSpan).containsEntry("parent_span_id", callerSpan);
    // The server span ends after the response is written, and the batch processor exports it with the next batch:
    // wait for it rather than racing the exporter.
    Awaitility.await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
        assertThat(SPANS.getFinishedSpanItems()).extracting(SpanData::getSpanId).contains((String) serverSpan));
    // The hop joins: the span the callee names as its parent is in a line of the caller.
    Object calleeParent = stockAccess.get("parent_span_id");
    assertThat(calleeParent).isNotNull();
    assertThat(all.stream().filter(l -> l != stockAccess && !"counting stock".equals(l.get("message")))
        .map(l -> l.get("span_id"))).contains(calleeParent);
  }
}
