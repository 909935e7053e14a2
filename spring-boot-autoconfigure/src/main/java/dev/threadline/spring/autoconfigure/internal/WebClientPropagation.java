package dev.threadline.spring.autoconfigure.internal;

import dev.threadline.web.client.OutboundCalls;
import dev.threadline.web.client.spring.ThreadlineExchangeFilterFunction;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.web.reactive.function.client.WebClient;

/** Adds Threadline's exchange filter to every {@code WebClient.Builder} bean the context creates. */
public class WebClientPropagation implements BeanPostProcessor {

  private final ObjectProvider<OutboundCalls> calls;

  public WebClientPropagation(ObjectProvider<OutboundCalls> calls) {
    this.calls = calls;
  }

  @Override
  public Object postProcessAfterInitialization(Object bean, String beanName) {
    if (bean instanceof WebClient.Builder) {
      OutboundCalls settings = calls.getIfAvailable(OutboundCalls::defaults);
      ((WebClient.Builder) bean).filters(filters -> {
        if (filters.stream().noneMatch(ThreadlineExchangeFilterFunction.class::isInstance)) {
          filters.add(new ThreadlineExchangeFilterFunction(settings));
        }
      });
    }
    return bean;
  }
}
