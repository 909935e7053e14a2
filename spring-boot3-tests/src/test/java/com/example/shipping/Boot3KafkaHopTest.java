package com.example.shipping;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.console.ConsoleLines;
import dev.threadline.core.Correlation;
import dev.threadline.core.CorrelationScope;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.stereotype.Component;
import org.springframework.test.annotation.DirtiesContext;

/**
 * A Kafka hop in a real Spring Boot 3.5 application against a KRaft broker in the test process, on the Kafka Boot 3.5
 * manages: a record sent with the Boot KafkaTemplate inside a request's scope carries the correlation in its headers
 * (Threadline's producer interceptor on Boot's producer factory) and is handled by a {@code @KafkaListener} in a child
 * span with the same request id and trace (Threadline's record interceptor on Boot's listener container factory).
 */
@SpringBootTest(classes = Boot3KafkaHopTest.App.class, webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = {"spring.application.name=shipping", "spring.kafka.consumer.auto-offset-reset=earliest"})
@EmbeddedKafka(kraft = true, partitions = 1, topics = "boot3-parcels",
    bootstrapServersProperty = "spring.kafka.bootstrap-servers")
@ExtendWith(OutputCaptureExtension.class)
// Closed after the class: Boot configures Logback once per JVM while a context is open, so a cached context would
// keep its console (and its service name) for the next test's application.
@DirtiesContext
class Boot3KafkaHopTest {

  @SpringBootApplication
  static class App {

    static final BlockingQueue<Object[]> RECEIVED = new ArrayBlockingQueue<>(4);

    @Component
    static class Handler {
      @KafkaListener(topics = "boot3-parcels", groupId = "boot3-parcels")
      void on(String value) {
        LoggerFactory.getLogger("shipping.kafka").info("consumed {}", value);
        RECEIVED.add(new Object[] {Correlation.current().orElse(null), Thread.currentThread().getName()});
      }
    }
  }

  @Autowired
  KafkaTemplate<Object, Object> template;

  @Test
  void aListenerRunsInAChildOfTheSendersSpan(CapturedOutput output) throws Exception {
    Correlation sending = Correlation.newTrace("req-boot3-kafka");
    try (CorrelationScope ignored = sending.open()) {
      template.send("boot3-parcels", "parcel 3").get(30, TimeUnit.SECONDS);
    }

    Object[] got = App.RECEIVED.poll(60, TimeUnit.SECONDS);
    assertThat(got).as("the record arrived").isNotNull();
    Correlation handled = (Correlation) got[0];
    assertThat(handled).isNotNull();
    assertThat(handled.requestId()).isEqualTo("req-boot3-kafka");
    assertThat(handled.traceId()).isEqualTo(sending.traceId());
    assertThat(handled.parentSpanId()).hasValue(sending.spanId());
    assertThat(got[1]).isNotEqualTo(Thread.currentThread().getName());

    Awaitility.await().atMost(Duration.ofSeconds(10))
        .until(() -> !ConsoleLines.of(output.getOut()).byLogger("shipping.kafka").isEmpty());
    Map<String, Object> line = ConsoleLines.of(output.getOut()).byLogger("shipping.kafka").get(0);
    assertThat(line).containsEntry("service", "shipping").containsEntry("requestId", "req-boot3-kafka")
        .containsEntry("trace_id", sending.traceId()).containsEntry("span_id", handled.spanId())
        .containsEntry("message", "consumed parcel 3");
  }
}
