package dev.threadline.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadline.core.Correlation;
import dev.threadline.core.CorrelationScope;
import dev.threadline.spring.autoconfigure.internal.ThreadlineRecordInterceptor;
import dev.threadline.web.LogCapture;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * spring-kafka through Spring Boot's auto-configuration and a real KRaft broker in the test process: a record sent
 * with the Boot KafkaTemplate inside a request's scope is handled by a {@code @KafkaListener} in a child span, with
 * the same request id and trace, on the container's thread.
 */
class KafkaWiringTest {

  private static KafkaClusterTestKit cluster;

  @BeforeAll
  static void startBroker() throws Exception {
    cluster = dev.threadline.web.messaging.EmbeddedBrokers.kafka();
  }

  @AfterAll
  static void stopBroker() throws Exception {
    cluster.close();
  }

  @Configuration(proxyBeanMethods = false)
  static class Listener {
    static final BlockingQueue<Object[]> RECEIVED = new ArrayBlockingQueue<>(4);

    @Bean
    Handler handler() {
      return new Handler();
    }

    static class Handler {
      @KafkaListener(topics = "boot-orders", groupId = "boot-orders")
      void on(String value) {
        LoggerFactory.getLogger("orders.listener").info("consumed {}", value);
        RECEIVED.add(new Object[] {Correlation.current().orElse(null), Thread.currentThread().getName()});
      }
    }
  }

  @Test
  void aListenerRunsInAChildOfTheSendersSpan() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(KafkaAutoConfiguration.class, ThreadlineAutoConfiguration.class))
        .withUserConfiguration(Listener.class)
        .withPropertyValues("spring.kafka.bootstrap-servers=" + cluster.bootstrapServers(),
            "spring.kafka.consumer.auto-offset-reset=earliest")
        .run(context -> {
          assertThat(context).hasNotFailed().hasSingleBean(ThreadlineRecordInterceptor.class);
          @SuppressWarnings("unchecked")
          KafkaTemplate<Object, Object> template = context.getBean(KafkaTemplate.class);
          Correlation sending = Correlation.newTrace("req-boot-kafka");
          try (LogCapture capture = LogCapture.capture()) {
            try (CorrelationScope ignored = sending.open()) {
              template.send("boot-orders", "order 7").get(30, TimeUnit.SECONDS);
            }
            Object[] got = Listener.RECEIVED.poll(60, TimeUnit.SECONDS);
            assertThat(got).as("the record arrived").isNotNull();
            Correlation handled = (Correlation) got[0];
            assertThat(handled).isNotNull();
            assertThat(handled.requestId()).isEqualTo("req-boot-kafka");
            assertThat(handled.traceId()).isEqualTo(sending.traceId());
            assertThat(handled.parentSpanId()).hasValue(sending.spanId());
            assertThat(got[1]).isNotEqualTo(Thread.currentThread().getName());
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> !capture.byLogger("orders.listener").isEmpty());
            Map<String, Object> line = capture.byLogger("orders.listener").get(0);
            assertThat(line).containsEntry("requestId", "req-boot-kafka")
                .containsEntry("trace_id", sending.traceId()).containsEntry("span_id", handled.spanId());
          }
        });
  }
}
