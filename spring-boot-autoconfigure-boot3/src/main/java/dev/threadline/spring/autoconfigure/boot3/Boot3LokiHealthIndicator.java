package dev.threadline.spring.autoconfigure.boot3;

import dev.threadline.loki.LokiAppender;
import dev.threadline.spring.autoconfigure.LokiShipping;
import dev.threadline.spring.autoconfigure.internal.LokiHealth;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;

/**
 * Loki shipping in Spring Boot 3.5's actuator health ({@code threadlineLoki}): UP while the appender runs, with its
 * counters and last error as details, UNKNOWN when it does not. Never DOWN: logs that cannot reach Loki are not a
 * reason to restart the application. The same report as Boot 4's {@code LokiHealthIndicator}, on Boot 3's API.
 */
public class Boot3LokiHealthIndicator implements HealthIndicator {

  private final LokiShipping shipping;

  /**
   * A health indicator that reads the appender's counters on each health request (no work in between).
   *
   * @param shipping the Loki shipping of this context
   */
  public Boot3LokiHealthIndicator(LokiShipping shipping) {
    this.shipping = shipping;
  }

  /** UP with the counters while the appender runs, UNKNOWN with a reason otherwise. */
  @Override
  public Health health() {
    LokiAppender appender = shipping.appender();
    if (appender == null) {
      return Health.unknown().withDetail("reason", LokiHealth.NOT_RUNNING).build();
    }
    return Health.up().withDetails(LokiHealth.details(appender.stats())).build();
  }
}
