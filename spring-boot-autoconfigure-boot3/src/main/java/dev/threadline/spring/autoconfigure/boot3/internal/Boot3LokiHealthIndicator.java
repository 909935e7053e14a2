package dev.threadline.spring.autoconfigure.boot3.internal;

import dev.threadline.spring.autoconfigure.internal.LokiHealth;
import dev.threadline.spring.autoconfigure.internal.LokiShipping;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;

/**
 * Loki shipping in Spring Boot 3.5's actuator health ({@code threadlineLoki}): UP while the appender runs, with its
 * counters and last error as details, whether or not Loki answers; DOWN only when the appender's sender thread has
 * died for good; UNKNOWN with a reason when Loki is off or no appender runs. The same report as Boot 4's
 * {@code LokiHealthIndicator} ({@link LokiHealth}), on Boot 3's API.
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

  /** The status and details of {@link LokiHealth#of}. */
  @Override
  public Health health() {
    LokiHealth.Report report = LokiHealth.of(shipping);
    return Health.status(report.status()).withDetails(report.details()).build();
  }
}
