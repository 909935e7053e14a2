package com.example.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import brave.handler.MutableSpan;
import brave.handler.SpanHandler;
import brave.propagation.TraceContext;
import com.example.console.ConsoleLines;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.test.annotation.DirtiesContext;

/**
 * {@link Boot3GrpcHopTest}'s application under Micrometer Tracing on Brave, as Boot 3.5's actuator sets it up, with
 * Spring gRPC 0.12's observation interceptors on its server and channels: a caller's trace continues through the
 * HTTP request and its gRPC call, every line carries a span Brave recorded (none of Threadline's own), the request id
 * reaches the gRPC service, and the gRPC server's parent span is in a line of the caller. In the {@code brave}
 * surefire run, the only one with Brave on the class path.
 */
@SpringBootTest(classes = {Boot3GrpcHopTest.App.class, Boot3GrpcUnderBraveTest.Spans.class},
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"spring.application.name=catalog", "spring.grpc.server.port=0",
        "management.tracing.sampling.probability=1.0"})
@AutoConfigureObservability
@ExtendWith(OutputCaptureExtension.class)
@DirtiesContext
class Boot3GrpcUnderBraveTest {

  static final List<MutableSpan> FINISHED = new CopyOnWriteArrayList<>();

  @TestConfiguration(proxyBeanMethods = false)
  static class Spans {
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
  }

  @LocalServerPort
  int port;

  @Test
  void theCallersTraceContinuesThroughTheGrpcCall_inBravesSpans(CapturedOutput output) throws Exception {
    String callerTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + port + "/price/sku-9"))
        .header("traceparent", "00-" + callerTrace + "-00f067aa0ba902b7-01")
        .header("X-Request-Id", "req-boot3-grpc-brave").build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.body()).isEqualTo("12.50");
    Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> ConsoleLines.of(output.getOut())
        .byLogger("dev.threadline.access").size() == 2
        && FINISHED.stream().filter(s -> s.kind() == brave.Span.Kind.SERVER).count() == 2);

    ConsoleLines console = ConsoleLines.of(output.getOut());
    Map<String, Object> httpAccess = only(console.matching(l -> "dev.threadline.access".equals(l.get("logger"))
        && "GET".equals(l.get("method"))));
    Map<String, Object> grpcAccess = only(console.matching(l -> "dev.threadline.access".equals(l.get("logger"))
        && "POST".equals(l.get("method"))));
    Map<String, Object> front = only(console.byLogger("catalog.http"));
    Map<String, Object> call = only(console.byLogger("dev.threadline.client"));
    Map<String, Object> service = only(console.byLogger("catalog.grpc"));

    Set<String> bravesSpans = FINISHED.stream().map(MutableSpan::id).collect(Collectors.toSet());
    for (Map<String, Object> line : List.of(httpAccess, front, call, grpcAccess, service)) {
      assertThat(line).containsEntry("trace_id", callerTrace).containsEntry("requestId", "req-boot3-grpc-brave")
          .doesNotContainKeys("traceId", "spanId");
      assertThat(bravesSpans).as("a span Brave recorded: %s", line).contains((String) line.get("span_id"));
    }
    assertThat(front).containsEntry("span_id", httpAccess.get("span_id"));
    assertThat(service).containsEntry("span_id", grpcAccess.get("span_id"));
    assertThat(grpcAccess.get("span_id")).isNotEqualTo(httpAccess.get("span_id"));
    // The hop joins: Brave's client span, made by Spring gRPC's observation interceptor below Threadline's, is the
    // call line's span, a child of the controller's, and the gRPC server span's parent.
    assertThat(call).containsEntry("parent_span_id", httpAccess.get("span_id"))
        .containsEntry("grpc_status", "OK");
    assertThat(grpcAccess).containsEntry("parent_span_id", call.get("span_id"));
    assertThat(FINISHED.stream().filter(s -> s.id().equals(call.get("span_id"))).findFirst().orElseThrow().kind())
        .isEqualTo(brave.Span.Kind.CLIENT);
  }

  private static Map<String, Object> only(List<Map<String, Object>> lines) {
    assertThat(lines).hasSize(1);
    return lines.get(0);
  }
}
