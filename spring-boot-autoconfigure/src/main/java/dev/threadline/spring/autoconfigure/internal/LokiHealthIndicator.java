package dev.threadline.spring.autoconfigure.internal;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Loki shipping in the actuator's health ({@code threadlineLoki}): UP while the appender runs, with its counters and
 * last error as details, whether or not Loki answers (logs that cannot reach Loki are not a reason to restart the
 * application); DOWN only when the appender's sender thread has died for good, so nothing more is shipped; UNKNOWN
 * with a reason when Loki is off or no appender runs. When the starter adopted a LokiAppender from Logback's
 * configuration, this reports that appender. See {@link LokiHealth}.
 */
public class LokiHealthIndicator implements HealthIndicator {

  private final LokiShipping shipping;

  /**
   * A health indicator that reads the appender's counters on each health request (no work in between).
   *
   * @param shipping the application's Loki shipping
   */
  public LokiHealthIndicator(LokiShipping shipping) {
    this.shipping = shipping;
  }

  @Override
  public Health health() {
    LokiHealth.Report report = LokiHealth.of(shipping);
    return Health.status(report.status()).withDetails(report.details()).build();
  }
}
