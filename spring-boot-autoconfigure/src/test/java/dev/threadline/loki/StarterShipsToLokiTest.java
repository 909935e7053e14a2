package dev.threadline.loki;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadline.spring.autoconfigure.ThreadlineAutoConfiguration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

/**
 * One property ships to Loki: the starter against the Loki-faithful receiver of loki-appender's tests (protobuf and
 * Snappy decoded independently, Loki's rules enforced). In this package only to reach that receiver.
 */
class StarterShipsToLokiTest {

  private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(ThreadlineAutoConfiguration.class));

  @Test
  void linesArriveWithTheServiceLabelAndTenant_andShutdownFlushesWhatIsQueued() throws Exception {
    try (LokiReceiver loki = LokiReceiver.start()) {
      runner.withPropertyValues("threadline.loki.url=" + loki.url(), "spring.application.name=orders",
          "threadline.loki.tenant=team-a", "threadline.loki.batch-max-wait=30s",
          "threadline.loki.static-labels.cluster=eu-1")
          .run(context -> LoggerFactory.getLogger("orders.app").info("shipped by the starter"));
      // The batch would wait 30 s: only the flush when the context closed can have sent it.
      List<LokiReceiver.Entry> entries = loki.entries().stream()
          .filter(e -> e.line().contains("shipped by the starter")).toList();
      assertThat(entries).hasSize(1);
      LokiReceiver.Entry entry = entries.get(0);
      assertThat(entry.tenant()).isEqualTo("team-a");
      assertThat(entry.labels()).containsEntry("service", "orders").containsEntry("level", "info")
          .containsEntry("cluster", "eu-1");
      assertThat(entry.line()).contains("\"service\":\"orders\"").contains("\"logger\":\"orders.app\"");
    }
  }

  /** #13: a Boot application with Loki down took the whole 10 s shutdown timeout to close. */
  @Test
  void closingTheApplicationWithLokiRefusingConnections_isQuick_andCountsWhatWasNotSent() throws Exception {
    int closedPort;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    LokiAppender[] appender = new LokiAppender[1];
    long[] closing = new long[1];
    runner.withPropertyValues("threadline.loki.url=http://127.0.0.1:" + closedPort, "spring.application.name=orders")
        .run(context -> {
          appender[0] = context.getBean(dev.threadline.spring.autoconfigure.internal.LokiShipping.class).appender();
          for (int i = 0; i < 50; i++) {
            LoggerFactory.getLogger("orders.app").info("never delivered {}", i);
          }
          closing[0] = System.nanoTime();
        });
    // The default shutdown timeout is 10 s; a refused connection must end the flush at once.
    assertThat(java.time.Duration.ofNanos(System.nanoTime() - closing[0])).isLessThan(java.time.Duration.ofSeconds(3));
    LokiStats stats = appender[0].stats();
    assertThat(stats.pending()).isZero();
    assertThat(stats.sent()).isZero();
    assertThat(stats.droppedAtShutdown()).isGreaterThanOrEqualTo(50);
    assertThat(stats.appended()).isEqualTo(stats.dropped() + stats.unconfirmed());
  }

  /** The README names these properties: each reaches the appender and changes what it does. */
  @Test
  void maxRetriesAndMaxRequestBytes_reachTheAppender() throws Exception {
    try (LokiReceiver loki = LokiReceiver.start()) {
      loki.respondNextWith(500, "internal error", java.util.Map.of(), 1);
      runner.withPropertyValues("threadline.loki.url=" + loki.url(), "spring.application.name=orders",
          "threadline.loki.max-retries=0", "threadline.loki.max-retry-time=1m",
          "threadline.loki.max-request-bytes=64KB", "threadline.loki.batch-max-wait=50ms")
          .run(context -> {
            LokiAppender appender = context.getBean(dev.threadline.spring.autoconfigure.internal.LokiShipping.class).appender();
            LoggerFactory.getLogger("orders.app").info("given up after its first 500");
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> appender.stats().droppedRetriesExhausted() == 1);
            // A message over the encoder's 32 KiB field limit is cut; a stack trace makes the line exceed 64 KB.
            LoggerFactory.getLogger("orders.app").info("x".repeat(30_000), new IllegalStateException("y".repeat(30_000)));
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> appender.stats().droppedTooLarge() == 1);
          });
      assertThat(loki.entries()).noneMatch(e -> e.line().contains("given up after its first 500"));
    }
  }

  @Test
  void theAppendersCountersAreMetersAndAHealthContributor() throws Exception {
    try (LokiReceiver loki = LokiReceiver.start()) {
      runner.withPropertyValues("threadline.loki.url=" + loki.url(), "threadline.loki.batch-max-wait=50ms")
          .run(context -> {
            io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
            context.getBean(dev.threadline.spring.autoconfigure.internal.LokiMeterBinder.class).bindTo(registry);
            for (int i = 0; i < 5; i++) {
              LoggerFactory.getLogger("orders.app").info("counted {}", i);
            }
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> registry.get("threadline.loki.events.sent").functionCounter().count() >= 5);
            for (String cause : java.util.List.of("queue_full", "too_large", "rejected", "retries_exhausted",
                "failed", "shutdown", "too_old")) {
              assertThat(registry.get("threadline.loki.events.dropped").tag("cause", cause).functionCounter()
                  .count()).as(cause).isZero();
            }
            assertThat(registry.get("threadline.loki.events.dropped").functionCounters()).hasSize(7);
            assertThat(registry.get("threadline.loki.events.unconfirmed").functionCounter().count()).isZero();
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> registry.get("threadline.loki.events.pending").gauge().value() == 0);
            org.springframework.boot.health.contributor.Health health = context.getBean(
                dev.threadline.spring.autoconfigure.internal.LokiHealthIndicator.class).health();
            assertThat(health.getStatus().getCode()).isEqualTo("UP");
            assertThat(((Number) health.getDetails().get("sent")).longValue()).isGreaterThanOrEqualTo(5);
            assertThat(health.getDetails()).containsEntry("appender", "THREADLINE_LOKI")
                .containsEntry("senderRunning", true).containsEntry("dropped", 0L).doesNotContainKey("lastError")
                .containsEntry("spillStatus", "off").doesNotContainKey("spillError");
          });
    }
    runner.withClassLoader(new org.springframework.boot.test.context.FilteredClassLoader("io.micrometer.core"))
        .withPropertyValues("threadline.loki.url=http://127.0.0.1:1", "threadline.loki.shutdown-timeout=100ms")
        .run(context -> assertThat(context).hasNotFailed()
            .doesNotHaveBean(dev.threadline.spring.autoconfigure.internal.LokiMeterBinder.class));
  }

  @Test
  void lokiDownAtStartUpNeverFailsTheApplication() throws Exception {
    try (LokiReceiver loki = LokiReceiver.start()) {
      loki.goDown();
      runner.withPropertyValues("threadline.loki.url=" + loki.url(), "threadline.loki.shutdown-timeout=300ms",
              "threadline.loki.batch-max-wait=50ms")
          .run(context -> {
            assertThat(context).hasNotFailed();
            LoggerFactory.getLogger("orders.app").info("while Loki is down");
            // Down is a detail, never the application's health.
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> context.getBean(
                dev.threadline.spring.autoconfigure.internal.LokiHealthIndicator.class).health().getDetails()
                .containsKey("lastError"));
            assertThat(context.getBean(dev.threadline.spring.autoconfigure.internal.LokiHealthIndicator.class).health()
                .getStatus().getCode()).isEqualTo("UP");
          });
      assertThat(loki.entries()).noneMatch(e -> e.line().contains("while Loki is down"));
      loki.comeUp();
    }
  }
}
