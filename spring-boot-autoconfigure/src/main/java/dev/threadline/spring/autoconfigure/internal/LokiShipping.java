package dev.threadline.spring.autoconfigure.internal;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.spi.AppenderAttachable;
import ch.qos.logback.core.util.FileSize;
import dev.threadline.logback.ThreadlineEncoder;
import dev.threadline.logback.internal.Resource;
import dev.threadline.loki.LokiAppender;
import dev.threadline.spring.autoconfigure.ThreadlineProperties;
import java.util.Iterator;
import java.util.Map;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.env.Environment;

/**
 * Loki shipping for one Spring Boot application: one Loki appender on the root logger, from as early as Boot's logging
 * system is initialised until the application context closes. Starting never contacts Loki, so an unreachable Loki
 * never fails start-up: delivery problems are Logback status warnings (on standard error) and the appender's counters.
 *
 * <p>When it starts. In an application started by {@code SpringApplication}, the starter's
 * {@code LokiStartupListener} creates and starts this right after Boot has initialised logging (the environment is
 * prepared), so Boot's first lines ("Starting … using Java …", the active profiles, a failure to start) reach Loki,
 * and registers it as the {@code threadlineLokiShipping} bean. Without that listener (a context built by other means,
 * such as {@code ApplicationContextRunner}) the auto-configuration creates it and it starts with the context, first
 * of all lifecycle beans. Either way it stops last, at context close, after the beans whose shutdown it ships.
 *
 * <p>What it attaches, decided once when it starts:
 * <ul>
 *   <li>a blank {@code threadline.loki.url}: nothing; Loki is off, said once as an INFO line;</li>
 *   <li>a started {@link LokiAppender} already in Logback's configuration (logback-spring.xml or logback.xml declares
 *       one, with a url): nothing either; it ships through that appender, says so once as an INFO line naming it, and
 *       {@link #appender()} (so the starter's meters and health) reports it. It never stops that appender: Logback's
 *       configuration owns it. One appender per destination, so no line is shipped twice;</li>
 *   <li>otherwise its own appender, named {@value #APPENDER_NAME}, in Threadline's JSON schema, labelled with
 *       {@code spring.application.name} as service and the first active profile as env (a missing service name is a
 *       warning: the lines then go to the stream {@code service="unknown"}), with the on-disk spill when
 *       {@code threadline.loki.spill.directory} is set.</li>
 * </ul>
 *
 * <p>The appender's own JVM shutdown hook is turned off (also on an adopted appender): Spring Boot stops Logback
 * itself after the application context has closed, so a hook of the appender's own would stop it while the
 * application still logs its graceful shutdown. If the application fails to start, the appender stays attached and
 * ships the failure report until Boot stops Logback as the JVM exits.
 *
 * <p>If Logback is reset after this started (Boot's logging initialised again), the reset stops the appender; the
 * next {@link #start()} (the context's refresh, when the reset came before it) attaches a new one. Lines logged
 * between such a reset and the refresh are not shipped.
 */
public class LokiShipping implements SmartLifecycle {

  /** The name of the starter's own appender on the root logger. */
  public static final String APPENDER_NAME = "THREADLINE_LOKI";

  private static final org.slf4j.Logger log = LoggerFactory.getLogger(LokiShipping.class);

  private final ThreadlineProperties.Loki settings;
  private final Environment environment;
  private volatile boolean running;
  private volatile LokiAppender appender;
  private volatile boolean owned;

  /**
   * Shipping with these settings, the service name and profiles read from {@code environment} when it starts.
   *
   * @param settings the {@code threadline.loki.*} settings
   * @param environment the application's environment
   */
  public LokiShipping(ThreadlineProperties.Loki settings, Environment environment) {
    this.settings = settings;
    this.environment = environment;
  }

  /** Attaches the appender (or adopts the configured one, or does nothing when Loki is off); see the class comment. */
  @Override
  public synchronized void start() {
    if (isRunning()) {
      return;
    }
    boolean again = running;
    running = true;
    if (isOff()) {
      log.info("threadline.loki.url is blank, so Loki is off: nothing is shipped");
      return;
    }
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext)) {
      return;
    }
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    LokiAppender configured = configuredAppender(context);
    if (configured != null) {
      configured.setShutdownHook(false);
      owned = false;
      appender = configured;
      log.info("threadline.loki.url is set, but Logback's configuration already has the Loki appender '{}': the"
          + " starter ships through it and adds no second appender (threadline.loki.* settings are not applied),"
          + " and its meters and health report it", configured.getName());
      return;
    }
    LokiAppender loki = create(context);
    if (loki.isStarted()) {
      context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(loki);
      owned = true;
      appender = loki;
      if (!again && Resource.service(context, serviceName()) == null) {
        log.warn("spring.application.name is not set: the lines shipped to Loki get the label service=\"unknown\""
            + " (set spring.application.name, or the environment variable OTEL_SERVICE_NAME)");
      }
    }
    // Not started: the appender has said why through Logback status (a bad setting); the application runs on.
  }

  private LokiAppender create(LoggerContext context) {
    LokiAppender loki = new LokiAppender();
    loki.setContext(context);
    loki.setName(APPENDER_NAME);
    loki.setUrl(settings.getUrl());
    // Boot stops Logback after the context has closed; the appender's own hook would stop it during the shutdown.
    loki.setShutdownHook(false);
    ThreadlineEncoder encoder = new ThreadlineEncoder();
    encoder.setContext(context);
    String service = serviceName();
    if (service != null) {
      loki.setService(service);
      encoder.setService(service);
    }
    String[] profiles = environment.getActiveProfiles();
    if (profiles.length > 0) {
      loki.setEnv(profiles[0]);
      encoder.setEnv(profiles[0]);
    }
    loki.setEncoder(MicrometerTracingKeys.leaveOutDuplicates(EncoderSettings.applyTo(encoder, environment)));
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
    loki.setBatchMaxWait(logbackDuration(settings.getBatchMaxWait()));
    loki.setMaxRequestBytes((int) Math.min(Integer.MAX_VALUE, settings.getMaxRequestBytes().toBytes()));
    loki.setMaxRetries(settings.getMaxRetries());
    loki.setMaxRetryTime(logbackDuration(settings.getMaxRetryTime()));
    loki.setShutdownTimeout(logbackDuration(settings.getShutdownTimeout()));
    applySpill(loki, settings.getSpill());
    loki.start();
    return loki;
  }

  /** The spill settings, only when a directory is set: without one the appender keeps events in memory only. */
  private static void applySpill(LokiAppender loki, ThreadlineProperties.Loki.Spill spill) {
    if (spill.getDirectory() == null || spill.getDirectory().isBlank()) {
      return;
    }
    loki.setSpillDirectory(spill.getDirectory());
    loki.setSpillMaxBytes(new FileSize(spill.getMaxSize().toBytes()));
    loki.setSpillFsync(spill.getFsync());
    loki.setSpillFsyncInterval(logbackDuration(spill.getFsyncInterval()));
    loki.setSpillMaxAge(logbackDuration(spill.getMaxAge()));
  }

  private static ch.qos.logback.core.util.Duration logbackDuration(java.time.Duration duration) {
    return ch.qos.logback.core.util.Duration.buildByMilliseconds(duration.toMillis());
  }

  private String serviceName() {
    String service = environment.getProperty("spring.application.name");
    return service == null || service.isBlank() ? null : service;
  }

  /**
   * The first started, not-off {@link LokiAppender} on any logger of {@code context} (also inside an appender that
   * holds appenders, such as {@code AsyncAppender}) other than one of the starter's own; {@code null} if none.
   */
  static LokiAppender configuredAppender(LoggerContext context) {
    for (Logger logger : context.getLoggerList()) {
      LokiAppender found = configuredAppender(logger.iteratorForAppenders());
      if (found != null) {
        return found;
      }
    }
    return null;
  }

  @SuppressWarnings("unchecked")
  private static LokiAppender configuredAppender(Iterator<Appender<ILoggingEvent>> appenders) {
    while (appenders.hasNext()) {
      Appender<ILoggingEvent> candidate = appenders.next();
      if (candidate instanceof LokiAppender loki) {
        if (loki.isStarted() && !loki.isOff() && !APPENDER_NAME.equals(loki.getName())) {
          return loki;
        }
      } else if (candidate instanceof AppenderAttachable<?> holder) {
        LokiAppender found = configuredAppender(((AppenderAttachable<ILoggingEvent>) holder).iteratorForAppenders());
        if (found != null) {
          return found;
        }
      }
    }
    return null;
  }

  /**
   * Detaches and stops the starter's own appender, which first sends what is queued (for at most
   * {@code threadline.loki.shutdown-timeout}); an adopted appender is only let go of, as Logback's configuration owns
   * it.
   */
  @Override
  public synchronized void stop() {
    LokiAppender loki = appender;
    boolean own = owned;
    appender = null;
    owned = false;
    running = false;
    if (loki != null && own && LoggerFactory.getILoggerFactory() instanceof LoggerContext) {
      Logger root = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
      root.detachAppender(loki);
      loki.stop();
    }
  }

  /** Whether it started and its appender (if it has one) still runs: false after a Logback reset stopped it. */
  @Override
  public boolean isRunning() {
    LokiAppender loki = appender;
    return running && (loki == null || loki.isStarted());
  }

  /** First to start, last to stop. */
  @Override
  public int getPhase() {
    return Integer.MIN_VALUE + 1000;
  }

  /** Whether Loki is off because {@code threadline.loki.url} is blank. */
  public boolean isOff() {
    return settings.getUrl() == null || settings.getUrl().isBlank();
  }

  /**
   * Whether {@link #appender()} is one that Logback's configuration declared (adopted), not the starter's own.
   *
   * @return false too when there is no appender
   */
  public boolean isAdopted() {
    return appender != null && !owned;
  }

  /**
   * The appender that ships this application's lines, for its counters: the starter's own, or the one adopted from
   * Logback's configuration; {@code null} when not running or Loki is off.
   */
  public LokiAppender appender() {
    return appender;
  }
}
