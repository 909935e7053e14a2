package dev.threadline.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.threadline.core.Correlation;
import dev.threadline.core.CorrelationPropagator;
import dev.threadline.web.messaging.Messages;
import dev.threadline.web.servlet.ThreadlineFilter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * #15's trust boundary, inbound: a caller that is not trusted cannot choose the ids a request continues (so it cannot
 * join someone else's request in the logs); what it sent is logged as caller_request_id and caller_trace_id only.
 */
class TrustBoundaryTest {

  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

  private static HttpResponse<String> call(TomcatServer server) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.url("/x")))
        .header("X-Request-Id", "someone-elses-request").header("traceparent", "00-" + TRACE + "-00f067aa0ba902b7-01")
        .header("baggage", "tenant=victim").timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static TomcatServer server(ThreadlineFilter filter) throws Exception {
    return new TomcatServer(4).threadline(filter).servlet("/", new HttpServlet() {
      @Override
      protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
        LoggerFactory.getLogger("app.edge").info("handled");
      }
    }).start();
  }

  private static Map<String, Object> line(LogCapture capture, String logger) {
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !capture.byLogger(logger).isEmpty());
    return capture.byLogger(logger).get(0);
  }

  @Test
  void anEdgeServiceTrustsNoCaller_theCallersIdsAreOnlyLogged() throws Exception {
    ThreadlineFilter filter = new ThreadlineFilter();
    filter.setPropagator(CorrelationPropagator.builder().trustIncoming(false).baggageFields("tenant").build());
    try (LogCapture capture = LogCapture.capture(); TomcatServer server = server(filter)) {
      HttpResponse<String> response = call(server);
      Map<String, Object> app = line(capture, "app.edge");
      Map<String, Object> access = line(capture, "dev.threadline.access");
      for (Map<String, Object> l : List.of(app, access)) {
        assertThat(l.get("requestId")).isNotEqualTo("someone-elses-request");
        assertThat(l.get("trace_id")).isNotEqualTo(TRACE);
        assertThat(l).doesNotContainKeys("tenant", "parent_span_id")
            .containsEntry("caller_request_id", "someone-elses-request").containsEntry("caller_trace_id", TRACE);
      }
      assertThat(response.headers().firstValue("X-Request-Id")).hasValue((String) app.get("requestId"));
    }
  }

  @Test
  void onlyTheTrustedProxiesMaySetIds() throws Exception {
    ThreadlineFilter untrusting = new ThreadlineFilter();
    untrusting.setTrustedCallers("10.0.0.0/8, fd00::/8");
    try (LogCapture capture = LogCapture.capture(); TomcatServer server = server(untrusting)) {
      call(server);
      Map<String, Object> app = line(capture, "app.edge");
      assertThat(app.get("requestId")).isNotEqualTo("someone-elses-request");
      assertThat(app).containsEntry("caller_request_id", "someone-elses-request");
    }
    ThreadlineFilter trusting = new ThreadlineFilter();
    trusting.setTrustedCallers("127.0.0.0/8, ::1");
    try (LogCapture capture = LogCapture.capture(); TomcatServer server = server(trusting)) {
      call(server);
      Map<String, Object> app = line(capture, "app.edge");
      assertThat(app).containsEntry("requestId", "someone-elses-request").containsEntry("trace_id", TRACE)
          .doesNotContainKeys("caller_request_id", "caller_trace_id");
    }
  }

  @Test
  void outbound_onlyTheListedHostsGetTheCorrelationHeaders() throws Exception {
    java.util.List<String> received = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (TomcatServer callee = new TomcatServer(4).servlet("/", new HttpServlet() {
      @Override
      protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
        received.add(req.getHeader("traceparent") + "|" + req.getHeader("X-Request-Id") + "|"
            + req.getHeader("baggage"));
      }
    }).start()) {
      String host = URI.create(callee.url("/")).getHost();
      Correlation current = Correlation.builder().requestId("req-out-1").baggage("tenant", "acme").build();
      for (String[] allowed : new String[][] {{"*.internal.example.com"}, {"api.internal.example.com", host}}) {
        CorrelationPropagator propagator = CorrelationPropagator.builder().baggageFields("tenant")
            .propagateTo(allowed).build();
        HttpClient client = dev.threadline.web.client.jdk.TracingHttpClient.wrap(HttpClient.newHttpClient(),
            dev.threadline.web.client.OutboundCalls.builder().propagator(propagator).build());
        try (dev.threadline.core.CorrelationScope s = current.open()) {
          client.send(HttpRequest.newBuilder(URI.create(callee.url("/y"))).timeout(Duration.ofSeconds(10)).build(),
              HttpResponse.BodyHandlers.ofString());
        }
      }
    }
    assertThat(received).hasSize(2);
    assertThat(received.get(0)).as("a host not listed gets nothing").isEqualTo("null|null|null");
    assertThat(received.get(1)).startsWith("00-" + "").contains("|req-out-1|tenant=acme");
    assertThatThrownBy(() -> CorrelationPropagator.builder().propagateTo("*")).hasMessageContaining("'*'");
  }

  @Test
  void aBadRangeIsRefusedAtConfiguration_namingIt() {
    ThreadlineFilter filter = new ThreadlineFilter();
    assertThatThrownBy(() -> filter.setTrustedCallers("10.0.0.0/8, proxy.internal"))
        .hasMessageContaining("'proxy.internal' is not an IP address or CIDR range");
    assertThatThrownBy(() -> filter.setTrustedCallers("10.0.0.0/33")).hasMessageContaining("no valid prefix");
  }

  @Test
  void messagesFromAnUntrustedSource_startTheirOwnTrace() {
    CorrelationPropagator untrusting = CorrelationPropagator.builder().trustIncoming(false).build();
    Map<String, String> headers = Map.of("X-Request-Id", "someone-elses-request",
        "traceparent", "00-" + TRACE + "-00f067aa0ba902b7-01");
    Correlation consumer = Messages.extract(headers, dev.threadline.core.CarrierGetter.ofMap(), untrusting);
    assertThat(consumer.requestId()).isNotEqualTo("someone-elses-request");
    assertThat(consumer.traceId()).isNotEqualTo(TRACE);
    assertThat(untrusting.callerIds(headers, dev.threadline.core.CarrierGetter.ofMap()))
        .containsEntry("caller_request_id", "someone-elses-request").containsEntry("caller_trace_id", TRACE);
  }
}
