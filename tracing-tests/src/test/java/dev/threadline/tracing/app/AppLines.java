package dev.threadline.tracing.app;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * The application's own lines, through the logger {@code matrix}, each with {@code api_span} (the span the tracer's
 * API reports current) where it reports one. Shared by the Spring Boot application and the plain servlet one, so
 * both write the same lines; Spring-free.
 */
public final class AppLines {

  private static final Logger LOG = LoggerFactory.getLogger("matrix");

  private AppLines() {
  }

  /** An INFO line on {@code matrix}, with {@code api_span} when {@code apiSpan} is not {@code null}. */
  public static LoggingEventBuilder line(String apiSpan) {
    LoggingEventBuilder line = LOG.atInfo();
    return apiSpan == null ? line : line.addKeyValue("api_span", apiSpan);
  }
}
