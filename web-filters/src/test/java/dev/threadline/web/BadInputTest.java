package dev.threadline.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadline.core.RequestIds;
import dev.threadline.web.messaging.Messages;
import dev.threadline.web.servlet.ThreadlineFilter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/**
 * Hostile headers, sent as raw bytes over a socket so no client library cleans them first: the request still
 * succeeds, a fresh valid id or a new trace is used, every line stays valid JSON, and the bad value appears in no
 * line.
 */
class BadInputTest {

  private static TomcatServer server;

  @BeforeAll
  static void start() throws Exception {
    server = new TomcatServer(4).threadline(new ThreadlineFilter())
        .servlet("/echo", new HttpServlet() {
          @Override
          protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
            LoggerFactory.getLogger("app").info("handled");
            resp.setStatus(200);
          }
        }).start();
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  static List<Object[]> badHeaders() {
    String validParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    String members = IntStream.range(0, 33).mapToObj(i -> "k" + i + "=v" + i).collect(Collectors.joining(","));
    return List.of(
        new Object[] {"malformed traceparent", "traceparent: 00-zzzz-00f067aa0ba902b7-01\r\n", "zzzz"},
        new Object[] {"all-zero trace id", "traceparent: 00-00000000000000000000000000000000-00f067aa0ba902b7-01\r\n",
            "00000000000000000000000000000000"},
        new Object[] {"duplicate traceparent", "traceparent: " + validParent + "\r\ntraceparent: "
            + validParent.replace("4bf9", "5bf9") + "\r\n", "4bf92f3577b34da6a3ce929d0e0e4736"},
        new Object[] {"oversized traceparent", "traceparent: " + validParent + "-" + "a".repeat(600) + "\r\n",
            "aaaaaaaaaa"},
        new Object[] {"33-member tracestate", "traceparent: " + validParent + "\r\ntracestate: " + members + "\r\n",
            "k32=v32"},
        new Object[] {"request id with quotes", "X-Request-Id: \"quoted\"id\r\n", "quoted"},
        new Object[] {"500-character request id", "X-Request-Id: " + "r".repeat(500) + "\r\n", "rrrrrrrrrrrrrrrr"},
        // Sent as UTF-8; Tomcat reads header bytes as ISO-8859-1, so "ö" arrives as "Ã¶".
        new Object[] {"non-ASCII request id", "X-Request-Id: idé-ünïcödé\r\n", "c\u00C3\u00B6d"});
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badHeaders")
  void theRequestSucceedsWithFreshIdsAndTheBadValueIsLoggedNowhere(String name, String headers, String bad)
      throws Exception {
    try (LogCapture capture = LogCapture.capture()) {
      String response = rawGet(headers);
      assertThat(response).startsWith("HTTP/1.1 200");
      String requestId = header(response, "X-Request-Id");
      assertThat(RequestIds.isValid(requestId)).as(requestId).isTrue();
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
          .until(() -> !capture.byLogger("dev.threadline.access").isEmpty());
      Map<String, Object> handled = capture.lines(l -> "handled".equals(l.get("message"))).get(0);
      assertThat((String) handled.get("trace_id")).matches("[0-9a-f]{32}");
      if (!name.contains("tracestate")) {
        assertThat(handled.get("trace_id")).isNotEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
      }
      for (String line : capture.raw()) {
        assertThat(line).doesNotContain(bad);
      }
    }
  }

  @Test
  void crLfAndOtherJunkInMessageHeadersNeverReachALine() {
    try (LogCapture capture = LogCapture.capture()) {
      for (String bad : List.of("evil\r\n{\"level\":\"error\"}", "x".repeat(500), "\"quoted\"", "tab\there")) {
        Map<String, String> headers = new HashMap<>();
        headers.put("X-Request-Id", bad);
        headers.put("traceparent", "00-" + bad + "-01");
        try (var scope = Messages.open(headers)) {
          LoggerFactory.getLogger("consumer").info("consumed");
        }
      }
      assertThat(capture.raw()).hasSize(4);
      for (String line : capture.raw()) {
        assertThat(line).doesNotContain("evil", "xxxxxxxxxx", "quoted", "tab");
        assertThat(line.indexOf('\n')).isIn(-1, line.length() - 1);
      }
    }
  }

  private static String rawGet(String extraHeaders) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(("GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + extraHeaders + "\r\n")
          .getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream response = new ByteArrayOutputStream();
      in.transferTo(response);
      return response.toString(StandardCharsets.ISO_8859_1);
    }
  }

  private static String header(String response, String name) {
    for (String line : response.split("\r\n")) {
      if (line.regionMatches(true, 0, name + ":", 0, name.length() + 1)) {
        return line.substring(name.length() + 1).trim();
      }
    }
    throw new AssertionError("no " + name + " in " + response);
  }
}
