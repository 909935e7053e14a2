package dev.threadline.web.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadline.core.Correlation;
import dev.threadline.core.CorrelationScope;
import dev.threadline.core.RequestIds;
import dev.threadline.core.internal.W3CTraceContext;
import dev.threadline.web.LogCapture;
import dev.threadline.web.messaging.kafka.KafkaCorrelation;
import dev.threadline.web.messaging.kafka.ThreadlineProducerInterceptor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** A real Kafka broker (KRaft) in the test process: produce in one scope, consume on another thread. */
class KafkaPropagationTest {

  private static KafkaClusterTestKit cluster;

  @BeforeAll
  static void startBroker() throws Exception {
    cluster = EmbeddedBrokers.kafka();
  }

  @AfterAll
  static void stopBroker() throws Exception {
    cluster.close();
  }

  private static KafkaProducer<String, String> producer(boolean intercept) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    if (intercept) {
      p.put(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG, ThreadlineProducerInterceptor.class.getName());
    }
    return new KafkaProducer<>(p);
  }

  /** Consumes {@code count} records of {@code topic} on a thread of its own, each in its record's scope. */
  private static BlockingQueue<Object[]> consumeOnAnotherThread(String topic, int count) {
    BlockingQueue<Object[]> received = new ArrayBlockingQueue<>(count);
    Thread worker = new Thread(() -> {
      Properties p = new Properties();
      p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
      p.put(ConsumerConfig.GROUP_ID_CONFIG, "g-" + topic);
      p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
      p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
      try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
        consumer.subscribe(List.of(topic));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        int got = 0;
        while (got < count && System.nanoTime() < deadline) {
          for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
            try (CorrelationScope ignored = KafkaCorrelation.open(record)) {
              LoggerFactory.getLogger("worker").info("consumed {}", record.value());
              received.add(new Object[] {Correlation.current().orElseThrow(), record});
              got++;
            }
          }
        }
      }
    }, "kafka-worker");
    worker.setDaemon(true);
    worker.start();
    return received;
  }

  @Test
  void theConsumerRunsInAChildOfTheProducersSpan_withTheSameRequestIdAndTrace() throws Exception {
    BlockingQueue<Object[]> received = consumeOnAnotherThread("orders", 1);
    Correlation producing = Correlation.newTrace("req-kafka-1");
    try (LogCapture capture = LogCapture.capture(); KafkaProducer<String, String> producer = producer(true)) {
      try (CorrelationScope ignored = producing.open()) {
        LoggerFactory.getLogger("api").info("order queued");
        producer.send(new ProducerRecord<>("orders", "o-42", "order 42")).get(30, TimeUnit.SECONDS);
      }
      Object[] got = received.poll(60, TimeUnit.SECONDS);
      assertThat(got).as("the record arrived").isNotNull();
      Correlation consumed = (Correlation) got[0];
      @SuppressWarnings("unchecked")
      ConsumerRecord<String, String> record = (ConsumerRecord<String, String>) got[1];
      assertThat(consumed.requestId()).isEqualTo("req-kafka-1");
      assertThat(consumed.traceId()).isEqualTo(producing.traceId());
      assertThat(consumed.spanId()).isNotEqualTo(producing.spanId());
      assertThat(consumed.parentSpanId()).hasValue(producing.spanId());
      assertThat(new String(record.headers().lastHeader("traceparent").value(), StandardCharsets.UTF_8))
          .isEqualTo(W3CTraceContext.formatTraceparent(producing));
      assertThat(new String(record.headers().lastHeader("X-Request-Id").value(), StandardCharsets.UTF_8))
          .isEqualTo("req-kafka-1");

      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
          .until(() -> !capture.lines(l -> "consumed order 42".equals(l.get("message"))).isEmpty());
      Map<String, Object> line = capture.lines(l -> "consumed order 42".equals(l.get("message"))).get(0);
      assertThat(line).containsEntry("requestId", "req-kafka-1").containsEntry("trace_id", producing.traceId())
          .containsEntry("span_id", consumed.spanId()).containsEntry("thread", "kafka-worker");
    }
  }

  @Test
  void badHeadersGiveFreshIdsAndAreLoggedNowhere() throws Exception {
    BlockingQueue<Object[]> received = consumeOnAnotherThread("hostile", 1);
    try (LogCapture capture = LogCapture.capture(); KafkaProducer<String, String> producer = producer(false)) {
      ProducerRecord<String, String> record = new ProducerRecord<>("hostile", "k", "payload");
      record.headers().add("X-Request-Id", "evil\r\n{\"level\":\"error\"}".getBytes(StandardCharsets.UTF_8));
      record.headers().add("traceparent", "00-not-a-trace-01".getBytes(StandardCharsets.UTF_8));
      producer.send(record).get(30, TimeUnit.SECONDS);
      Object[] got = received.poll(60, TimeUnit.SECONDS);
      assertThat(got).isNotNull();
      Correlation consumed = (Correlation) got[0];
      assertThat(RequestIds.isValid(consumed.requestId())).isTrue();
      assertThat(consumed.requestId()).doesNotContain("evil");
      assertThat(consumed.parentSpanId()).isEmpty();
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
          .until(() -> !capture.lines(l -> "consumed payload".equals(l.get("message"))).isEmpty());
      for (String line : capture.raw()) {
        assertThat(line).doesNotContain("evil", "not-a-trace");
      }
    }
  }
}
