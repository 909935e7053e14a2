package dev.threadline.spring.autoconfigure.boot3;

import dev.threadline.spring.autoconfigure.ThreadlineAutoConfiguration;
import dev.threadline.spring.autoconfigure.boot3.internal.Boot3LokiHealthIndicator;
import dev.threadline.spring.autoconfigure.internal.JmsTemplatePropagation;
import dev.threadline.spring.autoconfigure.internal.KafkaProducerInterceptors;
import dev.threadline.spring.autoconfigure.internal.LokiShipping;
import dev.threadline.spring.autoconfigure.internal.ThreadlineJmsListenerContainerFactory;
import dev.threadline.spring.autoconfigure.internal.ThreadlineRecordInterceptor;
import dev.threadline.web.client.OutboundCalls;
import dev.threadline.web.client.spring.ThreadlineClientHttpRequestInterceptor;
import jakarta.jms.ConnectionFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.jms.DefaultJmsListenerContainerFactoryConfigurer;
import org.springframework.boot.autoconfigure.kafka.DefaultKafkaProducerFactoryCustomizer;
import org.springframework.boot.web.client.RestClientCustomizer;
import org.springframework.boot.web.client.RestTemplateCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.listener.RecordInterceptor;

/**
 * The Spring Boot 3.5 half of Threadline's auto-configuration: the pieces whose Boot types Spring Boot 4 moved, on
 * their Boot-3 types. {@link ThreadlineAutoConfiguration} does everything else on both lines (the servlet filter, the
 * task decorator, WebClient propagation, Loki shipping and its meters, the properties), and steps aside for exactly the
 * pieces here, because its own versions of them are behind class conditions on the Boot-4 types. Each nested
 * configuration is behind a class condition (by name, so nothing optional is loaded to evaluate it) on its Boot-3
 * type, so on Spring Boot 4 this class contributes no bean.
 *
 * <p>Ordered after {@code ThreadlineAutoConfiguration} (whose beans it uses) and the JMS connection factory
 * configurations (so the listener container factory sees their connection factory), and before Boot 3's
 * {@code JmsAutoConfiguration} (whose {@code jmsListenerContainerFactory} steps aside for Threadline's).
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = ThreadlineAutoConfiguration.class,
    afterName = {"org.springframework.boot.autoconfigure.jms.JndiConnectionFactoryAutoConfiguration",
        "org.springframework.boot.autoconfigure.jms.artemis.ArtemisAutoConfiguration",
        "org.springframework.boot.autoconfigure.jms.activemq.ActiveMQAutoConfiguration"},
    beforeName = "org.springframework.boot.autoconfigure.jms.JmsAutoConfiguration")
public class ThreadlineBoot3AutoConfiguration {

  /** Propagation and call lines on every RestClient.Builder and RestTemplateBuilder Spring Boot 3 hands out. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = {"dev.threadline.web.client.spring.ThreadlineClientHttpRequestInterceptor",
      "org.springframework.boot.web.client.RestClientCustomizer"})
  @ConditionalOnProperty(prefix = "threadline.client", name = "enabled", matchIfMissing = true)
  static class RestClientConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "threadlineRestClientCustomizer")
    RestClientCustomizer threadlineRestClientCustomizer(OutboundCalls calls) {
      return builder -> builder.requestInterceptor(new ThreadlineClientHttpRequestInterceptor(calls));
    }

    @Bean
    @ConditionalOnMissingBean(name = "threadlineRestTemplateCustomizer")
    RestTemplateCustomizer threadlineRestTemplateCustomizer(OutboundCalls calls) {
      return restTemplate -> restTemplate.getInterceptors().add(new ThreadlineClientHttpRequestInterceptor(calls));
    }
  }

  /**
   * spring-kafka on Boot 3: the producer interceptor added to the auto-configured producer factory's
   * interceptor.classes, and the record interceptor that runs each listener record in its span.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = {"org.springframework.kafka.core.KafkaTemplate",
      "dev.threadline.web.messaging.kafka.KafkaCorrelation",
      "org.springframework.boot.autoconfigure.kafka.DefaultKafkaProducerFactoryCustomizer"})
  @ConditionalOnProperty(prefix = "threadline.kafka", name = "enabled", matchIfMissing = true)
  static class KafkaConfiguration {

    @Bean
    DefaultKafkaProducerFactoryCustomizer threadlineKafkaProducerFactoryCustomizer() {
      return KafkaProducerInterceptors::addTo;
    }

    @Bean
    @ConditionalOnMissingBean(RecordInterceptor.class)
    ThreadlineRecordInterceptor threadlineRecordInterceptor() {
      return new ThreadlineRecordInterceptor();
    }
  }

  /**
   * spring-jms on Boot 3: {@code JmsTemplate} beans write the correlation into converted messages, and the
   * {@code jmsListenerContainerFactory} (configured by Boot's configurer, like Boot's own) runs every message in its
   * span.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = {"org.springframework.jms.core.JmsTemplate", "jakarta.jms.Message",
      "dev.threadline.web.messaging.jms.JmsCorrelation",
      "org.springframework.boot.autoconfigure.jms.DefaultJmsListenerContainerFactoryConfigurer"})
  @ConditionalOnProperty(prefix = "threadline.jms", name = "enabled", matchIfMissing = true)
  static class JmsConfiguration {

    @Bean
    static JmsTemplatePropagation threadlineJmsTemplatePropagation() {
      return new JmsTemplatePropagation();
    }

    @Bean
    @ConditionalOnMissingBean(name = "jmsListenerContainerFactory")
    @ConditionalOnBean(ConnectionFactory.class)
    ThreadlineJmsListenerContainerFactory jmsListenerContainerFactory(
        DefaultJmsListenerContainerFactoryConfigurer configurer, ConnectionFactory connectionFactory) {
      ThreadlineJmsListenerContainerFactory factory = new ThreadlineJmsListenerContainerFactory();
      configurer.configure(factory, connectionFactory);
      return factory;
    }
  }

  /** Loki shipping as the {@code threadlineLoki} health contributor, with Boot 3's actuator. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = {"dev.threadline.loki.LokiAppender",
      "org.springframework.boot.actuate.health.HealthIndicator"})
  @ConditionalOnBean(LokiShipping.class)
  static class LokiHealthConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "threadlineLokiHealthIndicator")
    Boot3LokiHealthIndicator threadlineLokiHealthIndicator(LokiShipping shipping) {
      return new Boot3LokiHealthIndicator(shipping);
    }
  }
}
