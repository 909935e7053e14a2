package dev.threadline.spring.autoconfigure.internal;

import dev.threadline.web.messaging.rabbit.spring.ThreadlineRabbitListenerAdvice;
import dev.threadline.web.messaging.rabbit.spring.ThreadlineRabbitPostProcessor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.rabbit.config.BaseRabbitListenerContainerFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.amqp.rabbit.listener.AbstractMessageListenerContainer;
import org.springframework.beans.factory.config.BeanPostProcessor;

/**
 * Spring AMQP's beans take part in propagation: each {@code RabbitTemplate} gets the before-publish post-processor,
 * each listener container factory (after its configurer set its advice, such as Boot's retry) and each listener
 * container bean (before it builds its proxy in {@code afterPropertiesSet}) the listener advice, first in its chain.
 * A factory or container whose chain cannot be read is left as it is, with one warning, rather than lose its advice.
 */
public class RabbitPropagation implements BeanPostProcessor {

  private static final Logger LOG = LoggerFactory.getLogger(RabbitPropagation.class);

  @Override
  public Object postProcessBeforeInitialization(Object bean, String beanName) {
    if (bean instanceof AbstractMessageListenerContainer) {
      if (!ThreadlineRabbitListenerAdvice.addTo((AbstractMessageListenerContainer) bean)) {
        unchanged(beanName);
      }
    }
    return bean;
  }

  @Override
  public Object postProcessAfterInitialization(Object bean, String beanName) {
    if (bean instanceof RabbitTemplate) {
      ThreadlineRabbitPostProcessor.addTo((RabbitTemplate) bean);
    } else if (bean instanceof BaseRabbitListenerContainerFactory) {
      if (!ThreadlineRabbitListenerAdvice.addTo((BaseRabbitListenerContainerFactory<?>) bean)) {
        unchanged(beanName);
      }
    }
    return bean;
  }

  private static void unchanged(String beanName) {
    LOG.warn("Threadline could not add its listener advice to bean '{}': its messages are handled without the "
        + "producer's ids (add ThreadlineRabbitListenerAdvice to its advice chain by hand)", beanName);
  }
}
