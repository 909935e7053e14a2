package dev.threadline.web.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadline.core.Correlation;
import dev.threadline.core.CorrelationScope;
import dev.threadline.web.LogCapture;
import dev.threadline.web.messaging.jms.JmsCorrelation;
import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** A real Artemis broker in the test process: produce in one scope, consume on the listener's thread. */
class JmsPropagationTest {

  private static EmbeddedActiveMQ broker;

  @BeforeAll
  static void startBroker() throws Exception {
    broker = EmbeddedBrokers.artemis("vm://0");
  }

  @AfterAll
  static void stopBroker() throws Exception {
    broker.stop();
  }

  @Test
  void theConsumerRunsInAChildOfTheProducersSpan_withTheSameRequestIdAndTrace() throws Exception {
    BlockingQueue<Object[]> received = new ArrayBlockingQueue<>(1);
    try (LogCapture capture = LogCapture.capture();
        ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory("vm://0");
        Connection connection = factory.createConnection()) {
      Session consumerSession = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
      Queue queue = consumerSession.createQueue("orders");
      MessageConsumer consumer = consumerSession.createConsumer(queue);
      consumer.setMessageListener(message -> {
        try (CorrelationScope ignored = JmsCorrelation.open(message)) {
          LoggerFactory.getLogger("worker").info("order consumed");
          received.add(new Object[] {Correlation.current().orElseThrow(), message,
              Thread.currentThread().getName()});
        }
      });
      connection.start();

      Correlation producer = Correlation.newTrace("req-jms-1");
      Session producerSession = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
      MessageProducer sender = producerSession.createProducer(queue);
      try (CorrelationScope ignored = producer.open()) {
        Message message = producerSession.createTextMessage("order 42");
        JmsCorrelation.inject(message);
        LoggerFactory.getLogger("api").info("order queued");
        sender.send(message);
      }

      Object[] got = received.poll(10, TimeUnit.SECONDS);
      assertThat(got).as("the message arrived").isNotNull();
      Correlation consumed = (Correlation) got[0];
      Message message = (Message) got[1];
      assertThat(got[2]).isNotEqualTo(Thread.currentThread().getName());
      assertThat(consumed.requestId()).isEqualTo("req-jms-1");
      assertThat(consumed.traceId()).isEqualTo(producer.traceId());
      assertThat(consumed.spanId()).isNotEqualTo(producer.spanId());
      assertThat(consumed.parentSpanId()).hasValue(producer.spanId());
      // Java-identifier property names, as OpenTelemetry's JMS instrumentation writes them.
      assertThat(message.getStringProperty("X__dash__Request__dash__Id")).isEqualTo("req-jms-1");
      assertThat(message.getStringProperty("traceparent"))
          .isEqualTo(dev.threadline.core.internal.W3CTraceContext.formatTraceparent(producer));

      Map<String, Object> queued = capture.lines(l -> "order queued".equals(l.get("message"))).get(0);
      Map<String, Object> consumedLine = capture.lines(l -> "order consumed".equals(l.get("message"))).get(0);
      assertThat(consumedLine).containsEntry("requestId", "req-jms-1")
          .containsEntry("trace_id", queued.get("trace_id")).containsEntry("span_id", consumed.spanId());
      assertThat(queued).containsEntry("span_id", producer.spanId());
    }
  }

  @Test
  void aMessageWithoutPropertiesStartsANewTrace() throws Exception {
    try (ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory("vm://0");
        Connection connection = factory.createConnection()) {
      Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
      Message message = session.createTextMessage("plain");
      Correlation c = JmsCorrelation.extract(message);
      assertThat(c.traceId()).matches("[0-9a-f]{32}");
      assertThat(c.parentSpanId()).isEmpty();
    }
  }
}
