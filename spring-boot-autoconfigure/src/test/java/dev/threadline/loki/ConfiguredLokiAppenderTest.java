package dev.threadline.loki;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import dev.threadline.spring.autoconfigure.internal.LokiHealthIndicator;
import dev.threadline.spring.autoconfigure.internal.LokiMeterBinder;
import dev.threadline.spring.autoconfigure.internal.LokiShipping;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The README's plain-Logback configuration (a LokiAppender named LOKI on the root logger, beside a JSON console), taken
 * from the README itself, in a Spring Boot application that also sets {@code threadline.loki.url}: the starter ships
 * through the application's appender instead of adding a second, says so once, and its health and meters report that
 * appender. Every console line reaches Loki exactly once, under one service label.
 */
@ExtendWith(OutputCaptureExtension.class)
class ConfiguredLokiAppenderTest {

  private static final String README_MARKER = "<!-- ReadmeLogbackTest";

  @org.springframework.boot.SpringBootConfiguration
  @org.springframework.boot.autoconfigure.EnableAutoConfiguration
  static class App {
  }

  @Test
  void theReadmesLokiAppenderIsTheOnlyOne_everyLineArrivesOnce(CapturedOutput output, @TempDir Path scratch)
      throws Exception {
    Path logbackXml = scratch.resolve("logback.xml");
    Files.writeString(logbackXml, readmeLogbackXml());
    Logger root = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(Logger.ROOT_LOGGER_NAME);
    try (LokiReceiver loki = LokiReceiver.start()) {
      System.setProperty("LOKI_URL", loki.url());
      LokiAppender users;
      try (ConfigurableApplicationContext context = new SpringApplicationBuilder(App.class)
          .web(WebApplicationType.NONE)
          .properties("spring.main.banner-mode=off", "logging.config=file:" + logbackXml,
              "spring.application.name=orders", "threadline.loki.url=" + loki.url(),
              "threadline.loki.batch-max-wait=30s")
          .run()) {
        assertThat(root.getAppender(LokiShipping.APPENDER_NAME)).isNull();
        users = (LokiAppender) root.getAppender("LOKI");
        LokiShipping shipping = context.getBean(LokiShipping.class);
        assertThat(shipping.isAdopted()).isTrue();
        assertThat(shipping.appender()).isSameAs(users);

        for (int i = 0; i < 5; i++) {
          LoggerFactory.getLogger("orders.app").info("shipped once, #{}", i);
        }
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        context.getBean(LokiMeterBinder.class).bindTo(registry);
        // The meters read the application's appender: they settle where its own counters do.
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() ->
            registry.get("threadline.loki.events.pending").gauge().value() == 0
                && registry.get("threadline.loki.events.sent").functionCounter().count() == users.stats().appended());
        Health health = context.getBean(LokiHealthIndicator.class).health();
        assertThat(health.getStatus().getCode()).isEqualTo("UP");
        assertThat(health.getDetails()).containsEntry("appender", "LOKI").containsEntry("senderRunning", true)
            .containsKeys("appended", "sent", "droppedQueueFull", "unconfirmed", "pending");
      } finally {
        System.clearProperty("LOKI_URL");
      }
      // What Boot's logging shutdown does as the JVM exits: stop the application's appenders, which flushes LOKI.
      root.detachAppender(users);
      users.stop();
      ch.qos.logback.core.Appender<?> console = root.getAppender("STDOUT");
      root.detachAppender("STDOUT");
      console.stop();

      List<String> consoleLines = output.getOut().lines()
          .filter(line -> line.startsWith("{\"timestamp\":") && line.contains("\"thread\":\"main\"")).toList();
      List<String> lokiLines = loki.entries().stream().map(entry -> entry.line().strip())
          .filter(line -> line.contains("\"thread\":\"main\"")).toList();
      assertThat(consoleLines).anySatisfy(line -> assertThat(line).contains("shipped once, #4"));
      assertThat(count(lokiLines)).isEqualTo(count(consoleLines)).allSatisfy((line, n) -> assertThat(n).isOne());
      assertThat(lokiLines).filteredOn(line -> line.contains("already has the Loki appender 'LOKI'")).hasSize(1);
      assertThat(loki.entries().stream().map(entry -> entry.labels().get("service")).distinct())
          .containsExactly("order-api");
      assertThat(users.stats().dropped()).isZero();
    }
  }

  private static Map<String, Long> count(List<String> lines) {
    return lines.stream().collect(Collectors.groupingBy(line -> line, HashMap::new, Collectors.counting()));
  }

  /** The README's Logback quick start, as ReadmeLogbackTest (loki-appender) reads it. */
  private static String readmeLogbackXml() throws Exception {
    String xml = ReadmeBlocks.text(README_MARKER, "xml");
    assertThat(xml).contains("class=\"dev.threadline.loki.LokiAppender\"");
    return xml;
  }
}
