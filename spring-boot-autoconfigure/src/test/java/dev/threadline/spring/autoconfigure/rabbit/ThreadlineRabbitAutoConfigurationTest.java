package dev.threadline.spring.autoconfigure.rabbit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadline.spring.autoconfigure.internal.RabbitPropagation;
import dev.threadline.web.messaging.rabbit.spring.ThreadlineRabbitListenerAdvice;
import dev.threadline.web.messaging.rabbit.spring.ThreadlineRabbitPostProcessor;
import org.aopalliance.intercept.MethodInterceptor;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.rabbit.config.SimpleRabbitListenerContainerFactory;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The conditions of {@link ThreadlineRabbitAutoConfiguration}, and what it does to an application's own Spring AMQP
 * beans (no broker needed: nothing here connects).
 */
class ThreadlineRabbitAutoConfigurationTest {

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(ThreadlineRabbitAutoConfiguration.class));

  @Configuration(proxyBeanMethods = false)
  static class OwnBeans {
    static final MethodInterceptor RETRY = invocation -> invocation.proceed();

    @Bean
    CachingConnectionFactory connectionFactory() {
      return new CachingConnectionFactory("127.0.0.1", 1);
    }

    @Bean
    RabbitTemplate ownTemplate(CachingConnectionFactory connectionFactory) {
      return new RabbitTemplate(connectionFactory);
    }

    @Bean
    SimpleRabbitListenerContainerFactory ownFactory(CachingConnectionFactory connectionFactory) {
      SimpleRabbitListenerContainerFactory factory = new SimpleRabbitListenerContainerFactory();
      factory.setConnectionFactory(connectionFactory);
      factory.setAdviceChain(RETRY);
      return factory;
    }

    @Bean
    SimpleMessageListenerContainer ownContainer(CachingConnectionFactory connectionFactory) {
      SimpleMessageListenerContainer container = new SimpleMessageListenerContainer(connectionFactory);
      container.setAutoStartup(false);
      container.setAdviceChain(RETRY);
      return container;
    }
  }

  @Test
  void theApplicationsOwnTemplatesFactoriesAndContainersTakePart() {
    runner.withUserConfiguration(OwnBeans.class).run(context -> {
      assertThat(context).hasNotFailed().hasSingleBean(RabbitPropagation.class);
      assertThat(context.getBean(RabbitTemplate.class).getBeforePublishPostProcessors()).singleElement()
          .isInstanceOf(ThreadlineRabbitPostProcessor.class);
      SimpleRabbitListenerContainerFactory factory = context.getBean(SimpleRabbitListenerContainerFactory.class);
      assertThat(factory.getAdviceChain()).hasSize(2);
      assertThat(factory.getAdviceChain()[0]).isInstanceOf(ThreadlineRabbitListenerAdvice.class);
      assertThat(factory.getAdviceChain()[1]).isSameAs(OwnBeans.RETRY);
    });
  }

  @Test
  void offWithItsSwitch() {
    runner.withUserConfiguration(OwnBeans.class).withPropertyValues("threadline.rabbit.enabled=false")
        .run(context -> {
          assertThat(context).hasNotFailed().doesNotHaveBean(RabbitPropagation.class);
          assertThat(context.getBean(RabbitTemplate.class).getBeforePublishPostProcessors()).isNullOrEmpty();
          assertThat(context.getBean(SimpleRabbitListenerContainerFactory.class).getAdviceChain())
              .containsExactly(OwnBeans.RETRY);
        });
  }

  @Test
  void absentWithoutSpringRabbitOrWithoutWebFilters() {
    runner.withClassLoader(new FilteredClassLoader(RabbitTemplate.class))
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(RabbitPropagation.class));
    runner.withClassLoader(new FilteredClassLoader("dev.threadline.web.messaging.rabbit"))
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(RabbitPropagation.class));
  }
}
