package dev.threadline.tracing.app;

import static dev.threadline.tracing.app.AppLines.line;

import dev.threadline.core.ContextExecutors;
import dev.threadline.web.client.jdk.TracingHttpClient;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The Spring Boot application's {@link Endpoints} as one plain servlet, writing the same lines ({@link AppLines}).
 * {@code GET /a}: a line, a line in a manual span, a call to {@code /b} through the JDK's {@link HttpClient} wrapped
 * by {@link TracingHttpClient}, a line from a pool thread (the pool wrapped by {@link ContextExecutors}), a last line.
 * {@code GET /b}: one line.
 */
final class PlainEndpoints extends HttpServlet {

  private static final long serialVersionUID = 1L;

  private final transient SpanProbe probe;
  private final transient HttpClient client = TracingHttpClient.wrap(HttpClient.newHttpClient());
  private final transient ExecutorService worker = ContextExecutors.wrap(Executors.newFixedThreadPool(2, task -> {
    Thread thread = new Thread(task, "plain-async");
    thread.setDaemon(true);
    return thread;
  }));

  PlainEndpoints(SpanProbe probe) {
    this.probe = probe;
  }

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response)
      throws ServletException, IOException {
    String body;
    try {
      body = switch (request.getServletPath()) {
        case "/a" -> a(request.getLocalPort());
        case "/b" -> b();
        default -> null;
      };
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ServletException(e);
    } catch (ExecutionException | TimeoutException e) {
      throw new ServletException(e);
    }
    if (body == null) {
      response.sendError(HttpServletResponse.SC_NOT_FOUND);
      return;
    }
    response.setContentType("text/plain");
    response.getWriter().write(body);
  }

  private String a(int port) throws IOException, InterruptedException, ExecutionException, TimeoutException {
    line(probe.currentSpanId()).log("a-start");
    probe.inManualSpan(manual -> line(manual).log("in-manual"));
    HttpResponse<String> b = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/b")).build(),
        HttpResponse.BodyHandlers.ofString());
    if (b.statusCode() != 200) {
      throw new IOException("GET /b answered " + b.statusCode());
    }
    worker.submit(() -> line(probe.currentSpanId()).log("async")).get(10, TimeUnit.SECONDS);
    line(probe.currentSpanId()).log("a-end");
    return "a+" + b.body();
  }

  private String b() {
    line(probe.currentSpanId()).log("b");
    return "b";
  }

  @Override
  public void destroy() {
    worker.shutdownNow();
  }
}
