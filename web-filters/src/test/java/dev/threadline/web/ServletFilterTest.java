package dev.threadline.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadline.core.ContextExecutors;
import dev.threadline.core.RequestIds;
import dev.threadline.web.servlet.ThreadlineFilter;
import jakarta.servlet.AsyncContext;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The filter in a real Tomcat: ids in every line, the access line, async and error dispatches. */
class ServletFilterTest {

  private static final Logger APP = LoggerFactory.getLogger("app");
  private static final ExecutorService WORKERS = ContextExecutors.wrap(Executors.newFixedThreadPool(2));
  private static TomcatServer server;
  private static final HttpClient CLIENT = HttpClient.newHttpClient();

  @BeforeAll
  static void startServer() throws Exception {
    ThreadlineFilter filter = new ThreadlineFilter();
    filter.setTraceResponse(true);
    server = new TomcatServer(4).threadline(filter)
        .servlet("/hello", new HttpServlet() {
          @Override
          protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            APP.info("hello handled");
            resp.setStatus(200);
            resp.getWriter().write("hello");
          }
        })
        .servlet("/missing", new HttpServlet() {
          @Override
          protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            resp.sendError(404);
          }
        })
        .servlet("/boom", new HttpServlet() {
          @Override
          protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
            APP.info("about to fail");
            throw new IllegalStateException("boom");
          }
        })
        .servlet("/error", new HttpServlet() {
          @Override
          protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            APP.info("error page rendered");
            resp.getWriter().write("error page");
          }
        })
        .servlet("/async", new HttpServlet() {
          @Override
          protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
            AsyncContext async = req.startAsync();
            // The application's executor carries the request's correlation to its worker.
            WORKERS.execute(() -> {
              try {
                Thread.sleep(50);
                APP.info("async work done");
                resp.setStatus(202);
                resp.getWriter().write("accepted");
              } catch (Exception e) {
                throw new IllegalStateException(e);
              } finally {
                async.complete();
              }
            });
          }
        })
        .servlet("/async-dispatch", new HttpServlet() {
          @Override
          protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
            if (req.getDispatcherType() == jakarta.servlet.DispatcherType.ASYNC) {
              APP.info("async dispatch handled");
              resp.setStatus(200);
              return;
            }
            AsyncContext async = req.startAsync();
            WORKERS.execute(async::dispatch);
          }
        })
        .servlet("/actuator/health", new HttpServlet() {
          @Override
          protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
            APP.info("health checked");
            resp.setStatus(200);
          }
        })
        .errorPage("/error")
        .start();
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
    WORKERS.shutdown();
  }

  private static HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.url(path)))
        .header("User-Agent", "threadline-test/1.0").timeout(Duration.ofSeconds(10));
    for (int i = 0; i + 1 < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static Map<String, Object> accessLine(LogCapture capture, String requestId) {
    List<Map<String, Object>> access = capture.lines(l -> "dev.threadline.access".equals(l.get("logger"))
        && requestId.equals(l.get("requestId")));
    assertThat(access).as("one access line for %s", requestId).hasSize(1);
    return access.get(0);
  }

  private static void awaitAccessLine(LogCapture capture, String requestId) {
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
        !capture.lines(l -> "dev.threadline.access".equals(l.get("logger"))
            && requestId.equals(l.get("requestId"))).isEmpty());
  }

  @Test
  void aRequestWithoutHeadersStartsATraceAndEveryLineCarriesIt() throws Exception {
    try (LogCapture capture = LogCapture.capture()) {
      HttpResponse<String> response = get("/hello");
      assertThat(response.statusCode()).isEqualTo(200);
      String requestId = response.headers().firstValue("X-Request-Id").orElseThrow();
      assertThat(RequestIds.isValid(requestId)).isTrue();
      awaitAccessLine(capture, requestId);

      Map<String, Object> app = capture.lines(l -> "hello handled".equals(l.get("message"))).get(0);
      Map<String, Object> access = accessLine(capture, requestId);
      assertThat(app.get("requestId")).isEqualTo(requestId);
      assertThat((String) app.get("trace_id")).matches("[0-9a-f]{32}");
      assertThat((String) app.get("span_id")).matches("[0-9a-f]{16}");
      assertThat(access.get("trace_id")).isEqualTo(app.get("trace_id"));
      assertThat(access.get("span_id")).isEqualTo(app.get("span_id"));
      assertThat(access).containsEntry("level", "info").containsEntry("method", "GET")
          .containsEntry("path", "/hello").containsEntry("status", 200)
          .containsEntry("user_agent", "threadline-test/1.0").containsEntry("client_ip", "127.0.0.1")
          .doesNotContainKey("parent_span_id");
      assertThat(((Number) access.get("duration_ms")).doubleValue()).isGreaterThanOrEqualTo(0);
      assertThat(response.headers().firstValue("traceresponse").orElseThrow())
          .matches("00-" + app.get("trace_id") + "-" + app.get("span_id") + "-0[0-3]");
    }
  }

  @Test
  void aCallersTraceAndRequestIdContinueInANewServerSpan() throws Exception {
    String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    String callerSpan = "00f067aa0ba902b7";
    try (LogCapture capture = LogCapture.capture()) {
      HttpResponse<String> response = get("/hello?secret=s3cr3t", "traceparent", "00-" + traceId + "-" + callerSpan
          + "-01", "X-Request-Id", "req-from-caller-1", "Authorization", "Bearer top-secret-token",
          "Cookie", "session=abc123");
      assertThat(response.headers().firstValue("X-Request-Id")).hasValue("req-from-caller-1");
      awaitAccessLine(capture, "req-from-caller-1");
      Map<String, Object> access = accessLine(capture, "req-from-caller-1");
      Map<String, Object> app = capture.lines(l -> "hello handled".equals(l.get("message"))).get(0);
      assertThat(app).containsEntry("requestId", "req-from-caller-1").containsEntry("trace_id", traceId);
      assertThat(app.get("span_id")).isNotEqualTo(callerSpan);
      assertThat(access).containsEntry("parent_span_id", callerSpan).containsEntry("path", "/hello");
      String everything = String.join("\n", capture.raw());
      assertThat(everything).doesNotContain("top-secret-token", "abc123", "s3cr3t");
    }
  }

  @Test
  void statusDecidesTheLevel_andAFailedRequestKeepsItsIdsThroughTheErrorDispatch() throws Exception {
    try (LogCapture capture = LogCapture.capture()) {
      HttpResponse<String> missing = get("/missing");
      String missingId = missing.headers().firstValue("X-Request-Id").orElseThrow();
      HttpResponse<String> boom = get("/boom");
      assertThat(boom.statusCode()).isEqualTo(500);
      String boomId = boom.headers().firstValue("X-Request-Id").orElseThrow();
      awaitAccessLine(capture, missingId);
      awaitAccessLine(capture, boomId);

      assertThat(accessLine(capture, missingId)).containsEntry("status", 404).containsEntry("level", "warn");
      assertThat(accessLine(capture, boomId)).containsEntry("status", 500).containsEntry("level", "error");
      Map<String, Object> before = capture.lines(l -> "about to fail".equals(l.get("message"))).get(0);
      Map<String, Object> errorPage = capture.lines(l -> "error page rendered".equals(l.get("message"))
          && boomId.equals(l.get("requestId"))).get(0);
      assertThat(errorPage.get("span_id")).isEqualTo(before.get("span_id"));
      assertThat(errorPage.get("trace_id")).isEqualTo(before.get("trace_id"));
    }
  }

  @Test
  void asyncRequestsKeepTheirIdsAndLogOnceWhenComplete() throws Exception {
    try (LogCapture capture = LogCapture.capture()) {
      HttpResponse<String> response = get("/async");
      assertThat(response.statusCode()).isEqualTo(202);
      String requestId = response.headers().firstValue("X-Request-Id").orElseThrow();
      awaitAccessLine(capture, requestId);
      Map<String, Object> work = capture.lines(l -> "async work done".equals(l.get("message"))).get(0);
      Map<String, Object> access = accessLine(capture, requestId);
      assertThat(work).containsEntry("requestId", requestId);
      assertThat(work.get("span_id")).isEqualTo(access.get("span_id"));
      assertThat(access).containsEntry("status", 202);
      assertThat(((Number) access.get("duration_ms")).doubleValue()).isGreaterThanOrEqualTo(50);

      HttpResponse<String> dispatched = get("/async-dispatch");
      String dispatchedId = dispatched.headers().firstValue("X-Request-Id").orElseThrow();
      awaitAccessLine(capture, dispatchedId);
      Map<String, Object> handled = capture.lines(l -> "async dispatch handled".equals(l.get("message"))).get(0);
      assertThat(handled).containsEntry("requestId", dispatchedId);
      assertThat(handled.get("span_id")).isEqualTo(accessLine(capture, dispatchedId).get("span_id"));
    }
  }

  @Test
  void healthChecksGetIdsButNoAccessLine() throws Exception {
    try (LogCapture capture = LogCapture.capture()) {
      HttpResponse<String> response = get("/actuator/health");
      String requestId = response.headers().firstValue("X-Request-Id").orElseThrow();
      get("/hello");
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
          .until(() -> !capture.byLogger("dev.threadline.access").isEmpty());
      assertThat(capture.lines(l -> "health checked".equals(l.get("message"))).get(0))
          .containsEntry("requestId", requestId);
      assertThat(capture.lines(l -> "dev.threadline.access".equals(l.get("logger"))
          && requestId.equals(l.get("requestId")))).isEmpty();
    }
  }
}
