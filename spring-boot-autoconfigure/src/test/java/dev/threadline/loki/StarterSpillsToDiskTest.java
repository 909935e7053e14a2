package dev.threadline.loki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.status.Status;
import dev.threadline.spring.autoconfigure.ThreadlineAutoConfiguration;
import dev.threadline.spring.autoconfigure.internal.LokiHealthIndicator;
import dev.threadline.spring.autoconfigure.internal.LokiMeterBinder;
import dev.threadline.spring.autoconfigure.internal.LokiShipping;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

/**
 * {@code threadline.loki.spill.*} reaches the starter's appender: with Loki down, events go to the spill directory
 * instead of being dropped once the memory budget is full, the meters and the health details say the same as the
 * appender's counters, and the next run sends what the previous one left. In this package only to reach the
 * Loki-faithful receiver of loki-appender's tests.
 */
class StarterSpillsToDiskTest {

  private static final Logger log = LoggerFactory.getLogger("orders.app");

  private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(ThreadlineAutoConfiguration.class));

  @Test
  void lokiDown_eventsGoToTheSpillDirectory_metersAndHealthAgree_andTheNextRunSendsThem(@TempDir Path spill)
      throws Exception {
    LokiAppender[] appender = new LokiAppender[1];
    String padding = "x".repeat(500);
    runner.withPropertyValues("threadline.loki.url=http://127.0.0.1:" + closedPort(), "spring.application.name=orders",
        "threadline.loki.spill.directory=" + spill, "threadline.loki.max-queue-bytes=65536",
        "threadline.loki.batch-max-wait=50ms")
        .run(context -> {
          LokiAppender loki = context.getBean(LokiShipping.class).appender();
          appender[0] = loki;
          assertThat(loki.stats().spillStatus()).isEqualTo("on");
          // 200 events of over 500 bytes, more than the 64 KiB memory budget holds, in steps the spill keeps up with.
          for (int step = 0; step < 8; step++) {
            for (int i = 0; i < 25; i++) {
              log.info("spilled #{} {}", step * 25 + i, padding);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> loki.stats().pending() == 0);
          }
          LokiStats onDisk = loki.stats();
          assertThat(onDisk.spilled()).isGreaterThanOrEqualTo(200);
          assertThat(onDisk.spillPending()).isEqualTo(onDisk.spilled());
          assertThat(onDisk.sent()).isZero();
          assertThat(onDisk.dropped()).isZero();
          assertThat(onDisk.spillBytes()).isPositive();
          assertThat(segments(spill)).isNotEmpty();

          SimpleMeterRegistry registry = new SimpleMeterRegistry();
          context.getBean(LokiMeterBinder.class).bindTo(registry);
          LokiHealthIndicator indicator = context.getBean(LokiHealthIndicator.class);
          // Read between two identical snapshots, so no event moved while the meters and health were read.
          await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            LokiStats before = loki.stats();
            double spilled = registry.get("threadline.loki.events.spilled").functionCounter().count();
            double spillPending = registry.get("threadline.loki.events.spill.pending").gauge().value();
            double spillBytes = registry.get("threadline.loki.spill.bytes").gauge().value();
            Health health = indicator.health();
            LokiStats after = loki.stats();
            assertThat(List.of(after.spilled(), after.spillPending(), after.spillBytes()))
                .containsExactly(before.spilled(), before.spillPending(), before.spillBytes());
            assertThat(spilled).isEqualTo(before.spilled());
            assertThat(spillPending).isEqualTo(before.spillPending());
            assertThat(spillBytes).isEqualTo(before.spillBytes());
            assertThat(health.getStatus().getCode()).isEqualTo("UP");
            assertThat(health.getDetails()).containsEntry("spilled", before.spilled())
                .containsEntry("spillPending", before.spillPending()).containsEntry("spillBytes", before.spillBytes())
                .containsEntry("recovered", 0L).containsEntry("droppedTooOld", 0L)
                .containsEntry("spillTornBytes", 0L).containsEntry("spillStatus", "on")
                .doesNotContainKey("spillError");
          });
          assertThat(registry.get("threadline.loki.spill.bytes").gauge().getId().getBaseUnit()).isEqualTo("bytes");
          assertThat(registry.get("threadline.loki.events.recovered").functionCounter().count()).isZero();
          assertThat(registry.get("threadline.loki.events.dropped").tag("cause", "too_old").functionCounter().count())
              .isZero();
        });
    // Stopped: every event appended is on disk, none lost, none counted twice.
    LokiStats stopped = appender[0].stats();
    assertThat(stopped.unaccounted()).isZero();
    assertThat(stopped.pending()).isZero();
    assertThat(stopped.dropped()).isZero();
    assertThat(stopped.spillPending()).isEqualTo(stopped.appended());

    try (LokiReceiver loki = LokiReceiver.start()) {
      runner.withPropertyValues("threadline.loki.url=" + loki.url(), "spring.application.name=orders",
          "threadline.loki.spill.directory=" + spill, "threadline.loki.batch-max-wait=50ms")
          .run(context -> {
            LokiAppender next = context.getBean(LokiShipping.class).appender();
            appender[0] = next;
            assertThat(next.stats().recovered()).isEqualTo(stopped.spillPending());
            await().atMost(Duration.ofSeconds(20)).until(() -> next.stats().spillPending() == 0);
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            context.getBean(LokiMeterBinder.class).bindTo(registry);
            assertThat(registry.get("threadline.loki.events.recovered").functionCounter().count())
                .isEqualTo(stopped.spillPending());
            assertThat(registry.get("threadline.loki.events.spill.pending").gauge().value()).isZero();
            assertThat(context.getBean(LokiHealthIndicator.class).health().getDetails())
                .containsEntry("recovered", stopped.spillPending()).containsEntry("spillPending", 0L);
          });
      assertThat(loki.entries().stream().filter(e -> e.line().contains("spilled #")).map(e -> e.line()))
          .hasSize(200).allSatisfy(line -> assertThat(line).contains("\"service\":\"orders\""));
    }
    LokiStats replayed = appender[0].stats();
    assertThat(replayed.unaccounted()).isZero();
    assertThat(replayed.spillPending()).isZero();
    assertThat(replayed.sent()).isGreaterThanOrEqualTo(stopped.spillPending());
  }

  @Test
  void anUnusableSpillDirectory_leavesTheAppenderRunningMemoryOnly_andSaysWhy(@TempDir Path scratch)
      throws Exception {
    Path directory = Files.createFile(scratch.resolve("a-file")).resolve("spill");
    long since = System.currentTimeMillis();
    runner.withPropertyValues("threadline.loki.url=http://127.0.0.1:" + closedPort(),
        "threadline.loki.spill.directory=" + directory, "threadline.loki.shutdown-timeout=300ms")
        .run(context -> {
          assertThat(context).hasNotFailed();
          LokiAppender loki = context.getBean(LokiShipping.class).appender();
          assertThat(loki).isNotNull();
          assertThat(loki.isStarted()).isTrue();
          LokiStats stats = loki.stats();
          assertThat(stats.spillStatus()).isEqualTo("memory-only");
          assertThat(stats.spillError()).contains(directory.toString());
          Health health = context.getBean(LokiHealthIndicator.class).health();
          assertThat(health.getStatus().getCode()).isEqualTo("UP");
          assertThat(health.getDetails()).containsEntry("spillStatus", "memory-only")
              .containsEntry("spillError", stats.spillError());
        });
    assertThat(errorsSince(since)).anySatisfy(error -> assertThat(error)
        .contains("the spill directory cannot be used").contains(directory.toString()).contains("memory-only"));
  }

  @Test
  void theSpillSettings_reachTheAppender(@TempDir Path spill) throws Exception {
    String lokiDown = "threadline.loki.url=http://127.0.0.1:" + closedPort();
    runner.withPropertyValues(lokiDown, "threadline.loki.spill.directory=" + spill,
        "threadline.loki.spill.fsync=batch", "threadline.loki.spill.max-size=64MB",
        "threadline.loki.spill.fsync-interval=250ms", "threadline.loki.spill.max-age=1s",
        "threadline.loki.batch-max-wait=50ms", "threadline.loki.shutdown-timeout=300ms")
        .run(context -> {
          LokiAppender loki = context.getBean(LokiShipping.class).appender();
          assertThat(loki.stats().spillStatus()).isEqualTo("on");
          // No accessor shows these three: the appender's fields are the only place they can be seen.
          assertThat(loki).extracting("spillFsync", "spillMaxBytes", "spillFsyncInterval")
              .containsExactly("batch", 64L * 1024 * 1024, Duration.ofMillis(250));
          // max-age by what it does: spilled events older than a second are dropped, not sent, and counted.
          log.info("too old before Loki is back");
          await().atMost(Duration.ofSeconds(30)).until(() -> loki.stats().droppedTooOld() >= 1);
          SimpleMeterRegistry registry = new SimpleMeterRegistry();
          context.getBean(LokiMeterBinder.class).bindTo(registry);
          assertThat(registry.get("threadline.loki.events.dropped").functionCounters()).hasSize(7);
          assertThat(registry.get("threadline.loki.events.dropped").tag("cause", "too_old").functionCounter()
              .count()).isEqualTo(loki.stats().droppedTooOld());
          assertThat(context.getBean(LokiHealthIndicator.class).health().getDetails())
              .containsEntry("droppedTooOld", loki.stats().droppedTooOld());
        });
  }

  @Test
  void badSpillSettings_keepTheAppenderFromStarting_withTheSettingNamed_andTheApplicationRunsOn(@TempDir Path spill)
      throws Exception {
    String lokiDown = "threadline.loki.url=http://127.0.0.1:" + closedPort();
    Map<String, String> problems = Map.of(
        "threadline.loki.spill.fsync=sometimes", "spillFsync must be batch, interval or never, not 'sometimes'",
        "threadline.loki.spill.max-size=1MB", "spillMaxBytes must be at least 2097152",
        "threadline.loki.spill.max-age=0s", "spillMaxAge must be positive");
    for (Map.Entry<String, String> problem : problems.entrySet()) {
      long since = System.currentTimeMillis();
      runner.withPropertyValues(lokiDown, "threadline.loki.spill.directory=" + spill, problem.getKey())
          .run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(LokiShipping.class).appender()).as(problem.getKey()).isNull();
          });
      assertThat(errorsSince(since)).as(problem.getKey()).anySatisfy(error -> assertThat(error)
          .startsWith("LokiAppender '" + LokiShipping.APPENDER_NAME + "' not started").contains(problem.getValue()));
    }
    // Without a directory there is no spill, and its other settings are not passed on.
    runner.withPropertyValues(lokiDown, "threadline.loki.spill.fsync=sometimes",
        "threadline.loki.shutdown-timeout=300ms")
        .run(context -> assertThat(context.getBean(LokiShipping.class).appender().stats().spillStatus())
            .isEqualTo("off"));
  }

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static List<Path> segments(Path directory) throws IOException {
    try (Stream<Path> files = Files.list(directory)) {
      return files.filter(file -> file.getFileName().toString().matches("spill-.*\\.seg")).toList();
    }
  }

  /** The Logback status errors since {@code millis}, as the appender reports trouble. */
  private static List<String> errorsSince(long millis) {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    return context.getStatusManager().getCopyOfStatusList().stream()
        .filter(status -> status.getLevel() == Status.ERROR && status.getTimestamp() >= millis)
        .map(Status::getMessage).toList();
  }
}
