package dev.threadline.loki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import dev.threadline.spring.autoconfigure.internal.LokiHealth;
import dev.threadline.spring.autoconfigure.internal.LokiHealthIndicator;
import dev.threadline.spring.autoconfigure.internal.LokiShipping;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Real Spring Boot start-ups (SpringApplication, Boot's logging system, the starter's spring.factories listener)
 * against the Loki-faithful receiver: Loki gets Boot's lines from before the context refreshes, and the failure report
 * of an application that cannot start; a blank url is off, said once; a missing service name is a warning. Batches
 * wait 30 s, so only the flush when shipping stops can have sent what arrives.
 */
@ExtendWith(OutputCaptureExtension.class)
class LokiFromFirstLineTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  /** JSON lines on the console, where the module's logback-test.xml has none. */
  private static final String CONSOLE = "logging.config=classpath:console-logging/logback-spring.xml";

  @org.springframework.boot.SpringBootConfiguration
  @org.springframework.boot.autoconfigure.EnableAutoConfiguration
  static class App {
  }

  @org.springframework.boot.SpringBootConfiguration
  @org.springframework.boot.autoconfigure.EnableAutoConfiguration
  static class Broken {
    @Bean
    String brokenBean() {
      throw new IllegalStateException("the database is not there");
    }
  }

  @Test
  void bootsStartingLine_loggedBeforeTheContextRefreshes_reachesLoki() throws Exception {
    try (LokiReceiver loki = LokiReceiver.start()) {
      try (ConfigurableApplicationContext context = app(App.class, "spring.application.name=orders",
          "threadline.loki.url=" + loki.url()).run()) {
        assertThat(context.getBean(LokiShipping.class).appender().getName()).isEqualTo(LokiShipping.APPENDER_NAME);
        LoggerFactory.getLogger("orders.app").info("after start-up");
      }
      List<Map<String, Object>> lines = lines(loki);
      List<String> messages = lines.stream().map(line -> String.valueOf(line.get("message"))).toList();
      assertThat(messages).filteredOn(m -> m.matches("Starting .* using Java .*")).hasSize(1);
      assertThat(messages).filteredOn(m -> m.startsWith("Started ")).hasSize(1);
      assertThat(messages).filteredOn("after start-up"::equals).hasSize(1);
      // The "Starting" line came first: nothing of this application's was logged before Loki shipping started.
      assertThat(messages.get(0)).startsWith("Starting ");
      assertThat(loki.entries()).allSatisfy(entry -> assertThat(entry.labels()).containsEntry("service", "orders"));
    }
  }

  @Test
  void whenBootReinitialisesLoggingAfterShippingStarted_theContextsRefreshAttachesAFreshAppender() throws Exception {
    try (LokiReceiver loki = LokiReceiver.start()) {
      // Between the early start and the refresh, Boot's logging system is initialised again (as a second
      // initialisation does: every appender is stopped and Logback configured anew).
      org.springframework.context.ApplicationListener<
          org.springframework.boot.context.event.ApplicationContextInitializedEvent> reinitialise = event -> {
            org.springframework.boot.logging.LoggingSystem system =
                org.springframework.boot.logging.LoggingSystem.get(getClass().getClassLoader());
            system.cleanUp();
            system.beforeInitialize();
            system.initialize(new org.springframework.boot.logging.LoggingInitializationContext(
                event.getApplicationContext().getEnvironment()), null, null);
          };
      ch.qos.logback.core.Appender<?> attached; // by the refresh, the early one having been stopped
      try (ConfigurableApplicationContext context = app(App.class, "spring.application.name=orders",
          "threadline.loki.url=" + loki.url()).listeners(reinitialise).run()) {
        LokiShipping shipping = context.getBean(LokiShipping.class);
        attached = shipping.appender();
        assertThat(shipping.isRunning()).isTrue();
        Logger root = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(Logger.ROOT_LOGGER_NAME);
        assertThat(root.getAppender(LokiShipping.APPENDER_NAME)).isSameAs(attached);
        assertThat(attached.isStarted()).isTrue();
        LoggerFactory.getLogger("orders.app").info("after the second initialisation");
      }
      // What was logged between the second initialisation and the refresh (here Boot's "Starting" line) is lost.
      List<String> messages = lines(loki).stream().map(line -> String.valueOf(line.get("message"))).toList();
      assertThat(messages).filteredOn(m -> m.startsWith("Started ")).hasSize(1);
      assertThat(messages).filteredOn("after the second initialisation"::equals).hasSize(1);
      assertThat(attached.isStarted()).isFalse();
    }
  }

  @Test
  void anApplicationThatFailsToStart_shipsItsFailureReport() throws Exception {
    try (LokiReceiver loki = LokiReceiver.start()) {
      assertThatThrownBy(() -> app(Broken.class, "spring.application.name=billing",
          "threadline.loki.url=" + loki.url()).run()).hasRootCauseMessage("the database is not there");
      // Boot stops Logback (so the appender, which sends what is queued) when the JVM exits; here the test does.
      Logger root = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(Logger.ROOT_LOGGER_NAME);
      ch.qos.logback.core.Appender<?> appender = root.getAppender(LokiShipping.APPENDER_NAME);
      assertThat(appender).isNotNull();
      root.detachAppender(LokiShipping.APPENDER_NAME);
      appender.stop();

      List<Map<String, Object>> lines = lines(loki);
      assertThat(lines).anySatisfy(line -> assertThat(String.valueOf(line.get("message"))).startsWith("Starting "));
      assertThat(lines).filteredOn(line -> "error".equals(line.get("level"))).isNotEmpty()
          .anySatisfy(line -> assertThat(JSON.writeValueAsString(line)).contains("the database is not there"));
    }
  }

  @Test
  void aBlankUrlIsOff_saidOnceAsAnInfoLine_andHealthSaysSo(CapturedOutput output) {
    try (ConfigurableApplicationContext context = app(App.class, "spring.application.name=orders",
        "threadline.loki.url=", CONSOLE).run()) {
      LokiShipping shipping = context.getBean(LokiShipping.class);
      assertThat(shipping.isOff()).isTrue();
      assertThat(shipping.appender()).isNull();
      Logger root = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(Logger.ROOT_LOGGER_NAME);
      assertThat(root.getAppender(LokiShipping.APPENDER_NAME)).isNull();
      Health health = context.getBean(LokiHealthIndicator.class).health();
      assertThat(health.getStatus().getCode()).isEqualTo("UNKNOWN");
      assertThat(health.getDetails()).containsEntry("reason", LokiHealth.OFF);
    }
    List<Map<String, Object>> off = output.getOut().lines().filter(line -> line.startsWith("{"))
        .map(LokiFromFirstLineTest::parse).filter(line -> String.valueOf(line.get("message")).contains("Loki is off"))
        .toList();
    assertThat(off).singleElement().satisfies(line -> assertThat(line).containsEntry("level", "info")
        .containsEntry("logger", LokiShipping.class.getName()));
    assertThat(output.getErr()).doesNotContain("ERROR in");
  }

  @Test
  void noServiceName_isAWarningOnTheConsole_andTheAppendersOnStandardError(CapturedOutput output) throws Exception {
    try (LokiReceiver loki = LokiReceiver.start()) {
      try (ConfigurableApplicationContext context = app(App.class, "threadline.loki.url=" + loki.url(), CONSOLE)
          .run()) {
        assertThat(context.getBean(LokiShipping.class).appender()).isNotNull();
      }
      List<Map<String, Object>> warnings = output.getOut().lines().filter(line -> line.startsWith("{"))
          .map(LokiFromFirstLineTest::parse)
          .filter(line -> String.valueOf(line.get("message")).startsWith("spring.application.name is not set"))
          .toList();
      assertThat(warnings).singleElement().satisfies(line -> assertThat(line).containsEntry("level", "warn"));
      assertThat(output.getErr()).contains("LokiAppender '" + LokiShipping.APPENDER_NAME + "': no service name");
      assertThat(loki.entries()).isNotEmpty()
          .allSatisfy(entry -> assertThat(entry.labels()).containsEntry("service", "unknown"));
    }
  }

  private static SpringApplicationBuilder app(Class<?> source, String... properties) {
    return new SpringApplicationBuilder(source).web(WebApplicationType.NONE)
        .properties("spring.main.banner-mode=off", "threadline.loki.batch-max-wait=30s")
        .properties(properties);
  }

  private static List<Map<String, Object>> lines(LokiReceiver loki) {
    return loki.entries().stream().map(entry -> parse(entry.line())).toList();
  }

  private static Map<String, Object> parse(String line) {
    return JSON.readValue(line, new TypeReference<Map<String, Object>>() { });
  }
}
