package com.example.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.console.ConsoleLines;
import dev.threadline.web.grpc.EchoService;
import dev.threadline.web.grpc.ThreadlineClientInterceptor;
import dev.threadline.web.grpc.ThreadlineServerInterceptor;
import io.grpc.BindableService;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.event.EventListener;
import org.springframework.grpc.client.GrpcChannelFactory;
import org.springframework.grpc.server.lifecycle.GrpcServerStartedEvent;
import org.springframework.stereotype.Component;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * gRPC in a real Spring Boot 3.5 application with the starter and Spring gRPC's Boot 3.5 line (0.x): a request's
 * controller calls a gRPC service over a channel from Spring gRPC's channel factory, to Spring gRPC's Netty server on
 * a free port. The controller's line, the client's call line, the service's line and both access lines (HTTP and
 * gRPC) share one request id and one trace, each span the child of the one before, read back from the console's
 * JSON lines.
 */
@SpringBootTest(classes = Boot3GrpcHopTest.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"spring.application.name=catalog", "spring.grpc.server.port=0"})
@ExtendWith(OutputCaptureExtension.class)
// Closed after the class: Boot configures Logback once per JVM while a context is open (see Boot3JmsHopTest).
@DirtiesContext
class Boot3GrpcHopTest {

  static final MethodDescriptor<String, String> PRICE = MethodDescriptor.<String, String>newBuilder()
      .setType(MethodDescriptor.MethodType.UNARY)
      .setFullMethodName(MethodDescriptor.generateFullMethodName("catalog.Prices", "Get"))
      .setRequestMarshaller(EchoService.UTF8).setResponseMarshaller(EchoService.UTF8).build();

  @SpringBootApplication
  static class App {

    /** A gRPC service bean: Spring gRPC serves every BindableService, behind its global interceptors. */
    @Bean
    BindableService prices() {
      return () -> ServerServiceDefinition.builder("catalog.Prices")
          .addMethod(PRICE, ServerCalls.asyncUnaryCall((sku, response) -> {
            LoggerFactory.getLogger("catalog.grpc").info("pricing {}", sku);
            if (sku.startsWith("none")) {
              response.onError(Status.NOT_FOUND.withDescription("no " + sku).asRuntimeException());
              return;
            }
            response.onNext("12.50");
            response.onCompleted();
          }))
          .build();
    }

    /** Where Spring gRPC's server listens: port 0 picks a free one, known once it started. */
    @Component
    static class GrpcPort {
      volatile int port;

      @EventListener
      void started(GrpcServerStartedEvent event) {
        port = event.getPort();
      }
    }

    @RestController
    static class Front {
      private final GrpcChannelFactory channels;
      private final GrpcPort grpc;
      private volatile ManagedChannel channel;

      Front(GrpcChannelFactory channels, GrpcPort grpc) {
        this.channels = channels;
        this.grpc = grpc;
      }

      @GetMapping("/price/{sku}")
      String price(@PathVariable("sku") String sku) {
        LoggerFactory.getLogger("catalog.http").info("asking the price of {}", sku);
        if (channel == null) {
          channel = channels.createChannel("127.0.0.1:" + grpc.port);
        }
        try {
          return ClientCalls.blockingUnaryCall(channel, PRICE, io.grpc.CallOptions.DEFAULT, sku);
        } catch (io.grpc.StatusRuntimeException e) {
          return "unknown";
        }
      }
    }
  }

  @Autowired
  ApplicationContext context;

  @LocalServerPort
  int port;

  private HttpResponse<String> get(String path, String requestId) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("X-Request-Id", requestId).GET().build();
    return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
  }

  private static Map<String, Object> only(List<Map<String, Object>> lines) {
    assertThat(lines).hasSize(1);
    return lines.get(0);
  }

  @Test
  void anHttpRequestsGrpcCall_isOneTraceWithTheRequestsId_andBothAccessLines(CapturedOutput output)
      throws Exception {
    assertThat(context.getBeansOfType(ThreadlineServerInterceptor.class)).hasSize(1);
    assertThat(context.getBeansOfType(ThreadlineClientInterceptor.class)).hasSize(1);

    HttpResponse<String> response = get("/price/sku-7", "req-boot3-grpc");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("12.50");
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> ConsoleLines.of(output.getOut())
        .matching(l -> "dev.threadline.access".equals(l.get("logger"))).size() == 2);
    ConsoleLines console = ConsoleLines.of(output.getOut());
    Map<String, Object> httpAccess = only(console.matching(l -> "dev.threadline.access".equals(l.get("logger"))
        && "GET".equals(l.get("method"))));
    Map<String, Object> front = only(console.byLogger("catalog.http"));
    Map<String, Object> call = only(console.byLogger("dev.threadline.client"));
    Map<String, Object> grpcAccess = only(console.matching(l -> "dev.threadline.access".equals(l.get("logger"))
        && "POST".equals(l.get("method"))));
    Map<String, Object> service = only(console.byLogger("catalog.grpc"));

    Object traceId = httpAccess.get("trace_id");
    assertThat(traceId).isNotNull();
    for (Map<String, Object> line : List.of(httpAccess, front, call, grpcAccess, service)) {
      assertThat(line).containsEntry("service", "catalog").containsEntry("requestId", "req-boot3-grpc")
          .containsEntry("trace_id", traceId);
    }
    assertThat(front).containsEntry("span_id", httpAccess.get("span_id"))
        .containsEntry("message", "asking the price of sku-7");
    // The client's call line, in its own span under the controller's; the gRPC server's span is a child of it.
    assertThat(call).containsEntry("parent_span_id", httpAccess.get("span_id"))
        .containsEntry("path", "/catalog.Prices/Get").containsEntry("status", 200)
        .containsEntry("grpc_status", "OK");
    assertThat(grpcAccess).containsEntry("path", "/catalog.Prices/Get").containsEntry("status", 200)
        .containsEntry("grpc_status", "OK").containsEntry("parent_span_id", call.get("span_id"));
    assertThat(service).containsEntry("span_id", grpcAccess.get("span_id"))
        .containsEntry("message", "pricing sku-7");
    assertThat(grpcAccess.get("span_id")).isNotEqualTo(httpAccess.get("span_id"));
  }

  @Test
  void aGrpcError_givesAWarnAccessLineWithItsCode(CapturedOutput output) throws Exception {
    HttpResponse<String> response = get("/price/none-1", "req-boot3-grpc-404");

    assertThat(response.body()).isEqualTo("unknown");
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> ConsoleLines.of(output.getOut())
        .matching(l -> "dev.threadline.access".equals(l.get("logger"))
            && "req-boot3-grpc-404".equals(l.get("requestId"))).size() == 2);
    Map<String, Object> grpcAccess = only(ConsoleLines.of(output.getOut())
        .matching(l -> "dev.threadline.access".equals(l.get("logger")) && "POST".equals(l.get("method"))
            && "req-boot3-grpc-404".equals(l.get("requestId"))));
    assertThat(grpcAccess).containsEntry("status", 404).containsEntry("grpc_status", "NOT_FOUND")
        .containsEntry("level", "warn");
  }
}
