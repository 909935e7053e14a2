package dev.threadline.spring.autoconfigure.boot3.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadline.spring.autoconfigure.ThreadlineStructuredLogFormatter;
import dev.threadline.spring.autoconfigure.internal.ConsoleDefaults;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.DefaultBootstrapContext;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.boot.env.EnvironmentPostProcessorsFactory;
import org.springframework.boot.logging.DeferredLogs;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

/** The console default on Spring Boot 3.5: registered where Boot 3 looks, and the application's choice wins. */
class ThreadlineBoot3EnvironmentPostProcessorTest {

  private final ThreadlineBoot3EnvironmentPostProcessor postProcessor = new ThreadlineBoot3EnvironmentPostProcessor();

  @Test
  void boot3FindsItUnderItsOwnKey_andNotTheBoot4One() {
    // The way SpringApplication finds post-processors on Boot 3.5.
    List<EnvironmentPostProcessor> found = EnvironmentPostProcessorsFactory
        .fromSpringFactories(getClass().getClassLoader())
        .getEnvironmentPostProcessors(new DeferredLogs(), new DefaultBootstrapContext());
    assertThat(found).hasAtLeastOneElementOfType(ThreadlineBoot3EnvironmentPostProcessor.class)
        .noneMatch(each -> each.getClass().getName().equals(
            "dev.threadline.spring.autoconfigure.internal.ThreadlineEnvironmentPostProcessor"));
  }

  @Test
  void byDefaultTheConsoleIsThreadlineJson_atTheLowestPrecedence() {
    StandardEnvironment environment = new StandardEnvironment();
    postProcessor.postProcessEnvironment(environment, new SpringApplication());
    assertThat(environment.getProperty(ConsoleDefaults.CONSOLE_FORMAT))
        .isEqualTo(ThreadlineStructuredLogFormatter.class.getName());
    assertThat(environment.getPropertySources().stream().reduce((first, second) -> second).orElseThrow().getName())
        .isEqualTo(ConsoleDefaults.PROPERTY_SOURCE);
  }

  @Test
  void aFormatTheApplicationSetsWins_andTheSwitchTurnsItOff() {
    StandardEnvironment chosen = new StandardEnvironment();
    chosen.getPropertySources().addFirst(new MapPropertySource("app", Map.of(ConsoleDefaults.CONSOLE_FORMAT, "ecs")));
    postProcessor.postProcessEnvironment(chosen, new SpringApplication());
    assertThat(chosen.getProperty(ConsoleDefaults.CONSOLE_FORMAT)).isEqualTo("ecs");

    StandardEnvironment off = new StandardEnvironment();
    off.getPropertySources().addFirst(new MapPropertySource("app", Map.of("threadline.console.json", "false")));
    postProcessor.postProcessEnvironment(off, new SpringApplication());
    assertThat(off.containsProperty(ConsoleDefaults.CONSOLE_FORMAT)).isFalse();
  }
}
