package dev.threadline.loki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.threadline.spring.autoconfigure.ThreadlineAutoConfiguration;
import dev.threadline.spring.autoconfigure.internal.LokiShipping;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

/**
 * The README's spill properties for the starter, taken from the README itself: a Boot application with exactly
 * those lines (and {@code LOKI_URL}, {@code LOKI_SPILL} set as its environment would), Loki down, writes its lines to
 * the spill directory; the next run, Loki up, sends every one of them.
 */
class ReadmeSpillPropertiesTest {

  private static final String MARKER = "<!-- ReadmeSpillPropertiesTest";
  private static final Logger log = LoggerFactory.getLogger("orders.app");

  private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(ThreadlineAutoConfiguration.class));

  static String[] readmeProperties() throws Exception {
    List<String> lines = ReadmeBlocks.block(MARKER, "properties");
    assertThat(lines).anyMatch(l -> l.startsWith("threadline.loki.spill.directory="));
    return lines.toArray(String[]::new);
  }


  @Test
  void theReadmesProperties_spillWhileLokiIsDown_andTheNextRunSendsIt(@TempDir Path spill) throws Exception {
    int closed;
    try (ServerSocket socket = new ServerSocket(0)) {
      closed = socket.getLocalPort();
    }
    LokiAppender[] appender = new LokiAppender[1];
    runner.withPropertyValues(readmeProperties())
        .withPropertyValues("LOKI_URL=http://127.0.0.1:" + closed, "LOKI_SPILL=" + spill,
            "spring.application.name=order-api")
        .run(context -> {
          LokiAppender loki = context.getBean(LokiShipping.class).appender();
          appender[0] = loki;
          assertThat(loki.stats().spillStatus()).isEqualTo("on");
          for (int i = 0; i < 50; i++) {
            log.info("from the README's spill properties #{}", i);
          }
        });
    LokiStats stopped = appender[0].stats();
    assertThat(stopped.unaccounted()).isZero();
    assertThat(stopped.dropped()).isZero();
    assertThat(stopped.spillPending()).isEqualTo(stopped.appended()).isGreaterThanOrEqualTo(50);
    try (java.util.stream.Stream<Path> files = Files.list(spill)) {
      assertThat(files.map(p -> p.getFileName().toString())).anyMatch(name -> name.endsWith(".seg"));
    }

    try (LokiReceiver loki = LokiReceiver.start()) {
      runner.withPropertyValues(readmeProperties())
          .withPropertyValues("LOKI_URL=" + loki.url(), "LOKI_SPILL=" + spill, "spring.application.name=order-api")
          .run(context -> {
            LokiAppender next = context.getBean(LokiShipping.class).appender();
            appender[0] = next;
            assertThat(next.stats().recovered()).isEqualTo(stopped.spillPending());
            await().atMost(Duration.ofSeconds(20)).until(() -> next.stats().spillPending() == 0);
          });
      assertThat(loki.entries().stream().filter(e -> e.line().contains("from the README's spill properties #")))
          .hasSize(50).allSatisfy(e -> assertThat(e.labels()).containsEntry("service", "order-api"));
    }
    assertThat(appender[0].stats().unaccounted()).isZero();
  }
}
