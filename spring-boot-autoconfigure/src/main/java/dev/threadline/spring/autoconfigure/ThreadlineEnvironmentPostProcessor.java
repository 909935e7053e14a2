package dev.threadline.spring.autoconfigure;

import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.util.ClassUtils;

/**
 * Makes Threadline's JSON lines the console's format by default: sets {@code logging.structured.format.console} to
 * {@link ThreadlineStructuredLogFormatter}, at the lowest precedence, unless {@code threadline.console.json} is false,
 * the application chose a console format itself, or the encoder or Logback is missing.
 */
public class ThreadlineEnvironmentPostProcessor implements EnvironmentPostProcessor {

  static final String CONSOLE_FORMAT = "logging.structured.format.console";

  @Override
  public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
    ClassLoader loader = getClass().getClassLoader();
    if (!environment.getProperty("threadline.console.json", Boolean.class, true)
        || environment.containsProperty(CONSOLE_FORMAT)
        || !ClassUtils.isPresent("dev.threadline.logback.ThreadlineEncoder", loader)
        || !ClassUtils.isPresent("ch.qos.logback.classic.LoggerContext", loader)) {
      return;
    }
    environment.getPropertySources().addLast(new MapPropertySource("threadline-defaults",
        Map.of(CONSOLE_FORMAT, ThreadlineStructuredLogFormatter.class.getName())));
  }
}
