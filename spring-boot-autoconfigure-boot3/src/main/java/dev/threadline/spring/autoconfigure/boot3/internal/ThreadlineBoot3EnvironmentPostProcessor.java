package dev.threadline.spring.autoconfigure.boot3.internal;

import dev.threadline.spring.autoconfigure.internal.ConsoleDefaults;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.util.ClassUtils;

/**
 * Spring Boot 3.5's way to the same console default as on Boot 4: {@code logging.structured.format.console} becomes
 * Threadline's formatter unless the application set a format or {@code threadline.console.json=false}.
 *
 * <p>Spring Boot 4 still reads this interface's (deprecated) {@code spring.factories} key, so there this class is
 * instantiated beside {@code ThreadlineEnvironmentPostProcessor}; it then steps aside, leaving the default to the
 * Boot-4 post-processor so that one post-processor decides on each line.
 */
public class ThreadlineBoot3EnvironmentPostProcessor implements EnvironmentPostProcessor {

  /** The interface that exists only on Spring Boot 4, whose post-processor then sets the default. */
  static final String BOOT4_POST_PROCESSOR = "org.springframework.boot.EnvironmentPostProcessor";

  /**
   * Sets the console default on Spring Boot 3.5; does nothing on Spring Boot 4. Costs a class lookup and a few
   * property reads, once per application start.
   */
  @Override
  public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
    if (ClassUtils.isPresent(BOOT4_POST_PROCESSOR, getClass().getClassLoader())) {
      return;
    }
    ConsoleDefaults.apply(environment);
  }
}
