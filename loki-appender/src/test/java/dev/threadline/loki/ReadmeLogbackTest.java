package dev.threadline.loki;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.status.Status;
import dev.threadline.logback.ThreadlineEncoder;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The README's plain-Logback quick start, taken from the README itself: at most 15 lines, configures without a
 * single status warning, and its lines reach Loki with the service and env labels it sets.
 */
class ReadmeLogbackTest {

  private static final String MARKER = "<!-- ReadmeLogbackTest";

  static String snippet() throws Exception {
    return ReadmeBlocks.text(MARKER, "xml");
  }

  @Test
  void theQuickStartIsShort_configuresCleanly_andShipsToLoki() throws Exception {
    String xml = snippet();
    assertThat(xml.lines().count()).isLessThanOrEqualTo(15);
    try (LokiReceiver loki = LokiReceiver.start()) {
      LoggerContext context = new LoggerContext();
      // What Logback's service provider does for the context it creates.
      context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
      context.putProperty("LOKI_URL", loki.url());
      JoranConfigurator configurator = new JoranConfigurator();
      configurator.setContext(context);
      configurator.doConfigure(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
      assertThat(context.getStatusManager().getCopyOfStatusList())
          .filteredOn(status -> status.getLevel() >= Status.WARN).isEmpty();
      ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
      assertThat(((ConsoleAppender<?>) root.getAppender("STDOUT")).getEncoder()).isInstanceOf(ThreadlineEncoder.class);
      assertThat(root.getAppender("LOKI")).isInstanceOf(LokiAppender.class);

      context.getLogger("orders.app").info("from the README's logback.xml");
      context.stop(); // flushes the Loki appender

      List<LokiReceiver.Entry> shipped = loki.entries().stream()
          .filter(e -> e.line().contains("from the README's logback.xml")).toList();
      assertThat(shipped).hasSize(1);
      assertThat(shipped.get(0).labels()).containsEntry("service", "order-api").containsEntry("env", "dev")
          .containsEntry("level", "info");
      assertThat(shipped.get(0).line()).contains("\"service\":\"order-api\"").contains("\"env\":\"dev\"");
    }
  }

  @Test
  void everyDurationCanBeWrittenInLogbackXml() throws Exception {
    String xml = """
        <configuration>
          <appender name="LOKI" class="dev.threadline.loki.LokiAppender">
            <url>http://127.0.0.1:1</url>
            <service>durations</service>
            <blockTimeout>20 milliseconds</blockTimeout>
            <batchMaxWait>2 seconds</batchMaxWait>
            <connectTimeout>1 second</connectTimeout>
            <requestTimeout>3 seconds</requestTimeout>
            <minBackoff>100</minBackoff>
            <maxBackoff>1 minute</maxBackoff>
            <shutdownTimeout>300 milliseconds</shutdownTimeout>
            <jmx>false</jmx>
          </appender>
          <root level="INFO"><appender-ref ref="LOKI"/></root>
        </configuration>
        """;
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    try {
      assertThat(context.getStatusManager().getCopyOfStatusList())
          .filteredOn(status -> status.getLevel() >= Status.WARN).isEmpty();
      assertThat(context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("LOKI").isStarted()).isTrue();
    } finally {
      long stopping = System.nanoTime();
      context.stop();
      // Loki is unreachable: only the configured 300 ms (not the default 10 s) bounds the stop.
      assertThat(java.time.Duration.ofNanos(System.nanoTime() - stopping)).isLessThan(java.time.Duration.ofSeconds(5));
    }
  }
}
