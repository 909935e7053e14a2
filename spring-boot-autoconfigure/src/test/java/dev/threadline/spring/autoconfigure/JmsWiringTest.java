package dev.threadline.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadline.core.Correlation;
import dev.threadline.core.CorrelationScope;
import dev.threadline.spring.autoconfigure.internal.ThreadlineJmsListenerContainerFactory;
import dev.threadline.web.LogCapture;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jms.autoconfigure.JmsAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.jms.annotation.JmsListener;
import org.springframework.jms.core.JmsTemplate;

/**
 * spring-jms through Spring Boot's auto-configuration and a real embedded Artemis broker: a message sent with the
 * Boot JmsTemplate inside a request's scope is handled by a {@code @JmsListener} in a child span, with the same
 * request id and trace, on the container's thread.
 */
class JmsWiringTest {

  private static EmbeddedActiveMQ broker;

  @BeforeAll
  static void startBroker() throws Exception {
    broker = dev.threadline.web.messaging.EmbeddedBrokers.artemis("vm://1");
  }

  @AfterAll
  static void stopBroker() throws Exception {
    broker.stop();
  }

  @org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
  static class App {
    static final BlockingQueue<Object[]> RECEIVED = new ArrayBlockingQueue<>(4);

    @Bean
    jakarta.jms.ConnectionFactory connectionFactory() {
      return new ActiveMQConnectionFactory("vm://1");
    }

    @Bean
    Handler handler() {
      return new Handler();
    }

    static class Handler {
      @JmsListener(destination = "boot-orders")
      void on(String body) {
        LoggerFactory.getLogger("orders.jms").info("consumed {}", body);
        RECEIVED.add(new Object[] {Correlation.current().orElse(null), Thread.currentThread().getName()});
      }
    }
  }

  @Test
  void aListenerRunsInAChildOfTheSendersSpan() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(JmsAutoConfiguration.class, ThreadlineAutoConfiguration.class))
        .withUserConfiguration(App.class)
        .run(context -> {
          assertThat(context).hasNotFailed().getBean("jmsListenerContainerFactory")
              .isInstanceOf(ThreadlineJmsListenerContainerFactory.class);
          JmsTemplate template = context.getBean(JmsTemplate.class);
          Correlation sending = Correlation.newTrace("req-boot-jms");
          try (LogCapture capture = LogCapture.capture()) {
            try (CorrelationScope ignored = sending.open()) {
              template.convertAndSend("boot-orders", "order 9");
            }
            Object[] got = App.RECEIVED.poll(30, TimeUnit.SECONDS);
            assertThat(got).as("the message arrived").isNotNull();
            Correlation handled = (Correlation) got[0];
            assertThat(handled).isNotNull();
            assertThat(handled.requestId()).isEqualTo("req-boot-jms");
            assertThat(handled.traceId()).isEqualTo(sending.traceId());
            assertThat(handled.parentSpanId()).hasValue(sending.spanId());
            assertThat(got[1]).isNotEqualTo(Thread.currentThread().getName());
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> !capture.byLogger("orders.jms").isEmpty());
            Map<String, Object> line = capture.byLogger("orders.jms").get(0);
            assertThat(line).containsEntry("requestId", "req-boot-jms").containsEntry("span_id", handled.spanId());
          }
        });
  }
}
