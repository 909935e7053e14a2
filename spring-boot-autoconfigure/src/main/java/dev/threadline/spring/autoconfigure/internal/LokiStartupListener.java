package dev.threadline.spring.autoconfigure.internal;

import dev.threadline.spring.autoconfigure.ThreadlineProperties;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.event.ApplicationPreparedEvent;
import org.springframework.boot.context.logging.LoggingApplicationListener;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.event.GenericApplicationListener;
import org.springframework.core.ResolvableType;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.util.ClassUtils;

/**
 * Starts Loki shipping as soon as Spring Boot has initialised logging, so the lines Boot writes before the
 * application context refreshes ("Starting … using Java …", the profiles, a failure to start: what a crash-looping pod
 * needs most) reach Loki too. Registered in {@code META-INF/spring.factories}, so every {@code SpringApplication}
 * (Boot 4.1 and 3.5 alike) gets one; ordered right after Boot's {@code LoggingApplicationListener}.
 *
 * <p>When the environment is prepared and {@code threadline.loki.url} is set, it binds {@code threadline.loki.*} with
 * Boot's {@link Binder} (a bad value fails start-up with the property's name, as the auto-configuration's binding
 * would) and starts a {@link LokiShipping}; when the application context is prepared, it registers that as the
 * {@code threadlineLokiShipping} bean, which the auto-configuration then uses instead of making its own, and which the
 * context stops at close. Does nothing without the Loki appender or Logback, or when another application's shipping
 * in this JVM is still attached (a child application of a parent that ships: Boot did not re-initialise logging).
 * Costs a few class look-ups and property reads per application start.
 */
public final class LokiStartupListener implements GenericApplicationListener {

  /** The bean name the early shipping is registered under (the auto-configuration's bean name). */
  public static final String BEAN_NAME = "threadlineLokiShipping";

  private static final boolean LOKI_PRESENT = ClassUtils.isPresent("dev.threadline.loki.LokiAppender",
      LokiStartupListener.class.getClassLoader())
      && ClassUtils.isPresent("ch.qos.logback.classic.LoggerContext", LokiStartupListener.class.getClassLoader());

  /** The shipping started for this application, a {@code LokiShipping}; {@code Object} so nothing optional loads. */
  private Object shipping;

  @Override
  public boolean supportsEventType(ResolvableType eventType) {
    Class<?> type = eventType.getRawClass();
    return type != null && (ApplicationEnvironmentPreparedEvent.class.isAssignableFrom(type)
        || ApplicationPreparedEvent.class.isAssignableFrom(type));
  }

  @Override
  public void onApplicationEvent(ApplicationEvent event) {
    if (!LOKI_PRESENT) {
      return;
    }
    if (event instanceof ApplicationEnvironmentPreparedEvent prepared) {
      shipping = Early.start(prepared.getEnvironment());
    } else if (event instanceof ApplicationPreparedEvent prepared && shipping != null) {
      prepared.getApplicationContext().getBeanFactory().registerSingleton(BEAN_NAME, shipping);
      shipping = null;
    }
  }

  /** Right after Boot's logging system is initialised. */
  @Override
  public int getOrder() {
    return LoggingApplicationListener.DEFAULT_ORDER + 1;
  }

  /** The part that touches Logback and the Loki appender, loaded only when both are present. */
  private static final class Early {

    static Object start(ConfigurableEnvironment environment) {
      ThreadlineProperties.Loki settings = Binder.get(environment)
          .bind("threadline.loki", ThreadlineProperties.Loki.class).orElse(null);
      if (settings == null || settings.getUrl() == null
          || !(org.slf4j.LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext context)) {
        return null;
      }
      ch.qos.logback.core.Appender<?> attached =
          context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender(LokiShipping.APPENDER_NAME);
      if (attached != null && attached.isStarted()) {
        // Boot re-initialises logging for every application it starts (which stops every appender), but not for a
        // child whose parent already did: the parent ships, and the child finds the parent's shipping bean.
        return null;
      }
      LokiShipping shipping = new LokiShipping(settings, environment);
      shipping.start();
      return shipping;
    }
  }
}
