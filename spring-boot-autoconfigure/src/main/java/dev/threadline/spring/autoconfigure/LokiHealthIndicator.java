package dev.threadline.spring.autoconfigure;

import dev.threadline.loki.LokiAppender;
import dev.threadline.spring.autoconfigure.internal.LokiHealth;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Loki shipping in the actuator's health: UP while the appender runs, with its counters and last error as details,
 * UNKNOWN when it does not. Never DOWN: logs that cannot reach Loki are not a reason to restart the application.
 */
public class LokiHealthIndicator implements HealthIndicator {

  private final LokiShipping shipping;

  public LokiHealthIndicator(LokiShipping shipping) {
    this.shipping = shipping;
  }

  @Override
  public Health health() {
    LokiAppender appender = shipping.appender();
    if (appender == null) {
      return Health.unknown().withDetail("reason", LokiHealth.NOT_RUNNING).build();
    }
    return Health.up().withDetails(LokiHealth.details(appender.stats())).build();
  }
}
