package dev.threadline.spring.autoconfigure.rabbit;

import dev.threadline.spring.autoconfigure.internal.RabbitPropagation;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;

/**
 * Spring AMQP (RabbitMQ): every {@code RabbitTemplate} bean writes the correlation current when it publishes (or a new
 * trace) into the message's headers, and every listener container factory bean (Spring Boot's
 * {@code rabbitListenerContainerFactory} and the application's own) and listener container bean runs each message in
 * its span, a child of the sender's. Applies with spring-rabbit and web-filters on the class path; off with
 * {@code threadline.rabbit.enabled=false}. Spring Boot's {@code RabbitAutoConfiguration} is not needed: the
 * post-processor finds the application's beans however they were made.
 *
 * @since 0.1.0
 */
@AutoConfiguration
@ConditionalOnClass(name = {"org.springframework.amqp.rabbit.core.RabbitTemplate",
    "org.springframework.amqp.rabbit.config.BaseRabbitListenerContainerFactory",
    "dev.threadline.web.messaging.rabbit.spring.ThreadlineRabbitPostProcessor"})
@ConditionalOnProperty(prefix = "threadline.rabbit", name = "enabled", matchIfMissing = true)
public class ThreadlineRabbitAutoConfiguration {

  /**
   * Adds Threadline's before-publish post-processor to each {@code RabbitTemplate} and its listener advice, first in
   * the chain, to each listener container factory and container. Static: a bean post-processor is created before the
   * beans it processes.
   */
  @Bean
  public static RabbitPropagation threadlineRabbitPropagation() {
    return new RabbitPropagation();
  }
}
