package com.example.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import brave.handler.MutableSpan;
import brave.handler.SpanHandler;
import brave.propagation.TraceContext;
import com.example.console.ConsoleLines;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
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
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A Spring Boot 3.5 application on Micrometer Tracing with Brave, as Boot 3.5's actuator auto-configures it: Boot's
 * own console lines carry Brave's trace and span ids (the caller's trace, Brave's server span, the child span the
 * application opens), Threadline starts no span of its own, the request id lands on Brave's server span, and Boot's
 * duplicate traceId/spanId MDC entries stay out of the lines. In a surefire run of its own, the only one with
 * Micrometer Tracing on the class path.
 */
@SpringBootTest(classes = Boot3BraveTest.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"spring.application.name=tracing", "management.tracing.sampling.probability=1.0"})
@AutoConfigureObservability
@ExtendWith(OutputCaptureExtension.class)
@DirtiesContext
class Boot3BraveTest {

  static final List<MutableSpan> FINISHED = new CopyOnWriteArrayList<>();

  @SpringBootApplication
  static class App {

    @Bean
    SpanHandler collectFinishedSpans() {
      return new SpanHandler() {
        @Override
        public boolean end(TraceContext context, MutableSpan span, Cause cause) {
          FINISHED.add(span);
          return true;
        }
      };
    }

    @RestController
    static class Orders {
      private static final Logger LOG = LoggerFactory.getLogger("tracing.orders");
      private final Tracer tracer;

      Orders(Tracer tracer) {
        this.tracer = tracer;
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
        LOG.info("back in the server span");
        return "ok";
      }
    }
  }

  @LocalServerPort
  int port;

  @Test
  void bootsConsoleCarriesBravesSpans(CapturedOutput output) throws Exception {
    String callerTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
    String callerSpan = "00f067aa0ba902b7";
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + port + "/orders"))
        .header("traceparent", "00-" + callerTrace + "-" + callerSpan + "-01")
        .header("X-Request-Id", "req-boot3-brave").build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("X-Request-Id")).hasValue("req-boot3-brave");
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
        !ConsoleLines.of(output).byLogger("dev.threadline.access").isEmpty()
            && FINISHED.stream().anyMatch(span -> span.kind() == brave.Span.Kind.SERVER));

    MutableSpan server = FINISHED.stream().filter(span -> span.kind() == brave.Span.Kind.SERVER).findFirst()
        .orElseThrow();
    MutableSpan child = FINISHED.stream().filter(span -> "reserve stock".equals(span.name())).findFirst()
        .orElseThrow();
    assertThat(server.traceId()).isEqualTo(callerTrace);
    assertThat(server.parentId()).isEqualTo(callerSpan);
    assertThat(server.tag("request.id")).isEqualTo("req-boot3-brave");

    ConsoleLines console = ConsoleLines.of(output);
    List<Map<String, Object>> orders = console.byLogger("tracing.orders");
    Map<String, Object> access = console.byLogger("dev.threadline.access").get(0);
    assertThat(orders).hasSize(3);
    assertThat(List.of(orders.get(0), orders.get(1), orders.get(2), access)).allSatisfy(line -> assertThat(line)
        .containsEntry("trace_id", callerTrace).containsEntry("requestId", "req-boot3-brave")
        .containsEntry("service", "tracing").doesNotContainKeys("traceId", "spanId"));
    assertThat(orders.get(0)).containsEntry("span_id", server.id());
    assertThat(orders.get(1)).containsEntry("span_id", child.id());
    assertThat(orders.get(2)).containsEntry("span_id", server.id());
    assertThat(access).containsEntry("span_id", server.id());
  }
}
