package dev.threadline.web.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadline.web.LogCapture;
import dev.threadline.web.TomcatServer;
import dev.threadline.web.client.OutboundCalls;
import dev.threadline.web.client.jdk.TracingHttpClient;
import dev.threadline.web.servlet.ThreadlineFilter;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCalls;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP → gRPC → HTTP: a Tomcat with the servlet filter calls a gRPC server (Netty) through the client interceptor,
 * whose handler calls a second Tomcat through the JDK client. Every line of the three services, parsed back, carries
 * one request id and one trace, and each hop's server span is the child of the caller's client span.
 */
class HttpGrpcHttpChainTest {

  private static final Logger B = LoggerFactory.getLogger("b.app");

  @Test
  void oneRequestIdAndOneTrace_fromHttpThroughGrpcToHttp() throws Exception {
    ThreadlineFilter filterB = new ThreadlineFilter();
    filterB.setAccessLogger("b.access");
    HttpClient toB = TracingHttpClient.wrap(HttpClient.newHttpClient(),
        OutboundCalls.builder().logger("g.client").build());
    try (TomcatServer serviceB = new TomcatServer(2).threadline(filterB).servlet("/b", new HttpServlet() {
          @Override
          protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            B.info("b handled");
            resp.getWriter().write("b");
          }
        }).start();
         EchoService grpc = EchoService.start("netty",
             ThreadlineServerInterceptor.builder().accessLogger("g.access").build(), request -> {
               try {
                 return request + " " + toB.send(HttpRequest.newBuilder(URI.create(serviceB.url("/b"))).build(),
                     HttpResponse.BodyHandlers.ofString()).body();
               } catch (IOException | InterruptedException e) {
                 throw new IllegalStateException(e);
               }
             })) {
      ManagedChannel channel = grpc.channel(
          new ThreadlineClientInterceptor(OutboundCalls.builder().logger("a.client").build()));
      ThreadlineFilter filterA = new ThreadlineFilter();
      filterA.setAccessLogger("a.access");
      try (TomcatServer serviceA = new TomcatServer(2).threadline(filterA).servlet("/a", new HttpServlet() {
            @Override
            protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
              resp.getWriter().write(ClientCalls.blockingUnaryCall(channel, EchoService.SAY, CallOptions.DEFAULT, "a"));
            }
          }).start();
           LogCapture capture = LogCapture.capture()) {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(URI.create(serviceA.url("/a"))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.body()).isEqualTo("a b");
        String requestId = response.headers().firstValue("X-Request-Id").orElseThrow();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> capture.byLogger("a.access").size() == 1
            && capture.byLogger("g.access").size() == 1 && capture.byLogger("b.access").size() == 1);

        Map<String, Object> aAccess = only(capture.byLogger("a.access"));
        Map<String, Object> aCall = only(capture.byLogger("a.client"));
        Map<String, Object> gAccess = only(capture.byLogger("g.access"));
        Map<String, Object> gCall = only(capture.byLogger("g.client"));
        Map<String, Object> bAccess = only(capture.byLogger("b.access"));
        Map<String, Object> bApp = only(capture.byLogger("b.app"));
        String traceId = (String) aAccess.get("trace_id");
        for (Map<String, Object> line : List.of(aAccess, aCall, gAccess, gCall, bAccess, bApp)) {
          assertThat(line).as(line.toString()).containsEntry("requestId", requestId).containsEntry("trace_id", traceId);
        }
        assertThat(aCall).containsEntry("parent_span_id", aAccess.get("span_id"))
            .containsEntry("path", "/test.Echo/Say").containsEntry("grpc_status", "OK");
        assertThat(gAccess).containsEntry("parent_span_id", aCall.get("span_id")).containsEntry("status", 200);
        assertThat(gCall).containsEntry("parent_span_id", gAccess.get("span_id")).containsEntry("path", "/b");
        assertThat(bAccess).containsEntry("parent_span_id", gCall.get("span_id"));
      } finally {
        channel.shutdownNow();
      }
    }
  }

  private static Map<String, Object> only(List<Map<String, Object>> lines) {
    assertThat(lines).hasSize(1);
    return lines.get(0);
  }
}
