package dev.threadline.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.threadline.web.servlet.ThreadlineFilter;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Collections;
import java.util.Enumeration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Init-parameters (as in web.xml) take effect; a bad one is reported and ignored, never fails start-up. */
class FilterSettingsTest {

  private static FilterConfig config(Map<String, String> params) {
    return new FilterConfig() {
      @Override
      public String getFilterName() {
        return "threadline";
      }

      @Override
      public ServletContext getServletContext() {
        return null;
      }

      @Override
      public String getInitParameter(String name) {
        return params.get(name);
      }

      @Override
      public Enumeration<String> getInitParameterNames() {
        return Collections.enumeration(params.keySet());
      }
    };
  }

  @Test
  void initParametersConfigureTheFilterAndABadOneIsIgnoredWithAWarning() throws Exception {
    LogCapture capture = LogCapture.capture();
    ThreadlineFilter filter = new ThreadlineFilter();
    filter.init(config(Map.of("accessLogger", "custom.access", "clientErrorLevel", "info",
        "serverErrorLevel", "LOUD", "requestIdHeader", "X-Trace-Request", "skip", "")));
    try (capture;
        TomcatServer server = new TomcatServer(2).threadline(filter).servlet("/actuator/health", new HttpServlet() {
          @Override
          protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
            resp.setStatus(404);
          }
        }).start()) {
      HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create(server.url("/actuator/health"))).header("X-Trace-Request", "req-custom-header").build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(response.headers().firstValue("X-Trace-Request")).hasValue("req-custom-header");
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
          .until(() -> !capture.byLogger("custom.access").isEmpty());
      // skip="" logs health checks too; 4xx at INFO as configured.
      assertThat(capture.byLogger("custom.access").get(0)).containsEntry("level", "info")
          .containsEntry("status", 404).containsEntry("requestId", "req-custom-header");
      assertThat(capture.lines(l -> String.valueOf(l.get("message")).contains("serverErrorLevel ignored")))
          .hasSize(1);
    }
  }

  @Test
  void programmaticSettingsRefuseBadValuesWithAClearMessage() {
    ThreadlineFilter filter = new ThreadlineFilter();
    assertThatThrownBy(() -> filter.setServerErrorLevel("LOUD"))
        .hasMessageContaining("serverErrorLevel must be TRACE, DEBUG, INFO, WARN or ERROR, not 'LOUD'");
    assertThatThrownBy(() -> filter.setSkip("health")).hasMessageContaining("skip patterns start with '/'");
  }
}
