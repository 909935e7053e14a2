package dev.threadline.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadline.core.Correlation;
import dev.threadline.web.servlet.ThreadlineFilter;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.ArrayList;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/**
 * 10,000 requests, each with its own request id, over a Tomcat of four threads: before the filter and after it, a
 * pooled thread holds no correlation and an empty MDC, and inside it holds exactly its own request's.
 */
class NoLeakBetweenRequestsTest {

  @Test
  void tenThousandRequestsOverFourThreadsLeaveNothingBehind() throws Exception {
    ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
    // Distinct ids: the JDK client may resend a GET whose kept-alive connection Tomcat closed under it, which serves
    // that request twice; what matters is that every request was served and none saw another's ids.
    java.util.Set<String> served = java.util.concurrent.ConcurrentHashMap.newKeySet();
    Filter probe = new Filter() {
      @Override
      public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
          throws IOException, ServletException {
        check("before", (HttpServletRequest) req);
        try {
          chain.doFilter(req, res);
        } finally {
          check("after", (HttpServletRequest) req);
        }
      }

      private void check(String when, HttpServletRequest req) {
        Map<String, String> mdc = MDC.getCopyOfContextMap();
        if ((mdc != null && !mdc.isEmpty()) || Correlation.current().isPresent()) {
          problems.add(when + " " + req.getHeader("X-Request-Id") + ": " + mdc + " " + Correlation.current());
        }
      }
    };
    try (TomcatServer server = new TomcatServer(4).filter("probe", probe).threadline(quiet())
        .servlet("/work", new HttpServlet() {
          @Override
          protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
            String sent = req.getHeader("X-Request-Id");
            if (!sent.equals(MDC.get("requestId")) || !sent.equals(Correlation.current().get().requestId())) {
              problems.add("inside " + sent + ": " + MDC.get("requestId"));
            }
            if (Integer.parseInt(sent.substring(4)) % 10 == 0) {
              resp.setStatus(500);
            }
            served.add(sent);
          }
        }).start()) {
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      ExecutorService senders = Executors.newFixedThreadPool(8);
      List<Future<Integer>> results = new ArrayList<>();
      for (int i = 0; i < 10_000; i++) {
        String id = "req-" + i;
        results.add(senders.submit(() -> client.send(HttpRequest.newBuilder(URI.create(server.url("/work")))
            .header("X-Request-Id", id).build(), HttpResponse.BodyHandlers.discarding()).statusCode()));
      }
      int errors = 0;
      for (Future<Integer> f : results) {
        if (f.get() == 500) {
          errors++;
        }
      }
      senders.shutdown();
      assertThat(served).hasSize(10_000);
      assertThat(errors).isEqualTo(1_000);
      assertThat(problems).isEmpty();
    }
  }

  private static ThreadlineFilter quiet() {
    ThreadlineFilter filter = new ThreadlineFilter();
    filter.setAccessLog(false);
    return filter;
  }
}
