package dev.threadline.spring.autoconfigure.internal;

import dev.threadline.spring.autoconfigure.ThreadlineStructuredLogFormatter;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Makes Threadline's JSON lines the console's format by default: sets {@code logging.structured.format.console} to
 * {@link ThreadlineStructuredLogFormatter}, at the lowest precedence, unless {@code threadline.console.json} is false,
 * the application chose a console format itself, or the encoder or Logback is missing. Spring Boot 4's interface;
 * Spring Boot 3.5 runs the equivalent from threadline-spring-boot-autoconfigure-boot3.
 */
public class ThreadlineEnvironmentPostProcessor implements EnvironmentPostProcessor {

  /** Sets the console default; see {@link ConsoleDefaults#apply}. */
  @Override
  public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
    ConsoleDefaults.apply(environment);
  }
}
