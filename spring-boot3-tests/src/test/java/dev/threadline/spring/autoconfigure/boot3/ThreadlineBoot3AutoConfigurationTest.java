package dev.threadline.spring.autoconfigure.boot3;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import dev.threadline.spring.autoconfigure.ThreadlineAutoConfiguration;
import dev.threadline.spring.autoconfigure.boot3.internal.Boot3LokiHealthIndicator;
import dev.threadline.spring.autoconfigure.internal.LokiShipping;
import dev.threadline.spring.autoconfigure.internal.ThreadlineJmsListenerContainerFactory;
import dev.threadline.spring.autoconfigure.internal.ThreadlineRecordInterceptor;
import dev.threadline.web.client.spring.ThreadlineClientHttpRequestInterceptor;
import dev.threadline.web.messaging.kafka.ThreadlineProducerInterceptor;
import dev.threadline.web.servlet.ThreadlineFilter;
import jakarta.servlet.DispatcherType;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.actuate.autoconfigure.health.HealthContributorAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.health.HealthEndpointAutoConfiguration;
import org.springframework.boot.actuate.health.HealthEndpoint;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.actuate.health.SystemHealth;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.jms.JmsAutoConfiguration;
import org.springframework.boot.autoconfigure.jms.artemis.ArtemisAutoConfiguration;
import org.springframework.boot.autoconfigure.kafka.KafkaAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.client.RestClientCustomizer;
import org.springframework.boot.web.client.RestTemplateCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.core.task.TaskDecorator;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.util.ClassUtils;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;

/**
 * Every condition of both auto-configurations on a real Spring Boot 3.5 class path, where Boot 4's types do not exist:
 * the main module's Boot-4 pieces stay inert without failing the context, and the Boot-3 adapters take their place.
 */
class ThreadlineBoot3AutoConfigurationTest {

  private final WebApplicationContextRunner web = new WebApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(ThreadlineAutoConfiguration.class,
          ThreadlineBoot3AutoConfiguration.class));

  @Test
  void theClassPathIsSpringBoot35_withoutBoot4sTypes() {
    // What makes every other test here mean something: the Boot-4 types the main module is compiled against are absent.
    assertThat(SpringBootVersion.getVersion()).startsWith("3.5.");
    ClassLoader loader = getClass().getClassLoader();
    for (String boot4 : List.of("org.springframework.boot.restclient.RestClientCustomizer",
        "org.springframework.boot.EnvironmentPostProcessor",
        "org.springframework.boot.health.contributor.HealthIndicator",
        "org.springframework.boot.kafka.autoconfigure.DefaultKafkaProducerFactoryCustomizer",
        "org.springframework.boot.jms.autoconfigure.DefaultJmsListenerContainerFactoryConfigurer")) {
      assertThat(ClassUtils.isPresent(boot4, loader)).as(boot4).isFalse();
    }
  }

  @Test
  void aServletApplicationGetsTheFilterFirstForEveryDispatch_theDecorator_andClientPropagation() {
    web.run(context -> {
      assertThat(context).hasNotFailed();
      FilterRegistrationBean<?> registration = context.getBean("threadlineFilter", FilterRegistrationBean.class);
      assertThat(registration.getFilter()).isInstanceOf(ThreadlineFilter.class);
      assertThat(registration.getOrder()).isEqualTo(ThreadlineAutoConfiguration.FILTER_ORDER);
      assertThat(registration.determineDispatcherTypes())
          .containsExactlyInAnyOrder(DispatcherType.REQUEST, DispatcherType.ASYNC, DispatcherType.ERROR);
      assertThat(context).hasSingleBean(TaskDecorator.class).hasSingleBean(RestClientCustomizer.class)
          .hasSingleBean(RestTemplateCustomizer.class).doesNotHaveBean(LokiShipping.class)
          .doesNotHaveBean(Boot3LokiHealthIndicator.class);

      RestClient.Builder builder = RestClient.builder();
      context.getBean(RestClientCustomizer.class).customize(builder);
      List<ClientHttpRequestInterceptor> interceptors = new ArrayList<>();
      builder.requestInterceptors(interceptors::addAll);
      assertThat(interceptors).singleElement().isInstanceOf(ThreadlineClientHttpRequestInterceptor.class);
      RestTemplate template = new RestTemplate();
      context.getBean(RestTemplateCustomizer.class).customize(template);
      assertThat(template.getInterceptors()).singleElement().isInstanceOf(ThreadlineClientHttpRequestInterceptor.class);
    });
  }

  @Test
  void eachPieceCanBeSwitchedOff() {
    web.withPropertyValues("threadline.filter.enabled=false", "threadline.client.enabled=false",
        "threadline.async.enabled=false").run(context -> assertThat(context).hasNotFailed()
        .doesNotHaveBean("threadlineFilter").doesNotHaveBean(RestClientCustomizer.class)
        .doesNotHaveBean(RestTemplateCustomizer.class).doesNotHaveBean(TaskDecorator.class));
  }

  @Test
  void withoutTheirLibrariesTheIntegrationsStepAside() {
    web.withClassLoader(new FilteredClassLoader(ThreadlineFilter.class, RestClientCustomizer.class))
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean("threadlineFilter")
            .doesNotHaveBean(RestClientCustomizer.class).hasSingleBean(TaskDecorator.class));
    web.withClassLoader(new FilteredClassLoader("org.springframework.kafka"))
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(ThreadlineRecordInterceptor.class));
    web.withClassLoader(new FilteredClassLoader("org.springframework.jms"))
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean("threadlineJmsTemplatePropagation"));
  }

  @Test
  void lokiShipsOnceAUrlIsSet_andReportsInBoot3sActuatorHealth_neverDown() {
    LoggerContext logback = (LoggerContext) LoggerFactory.getILoggerFactory();
    ch.qos.logback.classic.Logger root = logback.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    WebApplicationContextRunner withActuator = web.withConfiguration(AutoConfigurations.of(
        HealthContributorAutoConfiguration.class, HealthEndpointAutoConfiguration.class))
        .withPropertyValues("threadline.loki.url=http://127.0.0.1:1", "threadline.loki.shutdown-timeout=200ms",
            "management.endpoint.health.show-details=always");
    withActuator.run(context -> {
      assertThat(context).hasNotFailed().hasSingleBean(LokiShipping.class)
          .hasSingleBean(Boot3LokiHealthIndicator.class).hasBean("threadlineLokiHealthIndicator");
      assertThat(context.getBean(LokiShipping.class).isRunning()).isTrue();
      assertThat(root.getAppender(LokiShipping.APPENDER_NAME)).isNotNull();
      // Through Boot 3's own health endpoint: the contributor is found by name, UP with the counters although
      // nothing listens at the URL.
      SystemHealth health = (SystemHealth) context.getBean(HealthEndpoint.class).health();
      assertThat(health.getComponents()).containsKey("threadlineLoki");
      org.springframework.boot.actuate.health.Health loki =
          (org.springframework.boot.actuate.health.Health) health.getComponents().get("threadlineLoki");
      assertThat(loki.getStatus()).isEqualTo(Status.UP);
      assertThat(loki.getDetails()).containsKeys("appended", "sent", "dropped", "droppedQueueFull",
          "droppedTooLarge", "droppedRejected", "droppedRetriesExhausted", "droppedFailed", "droppedAtShutdown",
          "unconfirmed", "pending", "retries", "retriedAfterTimeout", "bytesSent", "queuedBytes", "mdcLabelOverflow",
          "senderRunning", "senderRestarts", "lastSendMillis")
          .containsEntry("appender", LokiShipping.APPENDER_NAME).containsEntry("senderRunning", true);
      context.getBean(LokiShipping.class).stop();
      assertThat(context.getBean(Boot3LokiHealthIndicator.class).health().getStatus()).isEqualTo(Status.UNKNOWN);
    });
    assertThat(root.getAppender(LokiShipping.APPENDER_NAME)).isNull();
    withActuator.withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate.health"))
        .run(context -> assertThat(context).hasNotFailed().hasSingleBean(LokiShipping.class)
            .doesNotHaveBean(Boot3LokiHealthIndicator.class));
    web.withConfiguration(AutoConfigurations.of(HealthContributorAutoConfiguration.class))
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(LokiShipping.class)
            .doesNotHaveBean(Boot3LokiHealthIndicator.class));
  }

  @Test
  void kafka_theAutoConfiguredProducerFactoryGetsTheInterceptor_andListenersTheRecordInterceptor() {
    // No broker needed: creating the factories connects to nothing.
    web.withConfiguration(AutoConfigurations.of(KafkaAutoConfiguration.class))
        .withPropertyValues("spring.kafka.producer.properties.interceptor.classes=com.example.AuditInterceptor")
        .run(context -> {
          assertThat(context).hasNotFailed().hasSingleBean(ThreadlineRecordInterceptor.class);
          DefaultKafkaProducerFactory<?, ?> producers = context.getBean(DefaultKafkaProducerFactory.class);
          assertThat(producers.getConfigurationProperties().get(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG))
              .isEqualTo("com.example.AuditInterceptor," + ThreadlineProducerInterceptor.class.getName());
          ConcurrentKafkaListenerContainerFactory<?, ?> listeners =
              context.getBean(ConcurrentKafkaListenerContainerFactory.class);
          assertThat(listeners).extracting("recordInterceptor")
              .isSameAs(context.getBean(ThreadlineRecordInterceptor.class));
        });
    web.withConfiguration(AutoConfigurations.of(KafkaAutoConfiguration.class))
        .withPropertyValues("threadline.kafka.enabled=false")
        .run(context -> {
          DefaultKafkaProducerFactory<?, ?> producers = context.getBean(DefaultKafkaProducerFactory.class);
          assertThat(producers.getConfigurationProperties())
              .doesNotContainKey(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG);
        });
  }

  @Test
  void jms_theListenerContainerFactoryIsThreadlines_configuredWithBootsArtemisConnectionFactory() {
    // Boot's own embedded Artemis: the connection factory comes from an auto-configuration, which is what the
    // adapters' ordering (after Artemis, before JmsAutoConfiguration) is for.
    web.withConfiguration(AutoConfigurations.of(ArtemisAutoConfiguration.class, JmsAutoConfiguration.class))
        .withPropertyValues("spring.artemis.mode=embedded", "spring.artemis.embedded.server-id=41")
        .run(context -> {
          assertThat(context).hasNotFailed().hasBean("threadlineJmsTemplatePropagation");
          assertThat(context.getBean("jmsListenerContainerFactory"))
              .isInstanceOf(ThreadlineJmsListenerContainerFactory.class);
        });
    web.withConfiguration(AutoConfigurations.of(ArtemisAutoConfiguration.class, JmsAutoConfiguration.class))
        .withPropertyValues("spring.artemis.mode=embedded", "spring.artemis.embedded.server-id=42",
            "threadline.jms.enabled=false")
        .run(context -> assertThat(context.getBean("jmsListenerContainerFactory"))
            .isNotInstanceOf(ThreadlineJmsListenerContainerFactory.class));
  }
}
