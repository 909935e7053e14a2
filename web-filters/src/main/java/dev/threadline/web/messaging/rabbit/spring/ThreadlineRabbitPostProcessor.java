package dev.threadline.web.messaging.rabbit.spring;

import dev.threadline.web.messaging.rabbit.RabbitCorrelation;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessagePostProcessor;
import org.springframework.amqp.rabbit.core.RabbitTemplate;

/**
 * Spring AMQP's producer side: writes the correlation current when a {@code RabbitTemplate} publishes (or a new
 * trace) into the message's headers, so the listener's span is a child of the sender's.
 *
 * <pre>{@code
 * ThreadlineRabbitPostProcessor.addTo(rabbitTemplate);   // once; or
 * rabbitTemplate.addBeforePublishPostProcessors(new ThreadlineRabbitPostProcessor());
 * }</pre>
 *
 * Before-publish post-processors run on the thread that calls {@code send}/{@code convertAndSend}, where the
 * sender's scope is open. The Spring Boot starter adds it to every {@code RabbitTemplate} bean.
 *
 * @since 0.1.0
 */
public final class ThreadlineRabbitPostProcessor implements MessagePostProcessor {

  /** Creates the post-processor; it holds no state, one serves every template. */
  public ThreadlineRabbitPostProcessor() {
  }

  /**
   * Adds a {@code ThreadlineRabbitPostProcessor} to the template's before-publish post-processors, after the
   * application's; a template that has one already is left as it is. Never throws.
   */
  public static void addTo(RabbitTemplate template) {
    try {
      for (MessagePostProcessor existing : template.getBeforePublishPostProcessors()) {
        if (existing instanceof ThreadlineRabbitPostProcessor) {
          return;
        }
      }
    } catch (RuntimeException e) {
      // An older template without the getter: add ours.
    }
    template.addBeforePublishPostProcessors(new ThreadlineRabbitPostProcessor());
  }

  /** Writes the current correlation into the message's headers and returns the message. Never throws. */
  @Override
  public Message postProcessMessage(Message message) {
    try {
      RabbitCorrelation.inject(message.getMessageProperties().getHeaders());
    } catch (RuntimeException e) {
      // The message goes out without ids rather than not at all.
    }
    return message;
  }
}
