package dev.threadline.web.messaging.jms;

import dev.threadline.core.CarrierGetter;
import dev.threadline.core.CarrierSetter;
import dev.threadline.core.Correlation;
import dev.threadline.core.CorrelationPropagator;
import dev.threadline.core.CorrelationScope;
import dev.threadline.web.messaging.Messages;
import jakarta.jms.JMSException;
import jakarta.jms.Message;

/**
 * JMS (Jakarta Messaging 3) message properties as a carrier. Property names must be Java identifiers, so a
 * {@code -} is written as {@code __dash__}, as OpenTelemetry's JMS instrumentation does ({@code X-Request-Id}
 * travels as {@code X__dash__Request__dash__Id}), and the two interoperate.
 *
 * <pre>{@code
 * JmsCorrelation.inject(message);  producer.send(message);           // producer
 * try (CorrelationScope scope = JmsCorrelation.open(message)) { ... } // consumer, in onMessage
 * }</pre>
 *
 * @since 0.1.0
 */
public final class JmsCorrelation {

  /** Reads a string property; a failing read counts as absent. */
  public static final CarrierGetter<Message> GETTER = (message, name) -> {
    try {
      return message.getStringProperty(propertyName(name));
    } catch (JMSException | RuntimeException e) {
      return null;
    }
  };

  /** Sets a string property; a message whose properties are read-only is left as it is. */
  public static final CarrierSetter<Message> SETTER = (message, name, value) -> {
    try {
      message.setStringProperty(propertyName(name), value);
    } catch (JMSException | RuntimeException e) {
      // Properties are read-only on a received message; nothing to propagate then.
    }
  };

  private JmsCorrelation() {
  }

  /** The property name of a header: each {@code -} as {@code __dash__}. */
  public static String propertyName(String header) {
    return header.replace("-", "__dash__");
  }

  /** Writes the current correlation (or a new trace) into the message's properties. Never throws. */
  public static void inject(Message message) {
    Messages.inject(message, SETTER, CorrelationPropagator.shared(), GETTER);
  }

  /** The span handling {@code message} runs in: a child of the producer's span. Never throws. */
  public static Correlation extract(Message message) {
    return Messages.extract(message, GETTER, CorrelationPropagator.shared());
  }

  /** Opens {@link #extract(Message)} on this thread; close it when the message is handled. */
  public static CorrelationScope open(Message message) {
    return extract(message).open();
  }
}
