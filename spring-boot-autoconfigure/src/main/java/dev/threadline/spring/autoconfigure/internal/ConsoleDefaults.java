package dev.threadline.spring.autoconfigure.internal;

import dev.threadline.spring.autoconfigure.ThreadlineStructuredLogFormatter;
import java.util.Map;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.util.ClassUtils;

/**
 * The console default behind both environment post-processors (Spring Boot 4's interface and Spring Boot 3.5's are
 * different types, so each Boot line has its own post-processor and both call this). Touches only Spring Core types,
 * so it loads on either line.
 */
public final class ConsoleDefaults {

  /** Spring Boot's property that names the console's structured format. */
  public static final String CONSOLE_FORMAT = "logging.structured.format.console";

  /** The name of the lowest-precedence property source that holds the default. */
  public static final String PROPERTY_SOURCE = "threadline-defaults";

  private ConsoleDefaults() {
  }

  /**
   * Sets {@code logging.structured.format.console} to {@link ThreadlineStructuredLogFormatter}, at the lowest
   * precedence, unless {@code threadline.console.json} is false, the application chose a console format itself, or
   * the encoder or Logback is missing. Safe to call more than once: a second call finds the format set and leaves it.
   *
   * @param environment the application's environment, after its config files were read
   */
  public static void apply(ConfigurableEnvironment environment) {
    ClassLoader loader = ConsoleDefaults.class.getClassLoader();
    if (!environment.getProperty("threadline.console.json", Boolean.class, true)
        || environment.containsProperty(CONSOLE_FORMAT)
        || !ClassUtils.isPresent("dev.threadline.logback.ThreadlineEncoder", loader)
        || !ClassUtils.isPresent("ch.qos.logback.classic.LoggerContext", loader)) {
      return;
    }
    environment.getPropertySources().addLast(new MapPropertySource(PROPERTY_SOURCE,
        Map.of(CONSOLE_FORMAT, ThreadlineStructuredLogFormatter.class.getName())));
  }
}
