package dev.threadline.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadline.web.servlet.ThreadlineFilter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Paths as an attacker sends them, as raw bytes over a socket (no client normalises them) to a real Tomcat: a skipped
 * path dressed up with dot segments still gets its access line, and path parameters (a session id) never reach a
 * line.
 */
class EdgePathsTest {

  private static TomcatServer server;

  @BeforeAll
  static void start() throws Exception {
    HttpServlet ok = new HttpServlet() {
      @Override
      protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.getWriter().write("served " + req.getServletPath());
      }
    };
    server = new TomcatServer(4).threadline(new ThreadlineFilter()).servlet("/admin/*", ok)
        .servlet("/actuator/*", ok).start();
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  /** Sends {@code target} as it is in the request line and returns the status line. */
  private static String rawGet(String target) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      String response = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
      return response.substring(0, response.indexOf("\r\n"));
    }
  }

  private static List<Map<String, Object>> accessLines(LogCapture capture) {
    return capture.byLogger("dev.threadline.access");
  }

  @Test
  void aSkippedPathWithDotSegments_servedByAnotherServlet_stillGetsItsAccessLine() throws Exception {
    try (LogCapture capture = LogCapture.capture()) {
      assertThat(rawGet("/actuator/health/../../admin/delete")).contains(" 200");
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !accessLines(capture).isEmpty());
      Map<String, Object> line = accessLines(capture).get(0);
      assertThat(line).containsEntry("status", 200).containsEntry("path", "/actuator/health/../../admin/delete");
    }
  }

  @Test
  void theHealthCheckItselfIsStillSkipped() throws Exception {
    try (LogCapture capture = LogCapture.capture()) {
      assertThat(rawGet("/actuator/health")).contains(" 200");
      assertThat(rawGet("/admin/after")).contains(" 200");
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !accessLines(capture).isEmpty());
      assertThat(accessLines(capture)).extracting(l -> l.get("path")).containsExactly("/admin/after");
    }
  }

  @Test
  void aCallLineNeverCarriesTheCalledUrlsPathParameters() throws Exception {
    try (LogCapture capture = LogCapture.capture()) {
      java.net.http.HttpClient client = dev.threadline.web.client.jdk.TracingHttpClient.wrap(
          java.net.http.HttpClient.newHttpClient());
      client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
          server.url("/admin/delete;jsessionid=ABCDEF0123456789?x=1"))).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      Map<String, Object> call = capture.byLogger("dev.threadline.client").get(0);
      assertThat(call).containsEntry("path", "/admin/delete");
      assertThat(capture.raw()).noneMatch(raw -> raw.contains("ABCDEF0123456789"));
    }
  }

  @Test
  void pathParametersNeverReachALine() throws Exception {
    try (LogCapture capture = LogCapture.capture()) {
      assertThat(rawGet("/admin/delete;jsessionid=ABCDEF0123456789/item;v=2?x=1")).contains(" 200");
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !accessLines(capture).isEmpty());
      Map<String, Object> line = accessLines(capture).get(0);
      assertThat(line).containsEntry("path", "/admin/delete/item");
      assertThat(capture.raw()).noneMatch(raw -> raw.contains("ABCDEF0123456789") || raw.contains("jsessionid"));
    }
  }
}
