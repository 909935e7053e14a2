package dev.threadline.loki;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.threadline.spring.autoconfigure.boot3.internal.Boot3LokiHealthIndicator;
import dev.threadline.spring.autoconfigure.internal.LokiShipping;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * On Spring Boot 3.5 too, the starter's listener starts Loki shipping as soon as Boot has initialised logging: Boot's
 * "Starting … using Java …" line, logged before the context refreshes, reaches the Loki-faithful receiver, once.
 * Batches wait 30 s, so only the flush at context close can have sent what arrives.
 */
class Boot3LokiFromFirstLineTest {

  @org.springframework.boot.SpringBootConfiguration
  @org.springframework.boot.autoconfigure.EnableAutoConfiguration
  static class App {
  }

  @Test
  void bootsStartingLine_reachesLoki_andBoot3sHealthReportsTheAppender() throws Exception {
    assertThat(SpringBootVersion.getVersion()).startsWith("3.5.");
    try (LokiReceiver loki = LokiReceiver.start()) {
      try (ConfigurableApplicationContext context = new SpringApplicationBuilder(App.class)
          .web(WebApplicationType.NONE)
          .properties("spring.main.banner-mode=off", "spring.application.name=orders",
              "threadline.loki.url=" + loki.url(), "threadline.loki.batch-max-wait=30s")
          .run()) {
        LokiShipping shipping = context.getBean(LokiShipping.class);
        assertThat(shipping.appender().getName()).isEqualTo(LokiShipping.APPENDER_NAME);
        Health health = context.getBean(Boot3LokiHealthIndicator.class).health();
        assertThat(health.getStatus()).isEqualTo(Status.UP);
        assertThat(health.getDetails()).containsEntry("appender", LokiShipping.APPENDER_NAME)
            .containsEntry("senderRunning", true);
        LoggerFactory.getLogger("orders.app").info("after start-up");
      }
      ObjectMapper json = new ObjectMapper();
      List<String> messages = new ArrayList<>();
      for (LokiReceiver.Entry entry : loki.entries()) {
        JsonNode line = json.readTree(entry.line());
        messages.add(line.path("message").asText());
        assertThat(entry.labels()).containsEntry("service", "orders");
      }
      assertThat(messages).filteredOn(m -> m.matches("Starting .* using Java .*")).hasSize(1);
      assertThat(messages).filteredOn("after start-up"::equals).hasSize(1);
    }
  }
}
