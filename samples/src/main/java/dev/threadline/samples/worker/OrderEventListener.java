package dev.threadline.samples.worker;

import dev.threadline.core.Correlation;
import dev.threadline.core.CorrelationScope;
import dev.threadline.logback.Fields;
import dev.threadline.web.messaging.jms.JmsCorrelation;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageListener;
import jakarta.jms.TextMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes order-api's order events on the broker's thread, each in a child span of the span that published it
 * ({@link JmsCorrelation#open}), so the event's lines join the request that caused it.
 */
final class OrderEventListener implements MessageListener {

  private static final Logger LOG = LoggerFactory.getLogger(OrderEventListener.class);

  @Override
  public void onMessage(Message message) {
    try (CorrelationScope scope = JmsCorrelation.open(message)) {
      String body = message instanceof TextMessage text ? text.getText() : String.valueOf(message);
      // The MDC carries the span, not its parent; the field shows which span published the event.
      String publisher = Correlation.current().flatMap(Correlation::parentSpanId).orElse(null);
      LOG.info("order event received: {}", body, Fields.field("parent_span_id", publisher));
    } catch (JMSException e) {
      LOG.warn("unreadable order event", e);
    }
  }
}
