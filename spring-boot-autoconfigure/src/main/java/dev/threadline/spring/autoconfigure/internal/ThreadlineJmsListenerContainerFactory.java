package dev.threadline.spring.autoconfigure.internal;

import dev.threadline.core.CorrelationScope;
import dev.threadline.web.messaging.jms.JmsCorrelation;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageListener;
import jakarta.jms.Session;
import org.springframework.jms.config.DefaultJmsListenerContainerFactory;
import org.springframework.jms.listener.DefaultMessageListenerContainer;
import org.springframework.jms.listener.SessionAwareMessageListener;

/**
 * Spring Boot's listener container factory whose containers run every message (of {@code @JmsListener} methods and
 * plain listeners) in its span: a child of the producer's, with the producer's request id and trace, closed when the
 * listener returns. Configured by Boot's {@code DefaultJmsListenerContainerFactoryConfigurer} like Boot's own.
 */
public class ThreadlineJmsListenerContainerFactory extends DefaultJmsListenerContainerFactory {

  @Override
  protected DefaultMessageListenerContainer createContainerInstance() {
    return new DefaultMessageListenerContainer() {
      @Override
      public void setupMessageListener(Object listener) {
        super.setupMessageListener(wrap(listener));
      }
    };
  }

  static Object wrap(Object listener) {
    if (listener instanceof SessionAwareMessageListener) {
      @SuppressWarnings("unchecked")
      SessionAwareMessageListener<Message> delegate = (SessionAwareMessageListener<Message>) listener;
      return new InScope(delegate, null);
    }
    if (listener instanceof MessageListener) {
      return new InScope(null, (MessageListener) listener);
    }
    return listener;
  }

  /** A listener that runs its delegate inside the message's scope. */
  static final class InScope implements SessionAwareMessageListener<Message>, MessageListener {
    private final SessionAwareMessageListener<Message> sessionAware;
    private final MessageListener plain;

    InScope(SessionAwareMessageListener<Message> sessionAware, MessageListener plain) {
      this.sessionAware = sessionAware;
      this.plain = plain;
    }

    @Override
    public void onMessage(Message message, Session session) throws JMSException {
      try (CorrelationScope ignored = JmsCorrelation.open(message)) {
        if (sessionAware != null) {
          sessionAware.onMessage(message, session);
        } else {
          plain.onMessage(message);
        }
      }
    }

    @Override
    public void onMessage(Message message) {
      try (CorrelationScope ignored = JmsCorrelation.open(message)) {
        if (plain != null) {
          plain.onMessage(message);
        } else {
          throw new IllegalStateException("a session-aware listener needs its session");
        }
      }
    }
  }
}
