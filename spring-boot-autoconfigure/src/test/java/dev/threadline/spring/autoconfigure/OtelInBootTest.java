package dev.threadline.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadline.otel.ThreadlineOtel;
import dev.threadline.web.LogCapture;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import jakarta.servlet.Filter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A Boot application instrumented with OpenTelemetry (a server filter on the real SDK standing in for the
 * instrumentation, ahead of Threadline's): the starter needs no wiring, the lines carry OpenTelemetry's span, no
 * competing span is started, and the request id lands on the span.
 */
@SpringBootTest(classes = OtelInBootTest.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class OtelInBootTest {

  static final InMemorySpanExporter SPANS = InMemorySpanExporter.create();
  static final Tracer TRACER = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(SPANS))
      .build().get("boot-test");

  // Not @SpringBootApplication: a component scan of this package would take in the auto-configuration's nested
  // classes as user configuration, and the other tests' applications.
  @org.springframework.boot.SpringBootConfiguration
  @org.springframework.boot.autoconfigure.EnableAutoConfiguration
  @org.springframework.context.annotation.Import({App.Hello.class})
  static class App {

    @Bean
    FilterRegistrationBean<Filter> otelServerSpans() {
      Filter filter = (req, res, chain) -> {
        Span span = TRACER.spanBuilder("GET /hello").setSpanKind(SpanKind.SERVER).startSpan();
        try (Scope s = span.makeCurrent()) {
          chain.doFilter(req, res);
        } finally {
          span.end();
        }
      };
      FilterRegistrationBean<Filter> registration = new FilterRegistrationBean<>(filter);
      registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
      return registration;
    }

    @RestController
    static class Hello {
      @GetMapping("/hello")
      String hello() {
        LoggerFactory.getLogger("orders.hello").info("hello under OpenTelemetry");
        return "hello";
      }
    }
  }

  @LocalServerPort
  int port;

  @Test
  void theLinesCarryOpenTelemetrysSpanAndTheRequestIdLandsOnIt() throws Exception {
    try (LogCapture capture = LogCapture.capture()) {
      HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + port + "/hello")).header("X-Request-Id", "req-boot-otel").build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(response.headers().firstValue("X-Request-Id")).hasValue("req-boot-otel");
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
          .until(() -> !capture.byLogger("dev.threadline.access").isEmpty() && !SPANS.getFinishedSpanItems().isEmpty());
      SpanData server = SPANS.getFinishedSpanItems().get(0);
      Map<String, Object> line = capture.byLogger("orders.hello").get(0);
      assertThat(line).containsEntry("trace_id", server.getTraceId()).containsEntry("span_id", server.getSpanId())
          .containsEntry("requestId", "req-boot-otel");
      assertThat(capture.byLogger("dev.threadline.access").get(0)).containsEntry("span_id", server.getSpanId());
      assertThat(server.getAttributes().get(ThreadlineOtel.REQUEST_ID)).isEqualTo("req-boot-otel");
      assertThat(SPANS.getFinishedSpanItems()).hasSize(1);
    }
  }
}
