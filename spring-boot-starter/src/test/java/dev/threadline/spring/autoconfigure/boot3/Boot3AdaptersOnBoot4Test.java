package dev.threadline.spring.autoconfigure.boot3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadline.spring.autoconfigure.ThreadlineAutoConfiguration;
import dev.threadline.spring.autoconfigure.ThreadlineStructuredLogFormatter;
import dev.threadline.spring.autoconfigure.boot3.internal.ThreadlineBoot3EnvironmentPostProcessor;
import dev.threadline.spring.autoconfigure.internal.ConsoleDefaults;
import dev.threadline.spring.autoconfigure.internal.JmsTemplatePropagation;
import dev.threadline.spring.autoconfigure.internal.LokiHealthIndicator;
import dev.threadline.spring.autoconfigure.internal.ThreadlineRecordInterceptor;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.condition.ConditionEvaluationReport;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaProducerFactoryCustomizer;
import org.springframework.boot.restclient.RestClientCustomizer;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.StandardEnvironment;

/**
 * The starter on Spring Boot 4, where it brings the Boot 3.5 adapters too: they load without failing the context,
 * contribute no bean (each waits for a Boot-3 type that Boot 4 does not have), and their environment post-processor,
 * which Boot 4 still instantiates from the deprecated spring.factories key, leaves the console default to Boot 4's.
 */
class Boot3AdaptersOnBoot4Test {

  private final WebApplicationContextRunner web = new WebApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(ThreadlineAutoConfiguration.class,
          ThreadlineBoot3AutoConfiguration.class));

  @Test
  void theAdaptersContributeNothing_andTheBoot4PiecesAreThereOnce() {
    assertThat(SpringBootVersion.getVersion()).startsWith("4.");
    web.withPropertyValues("threadline.loki.url=http://127.0.0.1:1", "threadline.loki.shutdown-timeout=200ms")
        .run(context -> {
          assertThat(context).hasNotFailed().hasSingleBean(RestClientCustomizer.class)
              .hasSingleBean(LokiHealthIndicator.class)
              .hasSingleBean(ThreadlineRecordInterceptor.class)
              .hasSingleBean(DefaultKafkaProducerFactoryCustomizer.class)
              .hasSingleBean(JmsTemplatePropagation.class);
          // By name: Boot3LokiHealthIndicator itself cannot even be loaded here, its interface is Boot 3's.
          assertThat(context.getBean("threadlineLokiHealthIndicator")).isInstanceOf(LokiHealthIndicator.class);
          // Every nested configuration was evaluated (so the check below is not vacuous), and none matched.
          Map<String, Boolean> adapters = new TreeMap<>();
          ConditionEvaluationReport.get(context.getBeanFactory()).getConditionAndOutcomesBySource()
              .forEach((source, outcomes) -> {
                if (source.startsWith(ThreadlineBoot3AutoConfiguration.class.getName() + "$")) {
                  adapters.put(source.substring(source.indexOf('$') + 1), outcomes.isFullMatch());
                }
              });
          assertThat(adapters).containsOnlyKeys("RestClientConfiguration", "KafkaConfiguration", "JmsConfiguration",
              "LokiHealthConfiguration");
          List<String> matched = adapters.entrySet().stream().filter(Map.Entry::getValue)
              .map(Map.Entry::getKey).toList();
          assertThat(matched).isEmpty();
        });
  }

  @Test
  void theBoot3PostProcessorStepsAsideOnBoot4() {
    StandardEnvironment environment = new StandardEnvironment();
    new ThreadlineBoot3EnvironmentPostProcessor().postProcessEnvironment(environment, new SpringApplication());
    assertThat(environment.containsProperty(ConsoleDefaults.CONSOLE_FORMAT)).isFalse();
  }

  @Test
  void aBoot4ApplicationWithBothPostProcessorsStarts_withThreadlinesConsoleDefault() {
    SpringApplication application = new SpringApplication(Empty.class);
    application.setWebApplicationType(WebApplicationType.NONE);
    try (ConfigurableApplicationContext context = application.run("--spring.main.banner-mode=off")) {
      assertThat(context.getEnvironment().getProperty(ConsoleDefaults.CONSOLE_FORMAT))
          .isEqualTo(ThreadlineStructuredLogFormatter.class.getName());
      assertThat(context.getEnvironment().getPropertySources().contains(ConsoleDefaults.PROPERTY_SOURCE)).isTrue();
    }
  }

  /** An application with nothing of its own. */
  @Configuration(proxyBeanMethods = false)
  static class Empty {
  }
}
