package dev.threadline.spring.autoconfigure;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import dev.threadline.logback.ThreadlineEncoder;
import dev.threadline.loki.LokiAppender;
import java.util.Map;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.env.Environment;

/**
 * The Loki appender on the root logger for as long as the application context runs: attached first (before other
 * beans start), detached and flushed last (after they stop), beside whatever appenders logback-spring.xml defines.
 * Starting never contacts Loki, so an unreachable Loki never fails start-up: delivery problems are Logback
 * status warnings and the appender's counters.
 */
public class LokiShipping implements SmartLifecycle {

  /** The appender's name on the root logger. */
  public static final String APPENDER_NAME = "THREADLINE_LOKI";

  private final ThreadlineProperties.Loki settings;
  private final Environment environment;
  private volatile LokiAppender appender;

  public LokiShipping(ThreadlineProperties.Loki settings, Environment environment) {
    this.settings = settings;
    this.environment = environment;
  }

  @Override
  public void start() {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext)) {
      return;
    }
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    LokiAppender loki = new LokiAppender();
    loki.setContext(context);
    loki.setName(APPENDER_NAME);
    loki.setUrl(settings.getUrl());
    ThreadlineEncoder encoder = new ThreadlineEncoder();
    encoder.setContext(context);
    String service = environment.getProperty("spring.application.name");
    if (service != null && !service.isBlank()) {
      loki.setService(service);
      encoder.setService(service);
    }
    String[] profiles = environment.getActiveProfiles();
    if (profiles.length > 0) {
      loki.setEnv(profiles[0]);
      encoder.setEnv(profiles[0]);
    }
    loki.setEncoder(MicrometerTracingKeys.leaveOutDuplicates(encoder));
    loki.setLabels(settings.getLabels());
    for (Map.Entry<String, String> label : settings.getStaticLabels().entrySet()) {
      loki.addStaticLabel(label.getKey() + "=" + label.getValue());
    }
    if (settings.getTenant() != null) {
      loki.setTenant(settings.getTenant());
    }
    if (settings.getUsername() != null) {
      loki.setUsername(settings.getUsername());
    }
    if (settings.getPassword() != null) {
      loki.setPassword(settings.getPassword());
    }
    if (settings.getBearerToken() != null) {
      loki.setBearerToken(settings.getBearerToken());
    }
    loki.setMaxQueueBytes(settings.getMaxQueueBytes());
    loki.setOverflowPolicy(settings.getOverflowPolicy());
    loki.setBatchMaxItems(settings.getBatchMaxItems());
    loki.setBatchMaxWait(ch.qos.logback.core.util.Duration.buildByMilliseconds(
        settings.getBatchMaxWait().toMillis()));
    loki.setShutdownTimeout(ch.qos.logback.core.util.Duration.buildByMilliseconds(
        settings.getShutdownTimeout().toMillis()));
    loki.start();
    if (loki.isStarted()) {
      context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(loki);
      appender = loki;
    }
    // Not started: the appender has said why through Logback status (a bad setting); the application runs on.
  }

  @Override
  public void stop() {
    LokiAppender loki = appender;
    appender = null;
    if (loki != null && LoggerFactory.getILoggerFactory() instanceof LoggerContext) {
      Logger root = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
      root.detachAppender(loki);
      loki.stop();
    }
  }

  @Override
  public boolean isRunning() {
    return appender != null;
  }

  /** First to start, last to stop. */
  @Override
  public int getPhase() {
    return Integer.MIN_VALUE + 1000;
  }

  /** The running appender, for its counters; {@code null} when not running. */
  public LokiAppender appender() {
    return appender;
  }
}
