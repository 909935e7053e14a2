package dev.threadline.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadline.web.client.OutboundCalls;
import dev.threadline.web.client.apache.ThreadlineExecChainHandler;
import dev.threadline.web.client.jdk.TracingHttpClient;
import dev.threadline.web.client.okhttp.ThreadlineOkHttpInterceptor;
import dev.threadline.web.client.spring.ThreadlineClientHttpRequestInterceptor;
import dev.threadline.web.client.spring.ThreadlineExchangeFilterFunction;
import dev.threadline.web.servlet.ThreadlineFilter;
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
import java.util.function.Function;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.http.client.reactive.JdkClientHttpConnector;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Service A calls service B over real HTTP, two real Tomcats, through each client integration. Both services'
 * lines, parsed back, show one request id and one trace; A's server span, A's client span and B's server span form
 * a parent-child chain.
 */
class TwoServiceChainTest {

  private static final Logger A = LoggerFactory.getLogger("a.app");
  private static final Logger B = LoggerFactory.getLogger("b.app");
  private static final OutboundCalls CALLS = OutboundCalls.builder().logger("a.client").build();
  private static TomcatServer serviceA;
  private static TomcatServer serviceB;
  private static Map<String, Function<String, String>> clients;

  @BeforeAll
  static void startServices() throws Exception {
    ThreadlineFilter filterB = new ThreadlineFilter();
    filterB.setAccessLogger("b.access");
    // b answers with traceresponse: every client records b's span in its call line as callee_span_id.
    filterB.setTraceResponse(true);
    serviceB = new TomcatServer(4).threadline(filterB).servlet("/b", new HttpServlet() {
      @Override
      protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        B.info("b handled");
        resp.getWriter().write("from b");
      }
    }).start();

    String bUrl = serviceB.url("/b");
    HttpClient jdk = TracingHttpClient.wrap(HttpClient.newHttpClient(), CALLS);
    CloseableHttpClient apache = HttpClients.custom()
        .addExecInterceptorFirst(ThreadlineExecChainHandler.NAME, new ThreadlineExecChainHandler(CALLS)).build();
    okhttp3.OkHttpClient okhttp = new okhttp3.OkHttpClient.Builder()
        .addInterceptor(new ThreadlineOkHttpInterceptor(CALLS)).build();
    RestClient restClient = RestClient.builder().requestFactory(new JdkClientHttpRequestFactory())
        .requestInterceptor(new ThreadlineClientHttpRequestInterceptor(CALLS)).build();
    RestTemplate restTemplate = new RestTemplate(new JdkClientHttpRequestFactory());
    restTemplate.getInterceptors().add(new ThreadlineClientHttpRequestInterceptor(CALLS));
    WebClient webClient = WebClient.builder().clientConnector(new JdkClientHttpConnector())
        .filter(new ThreadlineExchangeFilterFunction(CALLS)).build();
    clients = Map.of(
        "jdk", url -> {
          try {
            return jdk.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString())
                .body();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        },
        "apache", url -> {
          try {
            return apache.execute(new HttpGet(url), response -> EntityUtils.toString(response.getEntity()));
          } catch (IOException e) {
            throw new IllegalStateException(e);
          }
        },
        "okhttp", url -> {
          try (okhttp3.Response response = okhttp.newCall(new okhttp3.Request.Builder().url(url).build()).execute()) {
            return response.body().string();
          } catch (IOException e) {
            throw new IllegalStateException(e);
          }
        },
        "restclient", url -> restClient.get().uri(url).retrieve().body(String.class),
        "resttemplate", url -> restTemplate.getForObject(url, String.class),
        "webclient", url -> webClient.get().uri(url).retrieve().bodyToMono(String.class)
            .block(Duration.ofSeconds(10)));

    ThreadlineFilter filterA = new ThreadlineFilter();
    filterA.setAccessLogger("a.access");
    serviceA = new TomcatServer(4).threadline(filterA).servlet("/a", new HttpServlet() {
      @Override
      protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        A.info("a calling b");
        String body = clients.get(req.getParameter("client")).apply(bUrl);
        A.info("a got {}", body);
        resp.getWriter().write(body);
      }
    }).start();
  }

  @AfterAll
  static void stopServices() throws Exception {
    serviceA.close();
    serviceB.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"jdk", "apache", "okhttp", "restclient", "resttemplate", "webclient"})
  void oneRequestIdAndOneTraceAcrossBothServices_withAParentChildChain(String client) throws Exception {
    try (LogCapture capture = LogCapture.capture()) {
      HttpResponse<String> response = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create(serviceA.url("/a?client=" + client))).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo("from b");
      String requestId = response.headers().firstValue("X-Request-Id").orElseThrow();
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
          .until(() -> capture.byLogger("a.access").size() == 1 && capture.byLogger("b.access").size() == 1);

      Map<String, Object> aApp = only(capture.lines(l -> "a calling b".equals(l.get("message"))));
      Map<String, Object> aCall = only(capture.byLogger("a.client"));
      Map<String, Object> aAccess = only(capture.byLogger("a.access"));
      Map<String, Object> bAccess = only(capture.byLogger("b.access"));
      Map<String, Object> bApp = only(capture.byLogger("b.app"));
      String traceId = (String) aApp.get("trace_id");
      for (Map<String, Object> line : List.of(aApp, aCall, aAccess, bAccess, bApp)) {
        assertThat(line).as(line.toString()).containsEntry("requestId", requestId).containsEntry("trace_id", traceId);
      }
      String serverA = (String) aApp.get("span_id");
      String clientSpan = (String) aCall.get("span_id");
      String serverB = (String) bApp.get("span_id");
      assertThat(aAccess.get("span_id")).isEqualTo(serverA);
      assertThat(clientSpan).isNotEqualTo(serverA);
      assertThat(aCall).containsEntry("parent_span_id", serverA).containsEntry("status", 200)
          .containsEntry("method", "GET").containsEntry("path", "/b").doesNotContainKey("_host");
      assertThat((String) aCall.get("target_host")).startsWith("127.0.0.1");
      assertThat(serverB).isNotIn(serverA, clientSpan);
      assertThat(bAccess).containsEntry("span_id", serverB).containsEntry("parent_span_id", clientSpan);
      assertThat(aCall).containsEntry("callee_span_id", serverB);
    }
  }

  private static Map<String, Object> only(List<Map<String, Object>> lines) {
    assertThat(lines).hasSize(1);
    return lines.get(0);
  }
}
