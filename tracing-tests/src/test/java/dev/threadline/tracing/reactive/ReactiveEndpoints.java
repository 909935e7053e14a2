package dev.threadline.tracing.reactive;

import dev.threadline.tracing.app.AppLines;
import dev.threadline.tracing.app.SpanProbe;
import java.time.Duration;
import org.springframework.core.env.Environment;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * {@code GET /a}: a line, a line in a manual span, a call to {@code /b} through Boot's {@link WebClient.Builder},
 * then, on a {@code boundedElastic} thread, the "async" line, and after a delay (the {@code parallel} scheduler) the
 * last line. {@code GET /b}: one line, after a hop to {@code boundedElastic}. Each line carries {@code api_span}, the
 * span the tracer's API reports current, where it reports one.
 */
@RestController
class ReactiveEndpoints {

  private final SpanProbe probe;
  private final WebClient.Builder clients;
  private final Environment environment;
  private volatile WebClient self;

  ReactiveEndpoints(SpanProbe probe, WebClient.Builder clients, Environment environment) {
    this.probe = probe;
    this.clients = clients;
    this.environment = environment;
  }

  @GetMapping("/a")
  Mono<String> a() {
    AppLines.line(probe.currentSpanId()).log("a-start");
    probe.inManualSpan(manual -> AppLines.line(manual).log("in-manual"));
    return self().get().uri("/b").retrieve().bodyToMono(String.class)
        .publishOn(Schedulers.boundedElastic())
        .map(b -> {
          AppLines.line(probe.currentSpanId()).log("async");
          return b;
        })
        .delayElement(Duration.ofMillis(5))
        .map(b -> {
          AppLines.line(probe.currentSpanId()).log("a-end");
          return "a+" + b;
        });
  }

  @GetMapping("/b")
  Mono<String> b() {
    return Mono.just("b")
        .publishOn(Schedulers.boundedElastic())
        .map(b -> {
          AppLines.line(probe.currentSpanId()).log("b");
          return b;
        });
  }

  private WebClient self() {
    if (self == null) {
      // The port is known only once the server listens.
      self = clients.baseUrl("http://127.0.0.1:" + environment.getProperty("local.server.port")).build();
    }
    return self;
  }
}
