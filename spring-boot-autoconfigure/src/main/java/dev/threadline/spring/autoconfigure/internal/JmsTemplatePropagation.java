package dev.threadline.spring.autoconfigure.internal;

import dev.threadline.web.messaging.jms.JmsCorrelation;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.Session;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.jms.core.JmsTemplate;
import org.springframework.jms.support.converter.MessageConversionException;
import org.springframework.jms.support.converter.MessageConverter;

/**
 * Every {@code JmsTemplate} bean writes the current correlation into the messages its converter makes
 * ({@code convertAndSend}); messages built by hand ({@code send(MessageCreator)}) take
 * {@link JmsCorrelation#inject} themselves.
 */
public class JmsTemplatePropagation implements BeanPostProcessor {

  @Override
  public Object postProcessAfterInitialization(Object bean, String beanName) {
    if (bean instanceof JmsTemplate) {
      JmsTemplate template = (JmsTemplate) bean;
      MessageConverter converter = template.getMessageConverter();
      if (converter != null && !(converter instanceof Propagating)) {
        template.setMessageConverter(new Propagating(converter));
      }
    }
    return bean;
  }

  /** The application's converter, then the correlation's properties on the message. */
  static final class Propagating implements MessageConverter {
    private final MessageConverter delegate;

    Propagating(MessageConverter delegate) {
      this.delegate = delegate;
    }

    @Override
    public Message toMessage(Object object, Session session) throws JMSException, MessageConversionException {
      Message message = delegate.toMessage(object, session);
      JmsCorrelation.inject(message);
      return message;
    }

    @Override
    public Object fromMessage(Message message) throws JMSException, MessageConversionException {
      return delegate.fromMessage(message);
    }
  }
}
