package dev.threadline.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import brave.handler.MutableSpan;
import brave.handler.SpanHandler;
import brave.propagation.TraceContext;
import dev.threadline.web.LogCapture;
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
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.scheduling.annotation.Async;
import org.springframework.scheduling.annotation.EnableAsync;
import org.springframework.stereotype.Service;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A Boot application on Micrometer Tracing with Brave, as Spring Boot auto-configures it (observation filter, W3C
 * propagation, every span sampled): the lines carry Brave's trace and span ids, including a child span the
 * application opens through Micrometer's {@code Tracer}; Threadline starts no competing span; the request id lands on
 * Brave's server span and reaches the {@code @Async} work. Runs in a surefire execution of its own, the only one with
 * Micrometer Tracing on the class path.
 */
@SpringBootTest(classes = BraveInBootTest.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"management.tracing.sampling.probability=1.0", "threadline.console.json=false",
        "management.tracing.baggage.remote-fields=request.id"})
class BraveInBootTest {

  static final List<MutableSpan> FINISHED = new CopyOnWriteArrayList<>();
  /** What Boot's console (Threadline's formatter) wrote for an event in the child span, and the MDC it saw. */
  static final List<Object> CONSOLE = new CopyOnWriteArrayList<>();

  // Not @SpringBootApplication: a component scan of this package would take in the auto-configuration's nested
  // classes as user configuration, and the other tests' applications.
  @org.springframework.boot.SpringBootConfiguration
  @org.springframework.boot.autoconfigure.EnableAutoConfiguration
  @org.springframework.context.annotation.Import({App.Orders.class, App.Later.class})
  @EnableAsync
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
      private static final Logger LOG = LoggerFactory.getLogger("orders.brave");
      private final Tracer tracer;
      private final Later later;
      private final org.springframework.core.env.Environment environment;

      Orders(Tracer tracer, Later later, org.springframework.core.env.Environment environment) {
        this.tracer = tracer;
        this.later = later;
        this.environment = environment;
      }

      @GetMapping("/orders")
      String orders() throws Exception {
        LOG.info("taking the order");
        io.micrometer.tracing.Baggage baggage = tracer.getBaggage("request.id");
        CONSOLE.add(baggage == null ? "no baggage field" : String.valueOf(baggage.get()));
        Span child = tracer.nextSpan().name("reserve stock").start();
        try (Tracer.SpanInScope ignored = tracer.withSpan(child)) {
          LOG.info("reserving stock");
          ch.qos.logback.classic.LoggerContext logback =
              (ch.qos.logback.classic.LoggerContext) LoggerFactory.getILoggerFactory();
          CONSOLE.add(org.slf4j.MDC.getCopyOfContextMap());
          CONSOLE.add(new ThreadlineStructuredLogFormatter(environment).format(new ch.qos.logback.classic.spi.LoggingEvent(
              getClass().getName(), logback.getLogger("orders.console"), ch.qos.logback.classic.Level.INFO,
              "on the console", null, null)));
        } finally {
          child.end();
        }
        LOG.info("back in the server span");
        later.run().get();
        return "ok";
      }
    }

    @Service
    static class Later {
      private static final Logger LOG = LoggerFactory.getLogger("orders.later");

      @Async
      public java.util.concurrent.CompletableFuture<Void> run() {
        LOG.info("after the order");
        return java.util.concurrent.CompletableFuture.completedFuture(null);
      }
    }
  }

  @LocalServerPort
  int port;

  @Test
  void theLinesCarryBravesSpans_andThreadlineStartsNoneOfItsOwn() throws Exception {
    String callerTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
    String callerSpan = "00f067aa0ba902b7";
    try (LogCapture capture = LogCapture.capture()) {
      HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + port + "/orders"))
          .header("traceparent", "00-" + callerTrace + "-" + callerSpan + "-01")
          .header("X-Request-Id", "req-brave-1").build(), HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("X-Request-Id")).hasValue("req-brave-1");
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
          !capture.byLogger("dev.threadline.access").isEmpty()
              && FINISHED.stream().anyMatch(span -> span.kind() == brave.Span.Kind.SERVER));

      MutableSpan server = FINISHED.stream().filter(span -> span.kind() == brave.Span.Kind.SERVER).findFirst()
          .orElseThrow();
      MutableSpan child = FINISHED.stream().filter(span -> "reserve stock".equals(span.name())).findFirst()
          .orElseThrow();
      assertThat(server.traceId()).isEqualTo(callerTrace);
      assertThat(server.parentId()).isEqualTo(callerSpan);
      assertThat(server.tag("request.id")).isEqualTo("req-brave-1");

      Map<String, Object> taking = capture.byLogger("orders.brave").get(0);
      Map<String, Object> reserving = capture.byLogger("orders.brave").get(1);
      Map<String, Object> back = capture.byLogger("orders.brave").get(2);
      Map<String, Object> later = capture.byLogger("orders.later").get(0);
      Map<String, Object> access = capture.byLogger("dev.threadline.access").get(0);
      assertThat(List.of(taking, reserving, back, later, access)).allSatisfy(line -> assertThat(line)
          .containsEntry("trace_id", callerTrace).containsEntry("requestId", "req-brave-1"));
      assertThat(taking).containsEntry("span_id", server.id());
      assertThat(reserving).containsEntry("span_id", child.id());
      assertThat(child.parentId()).isEqualTo(server.id());
      assertThat(back).containsEntry("span_id", server.id());
      assertThat(later).containsEntry("span_id", server.id());
      assertThat(access).containsEntry("span_id", server.id());
      assertThat(capture.lines(line -> line.containsKey("trace_id")).stream().map(line -> line.get("trace_id"))
          .distinct()).containsExactly(callerTrace);

      // Boot writes Micrometer's traceId/spanId into the MDC too; the console leaves those duplicates out.
      @SuppressWarnings("unchecked")
      Map<String, String> mdc = (Map<String, String>) CONSOLE.get(1);
      // The application declared request.id as a remote baggage field: Brave carries the request id onwards.
      assertThat(CONSOLE.get(0)).isEqualTo("req-brave-1");
      assertThat(mdc).containsEntry("traceId", callerTrace).containsEntry("spanId", child.id());
      Map<String, Object> console = tools.jackson.databind.json.JsonMapper.builder().build().readValue(
          (String) CONSOLE.get(2), new tools.jackson.core.type.TypeReference<Map<String, Object>>() { });
      assertThat(console).containsEntry("trace_id", callerTrace).containsEntry("span_id", child.id())
          .containsEntry("requestId", "req-brave-1").doesNotContainKeys("traceId", "spanId");
    }
  }
}
