package dev.threadline.loki;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import dev.threadline.spring.autoconfigure.internal.LokiShipping;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A real Spring Boot start-up (its logging system initialised from the application's own logback-spring.xml, with
 * Boot's extensions) plus {@code threadline.loki.url}: the application's appender keeps its own format and gets every
 * line, the same lines reach Loki in Threadline's schema, and closing the application detaches the Loki appender
 * after flushing it.
 */
class BesideLogbackSpringXmlTest {

  @org.springframework.boot.SpringBootConfiguration
  @org.springframework.boot.autoconfigure.EnableAutoConfiguration
  static class App {
  }

  @Test
  void theApplicationsOwnAppendersKeepWorking_andLokiGetsTheSameLines(@TempDir Path scratch) throws Exception {
    Path userLog = scratch.resolve("app.log");
    try (LokiReceiver loki = LokiReceiver.start()) {
      try (ConfigurableApplicationContext context = new SpringApplicationBuilder(App.class)
          .web(WebApplicationType.NONE)
          .properties("logging.config=classpath:user-logging/logback-spring.xml",
              "test.user-log-file=" + userLog, "spring.application.name=orders",
              "threadline.loki.url=" + loki.url(), "threadline.loki.batch-max-wait=30s")
          .run()) {
        Logger root = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(Logger.ROOT_LOGGER_NAME);
        assertThat(root.getAppender("USER_FILE")).isNotNull();
        assertThat(root.getAppender(LokiShipping.APPENDER_NAME)).isNotNull();
        LoggerFactory.getLogger("orders.app").info("beside the application's own configuration");
      }
      // The batch would wait 30 s: only the flush on close can have sent it.
      List<LokiReceiver.Entry> shipped = loki.entries().stream()
          .filter(e -> e.line().contains("beside the application's own configuration")).toList();
      assertThat(shipped).hasSize(1);
      assertThat(shipped.get(0).labels()).containsEntry("service", "orders");
      assertThat(shipped.get(0).line()).startsWith("{\"timestamp\":").contains("\"logger\":\"orders.app\"");
      assertThat(Files.readAllLines(userLog))
          .contains("USER orders INFO orders.app - beside the application's own configuration");
      Logger root = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(Logger.ROOT_LOGGER_NAME);
      assertThat(root.getAppender(LokiShipping.APPENDER_NAME)).isNull();
    }
  }
}
