package dev.threadline.tracing.app;

import java.util.concurrent.CompletableFuture;
import org.springframework.scheduling.annotation.Async;
import org.springframework.stereotype.Component;

/** Work handed to Spring Boot's task executor, as {@code @Async} does it. */
@Component
class Worker {

  private final SpanProbe probe;

  Worker(SpanProbe probe) {
    this.probe = probe;
  }

  @Async
  public CompletableFuture<Void> work() {
    AppLines.line(probe.currentSpanId()).log("async");
    return CompletableFuture.completedFuture(null);
  }
}
