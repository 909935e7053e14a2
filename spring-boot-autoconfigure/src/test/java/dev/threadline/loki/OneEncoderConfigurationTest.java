package dev.threadline.loki;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadline.logback.RedactionRule;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * #15: the console and the Loki appender are two encoders the starter makes; {@code threadline.encoder.*} given once
 * reaches both, in a real Spring Boot start-up with Boot's own structured console and the Loki-faithful receiver.
 */
@ExtendWith(OutputCaptureExtension.class)
class OneEncoderConfigurationTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  @org.springframework.boot.SpringBootConfiguration
  @org.springframework.boot.autoconfigure.EnableAutoConfiguration
  static class App {
  }

  /** An encoder customizer declared in this module's test META-INF/spring.factories; active only in this test. */
  public static final class Customizer implements dev.threadline.spring.autoconfigure.ThreadlineEncoderCustomizer {
    static volatile boolean active;

    @Override
    public void customize(dev.threadline.logback.ThreadlineEncoder encoder) {
      if (active) {
        encoder.addStaticField("customized=yes");
      }
    }
  }

  /** A rule of the application's own, named by property. */
  public static final class TicketIds implements RedactionRule {
    @Override
    public String redact(String value) {
      return value.contains("TCK-") ? value.replaceAll("TCK-[0-9]{6}", REDACTED) : value;
    }
  }

  @Test
  void oneRedactionSetting_reachesTheConsoleLineAndTheLineLokiReceives(CapturedOutput output) throws Exception {
    Customizer.active = true;
    try (LokiReceiver loki = LokiReceiver.start()) {
      try (ConfigurableApplicationContext context = new SpringApplicationBuilder(App.class)
          .web(WebApplicationType.NONE)
          .properties("spring.main.banner-mode=off", "spring.application.name=orders",
              "logging.config=classpath:structured-console/logback-spring.xml",
              "threadline.loki.url=" + loki.url(), "threadline.loki.batch-max-wait=30s",
              "threadline.encoder.redact-patterns=ORD-[0-9]{4}",
              "threadline.encoder.sensitive-names=iban",
              "threadline.encoder.redaction-rules=" + TicketIds.class.getName())
          .run()) {
        LoggerFactory.getLogger("orders.app").atInfo().addKeyValue("iban", "DE89370400440532013000")
            .log("order ORD-1234 for ticket TCK-123456, password=hunter2");
      }
      Map<String, Object> console = output.getOut().lines().filter(l -> l.startsWith("{"))
          .map(OneEncoderConfigurationTest::parse)
          .filter(l -> "orders.app".equals(l.get("logger"))).findFirst().orElseThrow();
      List<Map<String, Object>> shipped = loki.entries().stream().map(e -> parse(e.line()))
          .filter(l -> "orders.app".equals(l.get("logger"))).toList();
      assertThat(shipped).hasSize(1);
      for (Map<String, Object> line : List.of(console, shipped.get(0))) {
        assertThat(line).containsEntry("message", "order [REDACTED] for ticket [REDACTED], password=[REDACTED]")
            .containsEntry("iban", "[REDACTED]").containsEntry("service", "orders")
            .containsEntry("customized", "yes");
      }
    } finally {
      Customizer.active = false;
    }
  }

  /**
   * A redaction rule that cannot be made is a Logback configuration error, so Spring Boot does not start: an
   * application that asked for a rule never runs without it. The message names the property and the class.
   */
  @Test
  void aRedactionRuleThatCannotBeMade_stopsStartUp_namingIt() {
    SpringApplicationBuilder app = new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE)
        .properties("spring.main.banner-mode=off", "logging.config=classpath:structured-console/logback-spring.xml",
            "threadline.encoder.redaction-rules=com.acme.Missing");
    org.assertj.core.api.Assertions.assertThatThrownBy(app::run).hasStackTraceContaining(
        "threadline.encoder.redaction-rules: 'com.acme.Missing' is not used");
  }

  private static Map<String, Object> parse(String line) {
    return JSON.readValue(line, new TypeReference<Map<String, Object>>() { });
  }
}
