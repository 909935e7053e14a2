package dev.threadline.tracing.app;

import static dev.threadline.tracing.app.AppLines.line;

import java.util.concurrent.TimeUnit;
import org.springframework.core.env.Environment;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;

/**
 * {@code GET /a}: a line, a line in a manual span, a call to {@code /b} through Boot's {@link RestClient.Builder}, a
 * line from an {@code @Async} thread, a last line. {@code GET /b}: one line. Each line carries {@code api_span}, the
 * span the tracer's API reports current, where it reports one ({@link AppLines}).
 */
@RestController
class Endpoints {

  private final SpanProbe probe;
  private final Worker worker;
  private final RestClient.Builder clients;
  private final Environment environment;
  private volatile RestClient self;

  Endpoints(SpanProbe probe, Worker worker, RestClient.Builder clients, Environment environment) {
    this.probe = probe;
    this.worker = worker;
    this.clients = clients;
    this.environment = environment;
  }

  @GetMapping("/a")
  String a() throws Exception {
    line(probe.currentSpanId()).log("a-start");
    probe.inManualSpan(manual -> line(manual).log("in-manual"));
    String b = self().get().uri("/b").retrieve().body(String.class);
    worker.work().get(10, TimeUnit.SECONDS);
    line(probe.currentSpanId()).log("a-end");
    return "a+" + b;
  }

  @GetMapping("/b")
  String b() {
    line(probe.currentSpanId()).log("b");
    return "b";
  }

  private RestClient self() {
    if (self == null) {
      // The port is known only once the server listens.
      self = clients.baseUrl("http://127.0.0.1:" + environment.getProperty("local.server.port")).build();
    }
    return self;
  }
}
