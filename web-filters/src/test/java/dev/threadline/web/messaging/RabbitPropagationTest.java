package dev.threadline.web.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.Delivery;
import com.rabbitmq.client.LongString;
import dev.threadline.core.Correlation;
import dev.threadline.core.CorrelationScope;
import dev.threadline.core.RequestIds;
import dev.threadline.core.internal.W3CTraceContext;
import dev.threadline.web.LogCapture;
import dev.threadline.web.messaging.rabbit.RabbitCorrelation;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * A real AMQP 0-9-1 broker ({@link EmbeddedRabbit}: a RabbitMQ server, or Qpid Broker-J in the test process) and
 * RabbitMQ's own Java client: publish in one scope, consume on the client's consumer thread, and read the lines back
 * as JSON.
 */
@EnabledIfRabbitBroker
class RabbitPropagationTest {

  private static EmbeddedRabbit broker;
  private static Connection connection;

  @BeforeAll
  static void startBroker() throws Exception {
    broker = EmbeddedRabbit.start();
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(broker.uri());
    connection = factory.newConnection("rabbit-propagation-test");
  }

  @AfterAll
  static void stopBroker() throws Exception {
    if (connection != null) {
      connection.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  /**
   * Consumes from a fresh queue on the client's consumer thread, each delivery in its span; returns the queue's name
   * and what each handler saw.
   */
  private static BlockingQueue<Object[]> consume(Channel channel, String queue) throws Exception {
    BlockingQueue<Object[]> received = new ArrayBlockingQueue<>(10);
    channel.queueDeclare(queue, false, false, true, null);
    channel.basicConsume(queue, true, (tag, delivery) -> {
      try (CorrelationScope ignored = RabbitCorrelation.open(delivery.getProperties())) {
        LoggerFactory.getLogger("worker").info("consumed {}", new String(delivery.getBody(), StandardCharsets.UTF_8));
        received.add(new Object[] {Correlation.current().orElseThrow(), delivery, Thread.currentThread().getName()});
      }
    }, tag -> { });
    return received;
  }

  @Test
  void theConsumerRunsInAChildOfTheProducersSpan_withTheSameRequestIdAndTrace() throws Exception {
    try (LogCapture capture = LogCapture.capture(); Channel channel = connection.createChannel()) {
      BlockingQueue<Object[]> received = consume(channel, "orders");
      Correlation producing = Correlation.newTrace("req-rabbit-1");
      try (CorrelationScope ignored = producing.open()) {
        LoggerFactory.getLogger("api").info("order queued");
        AMQP.BasicProperties props = RabbitCorrelation.inject(new AMQP.BasicProperties.Builder()
            .contentType("text/plain").headers(Map.of("tenant-hint", "acme")).build());
        channel.basicPublish("", "orders", props, "order 42".getBytes(StandardCharsets.UTF_8));
      }

      Object[] got = received.poll(10, TimeUnit.SECONDS);
      assertThat(got).as("the message arrived").isNotNull();
      Correlation consumed = (Correlation) got[0];
      Delivery delivery = (Delivery) got[1];
      assertThat(got[2]).isNotEqualTo(Thread.currentThread().getName());
      assertThat(consumed.requestId()).isEqualTo("req-rabbit-1");
      assertThat(consumed.traceId()).isEqualTo(producing.traceId());
      assertThat(consumed.spanId()).isNotEqualTo(producing.spanId());
      assertThat(consumed.parentSpanId()).hasValue(producing.spanId());
      // What crossed the wire: the client decodes every string header as a LongString.
      Map<String, Object> headers = delivery.getProperties().getHeaders();
      assertThat(headers.get("traceparent")).isInstanceOf(LongString.class);
      assertThat(headers.get("traceparent")).hasToString(W3CTraceContext.formatTraceparent(producing));
      assertThat(headers.get("X-Request-Id")).hasToString("req-rabbit-1");
      assertThat(headers.get("tenant-hint")).as("the application's headers stay").hasToString("acme");
      assertThat(delivery.getProperties().getContentType()).isEqualTo("text/plain");

      Awaitility.await().atMost(Duration.ofSeconds(10))
          .until(() -> !capture.lines(l -> "consumed order 42".equals(l.get("message"))).isEmpty());
      Map<String, Object> queued = capture.lines(l -> "order queued".equals(l.get("message"))).get(0);
      Map<String, Object> line = capture.lines(l -> "consumed order 42".equals(l.get("message"))).get(0);
      assertThat(queued).containsEntry("requestId", "req-rabbit-1").containsEntry("span_id", producing.spanId());
      assertThat(line).containsEntry("requestId", "req-rabbit-1")
          .containsEntry("trace_id", queued.get("trace_id"))
          .containsEntry("span_id", consumed.spanId())
          .containsEntry("thread", got[2]);
      assertThat(line.get("span_id")).isNotEqualTo(queued.get("span_id"));
    }
  }

  @Test
  void aMessageWithoutHeadersStartsANewTrace() throws Exception {
    try (LogCapture capture = LogCapture.capture(); Channel channel = connection.createChannel()) {
      BlockingQueue<Object[]> received = consume(channel, "plain");
      channel.basicPublish("", "plain", null, "no headers".getBytes(StandardCharsets.UTF_8));
      Object[] got = received.poll(10, TimeUnit.SECONDS);
      assertThat(got).isNotNull();
      Correlation consumed = (Correlation) got[0];
      assertThat(((Delivery) got[1]).getProperties().getHeaders()).isNull();
      assertThat(consumed.traceId()).matches("[0-9a-f]{32}");
      assertThat(consumed.parentSpanId()).isEmpty();
      assertThat(RequestIds.isValid(consumed.requestId())).isTrue();
      Awaitility.await().atMost(Duration.ofSeconds(10))
          .until(() -> !capture.lines(l -> "consumed no headers".equals(l.get("message"))).isEmpty());
      Map<String, Object> line = capture.lines(l -> "consumed no headers".equals(l.get("message"))).get(0);
      assertThat(line).containsEntry("trace_id", consumed.traceId()).containsEntry("requestId", consumed.requestId());
    }
  }

  @Test
  void malformedHeadersGiveFreshIdsAndAreLoggedNowhere() throws Exception {
    try (LogCapture capture = LogCapture.capture(); Channel channel = connection.createChannel()) {
      BlockingQueue<Object[]> received = consume(channel, "hostile");
      Map<String, Object> headers = new HashMap<>();
      headers.put("X-Request-Id", "evil\r\n{\"level\":\"error\"}");
      headers.put("traceparent", "00-not-a-trace-01".getBytes(StandardCharsets.UTF_8));
      headers.put("baggage", 42);
      headers.put("tracestate", List.of("a=b", "c=d"));
      channel.basicPublish("", "hostile", new AMQP.BasicProperties.Builder().headers(headers).build(),
          "payload".getBytes(StandardCharsets.UTF_8));
      Object[] got = received.poll(10, TimeUnit.SECONDS);
      assertThat(got).isNotNull();
      Correlation consumed = (Correlation) got[0];
      assertThat(RequestIds.isValid(consumed.requestId())).isTrue();
      assertThat(consumed.requestId()).doesNotContain("evil");
      assertThat(consumed.parentSpanId()).isEmpty();
      assertThat(consumed.traceId()).matches("[0-9a-f]{32}");
      Awaitility.await().atMost(Duration.ofSeconds(10))
          .until(() -> !capture.lines(l -> "consumed payload".equals(l.get("message"))).isEmpty());
      for (String line : capture.raw()) {
        assertThat(line).doesNotContain("evil", "not-a-trace");
      }
    }
  }

  @Test
  void headerValuesOfEveryTypeTheClientDecodes() {
    Correlation producing = Correlation.newTrace("req-types");
    String traceparent = W3CTraceContext.formatTraceparent(producing);
    for (Object value : List.of(traceparent, traceparent.getBytes(StandardCharsets.UTF_8),
        com.rabbitmq.client.impl.LongStringHelper.asLongString(traceparent))) {
      Correlation c = RabbitCorrelation.extract(Map.of("traceparent", value, "x-request-id", "req-types"));
      assertThat(c.traceId()).as("%s", value.getClass()).isEqualTo(producing.traceId());
      assertThat(c.parentSpanId()).hasValue(producing.spanId());
      assertThat(c.requestId()).as("a name in another case").isEqualTo("req-types");
    }
    // Too long, or not a string at all: absent, and a fresh trace.
    String huge = traceparent + " ".repeat(RabbitCorrelation.MAX_VALUE_BYTES);
    for (Object value : List.of(huge, huge.getBytes(StandardCharsets.UTF_8), 7L, Map.of("a", "b"))) {
      Correlation c = RabbitCorrelation.extract(Map.of("traceparent", value));
      assertThat(c.traceId()).isNotEqualTo(producing.traceId());
      assertThat(c.parentSpanId()).isEmpty();
    }
    assertThat(RabbitCorrelation.extract((AMQP.BasicProperties) null).parentSpanId()).isEmpty();
    assertThat(RabbitCorrelation.extract((Map<String, Object>) null).parentSpanId()).isEmpty();
  }

  @Test
  void injectKeepsTheCallersPropertiesAndNeverThrows() {
    Correlation producing = Correlation.newTrace("req-inject");
    try (CorrelationScope ignored = producing.open()) {
      AMQP.BasicProperties none = RabbitCorrelation.inject((AMQP.BasicProperties) null);
      assertThat(none.getHeaders()).containsEntry("X-Request-Id", "req-inject")
          .containsEntry("traceparent", W3CTraceContext.formatTraceparent(producing));
      // A read-only table is left as it is.
      Map<String, Object> readOnly = Map.of("k", "v");
      RabbitCorrelation.inject(readOnly);
      assertThat(readOnly).containsOnlyKeys("k");
      assertThat(MDC.get("requestId")).isEqualTo("req-inject");
    }
    AMQP.BasicProperties fresh = RabbitCorrelation.inject(new AMQP.BasicProperties());
    assertThat(fresh.getHeaders().get("traceparent").toString()).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");
  }
}
