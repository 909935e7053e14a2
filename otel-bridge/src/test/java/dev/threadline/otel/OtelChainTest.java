package dev.threadline.otel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadline.web.LogCapture;
import dev.threadline.web.TomcatServer;
import dev.threadline.web.client.jdk.TracingHttpClient;
import dev.threadline.web.servlet.ThreadlineFilter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.sdk.trace.data.SpanData;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Two real Tomcats, one instrumented with OpenTelemetry (a server filter and client injection standing in for the
 * instrumentation, on the real SDK) and one with Threadline alone, both ways round: one trace and one request id
 * in both services' lines, and Threadline starts no span where OpenTelemetry has one.
 */
class OtelChainTest {

  /** What OpenTelemetry's servlet instrumentation does: extract, start a server span, make it current. */
  static final class OtelServerFilter implements Filter {
    private static final TextMapGetter<HttpServletRequest> GETTER = new TextMapGetter<>() {
      @Override
      public Iterable<String> keys(HttpServletRequest carrier) {
        return Collections.list(carrier.getHeaderNames());
      }

      @Override
      public String get(HttpServletRequest carrier, String key) {
        return carrier == null ? null : carrier.getHeader(key);
      }
    };

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
        throws IOException, ServletException {
      HttpServletRequest request = (HttpServletRequest) req;
      Context extracted = Otel.PROPAGATORS.getTextMapPropagator().extract(Context.root(), request, GETTER);
      Span span = Otel.TRACER.spanBuilder(request.getMethod() + " " + request.getRequestURI())
          .setSpanKind(SpanKind.SERVER).setParent(extracted).startSpan();
      try (Scope s = extracted.with(span).makeCurrent()) {
        chain.doFilter(req, res);
      } finally {
        span.end();
      }
    }
  }

  /** What OpenTelemetry's HTTP client instrumentation does: a client span, its headers on the request. */
  static String otelCall(HttpClient client, String url) throws Exception {
    Span span = Otel.TRACER.spanBuilder("GET").setSpanKind(SpanKind.CLIENT).startSpan();
    try (Scope s = span.makeCurrent()) {
      HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url));
      Otel.PROPAGATORS.getTextMapPropagator().inject(Context.current(), request, HttpRequest.Builder::header);
      return client.send(request.build(), HttpResponse.BodyHandlers.ofString()).body();
    } finally {
      span.end();
    }
  }

  private static TomcatServer service(String name, boolean otel, HttpServlet servlet) throws Exception {
    ThreadlineFilter filter = new ThreadlineFilter();
    filter.setAccessLogger(name + ".access");
    TomcatServer server = new TomcatServer(4);
    if (otel) {
      server.filter("otel", new OtelServerFilter());
    }
    return server.threadline(filter).servlet("/", servlet).start();
  }

  @BeforeEach
  void clearSpans() {
    Otel.SPANS.reset();
  }

  @Test
  void otelServiceCallsAThreadlineOnlyService_oneTraceOneRequestId() throws Exception {
    try (LogCapture capture = LogCapture.capture();
        TomcatServer b = service("b", false, new HttpServlet() {
          @Override
          protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            LoggerFactory.getLogger("b.app").info("b handled");
            resp.getWriter().write("from b");
          }
        });
        TomcatServer a = service("a", true, new HttpServlet() {
          @Override
          protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            LoggerFactory.getLogger("a.app").info("a calling b");
            try {
              // Threadline's client adds the request id; OpenTelemetry writes the trace headers.
              resp.getWriter().write(otelCall(TracingHttpClient.wrap(HttpClient.newHttpClient()), b.url("/")));
            } catch (Exception e) {
              throw new IOException(e);
            }
          }
        })) {
      HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create(a.url("/"))).header("X-Request-Id", "req-otel-to-tl").build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(response.body()).isEqualTo("from b");
      assertThat(response.headers().firstValue("X-Request-Id")).hasValue("req-otel-to-tl");
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
          .until(() -> capture.byLogger("a.access").size() == 1 && capture.byLogger("b.access").size() == 1);

      SpanData server = span("GET /", SpanKind.SERVER);
      SpanData client = span("GET", SpanKind.CLIENT);
      Map<String, Object> aApp = only(capture.byLogger("a.app"));
      Map<String, Object> bApp = only(capture.byLogger("b.app"));
      Map<String, Object> bAccess = only(capture.byLogger("b.access"));
      // A's lines are OpenTelemetry's server span; Threadline started none of its own.
      assertThat(aApp).containsEntry("trace_id", server.getTraceId()).containsEntry("span_id", server.getSpanId())
          .containsEntry("requestId", "req-otel-to-tl");
      assertThat(only(capture.byLogger("a.access"))).containsEntry("span_id", server.getSpanId());
      assertThat(server.getAttributes().get(ThreadlineOtel.REQUEST_ID)).isEqualTo("req-otel-to-tl");
      // B (Threadline alone) continues OpenTelemetry's trace under its client span.
      assertThat(bApp).containsEntry("trace_id", server.getTraceId()).containsEntry("requestId", "req-otel-to-tl");
      assertThat(bAccess).containsEntry("parent_span_id", client.getSpanId());
      assertThat(Otel.SPANS.getFinishedSpanItems()).hasSize(2);
    }
  }

  @Test
  void threadlineOnlyServiceCallsAnOtelService_oneTraceOneRequestId() throws Exception {
    try (LogCapture capture = LogCapture.capture();
        TomcatServer b = service("b", true, new HttpServlet() {
          @Override
          protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            LoggerFactory.getLogger("b.app").info("b handled");
            resp.getWriter().write("from b");
          }
        });
        TomcatServer a = service("a", false, new HttpServlet() {
          @Override
          protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            LoggerFactory.getLogger("a.app").info("a calling b");
            try {
              resp.getWriter().write(TracingHttpClient.wrap(HttpClient.newHttpClient()).send(
                  HttpRequest.newBuilder(URI.create(b.url("/"))).build(), HttpResponse.BodyHandlers.ofString())
                  .body());
            } catch (InterruptedException e) {
              throw new IOException(e);
            }
          }
        })) {
      HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create(a.url("/"))).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(response.body()).isEqualTo("from b");
      String requestId = response.headers().firstValue("X-Request-Id").orElseThrow();
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
          .until(() -> capture.byLogger("a.access").size() == 1 && capture.byLogger("b.access").size() == 1);

      SpanData server = span("GET /", SpanKind.SERVER);
      Map<String, Object> aApp = only(capture.byLogger("a.app"));
      Map<String, Object> aCall = only(capture.byLogger("dev.threadline.client"));
      Map<String, Object> bApp = only(capture.byLogger("b.app"));
      assertThat(aApp).containsEntry("trace_id", server.getTraceId()).containsEntry("requestId", requestId);
      // B's server span is OpenTelemetry's, a child of A's (Threadline's) client span.
      assertThat(server.getParentSpanId()).isEqualTo(aCall.get("span_id"));
      assertThat(bApp).containsEntry("trace_id", server.getTraceId()).containsEntry("span_id", server.getSpanId())
          .containsEntry("requestId", requestId);
      assertThat(server.getAttributes().get(ThreadlineOtel.REQUEST_ID)).isEqualTo(requestId);
    }
  }

  @Test
  void theRequestIdRoundTripsThroughBaggageAlone() throws Exception {
    try (LogCapture capture = LogCapture.capture();
        TomcatServer b = service("b", true, new HttpServlet() {
          @Override
          protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            LoggerFactory.getLogger("b.app").info("b handled, X-Request-Id {}", req.getHeader("X-Request-Id"));
            resp.getWriter().write("from b");
          }
        });
        TomcatServer a = service("a", true, new HttpServlet() {
          @Override
          protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            try {
              // A plain client: only OpenTelemetry's headers (traceparent, baggage) go out.
              resp.getWriter().write(otelCall(HttpClient.newHttpClient(), b.url("/")));
            } catch (Exception e) {
              throw new IOException(e);
            }
          }
        })) {
      HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(a.url("/")))
          .header("X-Request-Id", "req-in-baggage").build(), HttpResponse.BodyHandlers.ofString());
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
          .until(() -> capture.byLogger("b.access").size() == 1);
      assertThat(only(capture.byLogger("b.app"))).containsEntry("requestId", "req-in-baggage")
          .containsEntry("message", "b handled, X-Request-Id null");
      assertThat(only(capture.byLogger("b.access"))).containsEntry("requestId", "req-in-baggage");
    }
  }

  private static SpanData span(String name, SpanKind kind) {
    return Otel.SPANS.getFinishedSpanItems().stream()
        .filter(s -> s.getName().equals(name) && s.getKind() == kind).findFirst().orElseThrow();
  }

  private static Map<String, Object> only(List<Map<String, Object>> lines) {
    assertThat(lines).hasSize(1);
    return lines.get(0);
  }
}
