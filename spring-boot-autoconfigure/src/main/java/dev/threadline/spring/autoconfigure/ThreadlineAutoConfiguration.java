package dev.threadline.spring.autoconfigure;

import dev.threadline.core.CorrelationPropagator;
import dev.threadline.spring.autoconfigure.internal.JmsTemplatePropagation;
import dev.threadline.spring.autoconfigure.internal.KafkaProducerInterceptors;
import dev.threadline.spring.autoconfigure.internal.LokiHealthIndicator;
import dev.threadline.spring.autoconfigure.internal.LokiMeterBinder;
import dev.threadline.spring.autoconfigure.internal.LokiShipping;
import dev.threadline.spring.autoconfigure.internal.ThreadlineJmsListenerContainerFactory;
import dev.threadline.spring.autoconfigure.internal.ThreadlineRecordInterceptor;
import dev.threadline.spring.autoconfigure.internal.ThreadlineTaskDecorator;
import dev.threadline.spring.autoconfigure.internal.WebClientPropagation;
import dev.threadline.web.client.OutboundCalls;
import dev.threadline.web.client.spring.ThreadlineClientHttpRequestInterceptor;
import dev.threadline.web.servlet.ThreadlineFilter;
import jakarta.servlet.DispatcherType;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.restclient.RestClientCustomizer;
import org.springframework.boot.restclient.RestTemplateCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;
import org.springframework.core.task.TaskDecorator;

/**
 * Threadline in a Spring Boot application. Each piece sits behind its class condition and a {@code threadline.*}
 * switch. Every bean the application could define itself (the propagator, the task decorator, the outbound settings,
 * the filter registrations, the client customizers, the record interceptor, the JMS listener container factory, Loki
 * shipping, its meters and health) steps aside for the application's; the post-processors and customizers that add
 * Threadline to the application's own beans are turned off with their switch.
 *
 * @since 0.1.0
 */
@AutoConfiguration(beforeName = "org.springframework.boot.jms.autoconfigure.JmsAutoConfiguration")
@EnableConfigurationProperties(ThreadlineProperties.class)
public class ThreadlineAutoConfiguration {

  /**
   * The order of the servlet filter: after character encoding and Spring Boot's observation filter (so a Micrometer
   * Tracing span, when there is one, is already current and becomes the request's span), before Spring Security and
   * MVC.
   */
  public static final int FILTER_ORDER = Ordered.HIGHEST_PRECEDENCE + 2;

  /**
   * {@code @Async} methods and Spring-managed executors run tasks in the correlation of the code that submitted them;
   * {@code @Scheduled} runs, submitted with none, each in a correlation of their own.
   */
  @Bean
  @ConditionalOnMissingBean(TaskDecorator.class)
  @ConditionalOnProperty(prefix = "threadline.async", name = "enabled", matchIfMissing = true)
  public TaskDecorator threadlineTaskDecorator() {
    return new ThreadlineTaskDecorator();
  }

  /**
   * The one propagation configuration ({@code threadline.propagation.*}, or a {@link CorrelationPropagator} bean of
   * the application's), made the process's shared propagator, which every inbound and outbound path reads.
   */
  @Bean
  @ConditionalOnMissingBean
  public CorrelationPropagator threadlinePropagator(ThreadlineProperties properties) {
    ThreadlineProperties.Propagation settings = properties.getPropagation();
    return CorrelationPropagator.builder().requestIdHeader(settings.getRequestIdHeader())
        .requestIdAliases(settings.getRequestIdAliases().toArray(new String[0])).readB3(settings.isReadB3())
        .baggageFields(settings.getBaggageFields().toArray(new String[0]))
        .trustIncoming(settings.isTrustIncoming())
        .propagateTo(settings.getPropagateTo().toArray(new String[0])).build();
  }

  /**
   * Shares the propagator (the application's bean or the one above) once the context's singletons exist, and puts the
   * defaults back when the context closes.
   */
  @Bean
  static SharedPropagator threadlineSharePropagator(
      org.springframework.beans.factory.ObjectProvider<CorrelationPropagator> propagator) {
    return new SharedPropagator(propagator);
  }

  /** Makes the context's propagator the process's shared one while the context runs. */
  static final class SharedPropagator implements org.springframework.beans.factory.SmartInitializingSingleton,
      org.springframework.beans.factory.DisposableBean {

    private final org.springframework.beans.factory.ObjectProvider<CorrelationPropagator> propagator;
    private CorrelationPropagator shared;

    SharedPropagator(org.springframework.beans.factory.ObjectProvider<CorrelationPropagator> propagator) {
      this.propagator = propagator;
    }

    @Override
    public void afterSingletonsInstantiated() {
      propagator.ifUnique(p -> {
        CorrelationPropagator.share(p);
        shared = p;
      });
    }

    @Override
    public void destroy() {
      if (shared != null && CorrelationPropagator.shared() == shared) {
        CorrelationPropagator.share(CorrelationPropagator.defaults());
      }
    }
  }

  /** The servlet filter and outbound settings, when web-filters is on the class path. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(OutboundCalls.class)
  static class OutboundConfiguration {

    @Bean
    @ConditionalOnMissingBean
    OutboundCalls threadlineOutboundCalls(ThreadlineProperties properties, CorrelationPropagator propagator) {
      return OutboundCalls.builder().propagator(propagator).logCalls(properties.getClient().isLogCalls()).build();
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
  @ConditionalOnClass({ThreadlineFilter.class, jakarta.servlet.Filter.class, FilterRegistrationBean.class})
  @ConditionalOnProperty(prefix = "threadline.filter", name = "enabled", matchIfMissing = true)
  static class ServletFilterConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "threadlineFilter")
    FilterRegistrationBean<ThreadlineFilter> threadlineFilter(ThreadlineProperties properties,
        CorrelationPropagator propagator) {
      ThreadlineProperties.Filter settings = properties.getFilter();
      ThreadlineFilter filter = new ThreadlineFilter();
      filter.setPropagator(propagator);
      if (settings.getRequestIdHeader() != null && !settings.getRequestIdHeader().isBlank()) {
        filter.setRequestIdHeader(settings.getRequestIdHeader());
      }
      filter.setEchoRequestId(settings.isEchoRequestId());
      filter.setTraceResponse(settings.isTraceResponse());
      filter.setAccessLog(settings.isAccessLog());
      filter.setSkip(String.join(",", settings.getSkip()));
      filter.setLogQuery(settings.isLogQuery());
      filter.setTrustForwardedFor(settings.isTrustForwardedFor());
      filter.setTrustedCallers(String.join(",", settings.getTrustedCallers()));
      filter.setClientErrorLevel(settings.getClientErrorLevel());
      filter.setServerErrorLevel(settings.getServerErrorLevel());
      FilterRegistrationBean<ThreadlineFilter> registration = new FilterRegistrationBean<>(filter);
      registration.setName("threadlineFilter");
      registration.setOrder(FILTER_ORDER);
      registration.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ASYNC, DispatcherType.ERROR);
      registration.setAsyncSupported(true);
      registration.addUrlPatterns("/*");
      return registration;
    }
  }

  /**
   * With a tracer bridge (OpenTelemetry, Brave): the caller's span made the tracer's current remote context before
   * Spring Boot's observation filter, so a tracer with a no-op propagator (Boot's, when tracing export is disabled)
   * still continues the caller's trace. A tracer that reads traceparent finds the same parent; under the Java agent,
   * and without a bridge, it does nothing.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
  @ConditionalOnClass(name = {"dev.threadline.web.internal.servlet.RemoteParentFilter", "jakarta.servlet.Filter",
      "org.springframework.boot.web.servlet.FilterRegistrationBean"})
  @ConditionalOnProperty(prefix = "threadline.filter", name = "enabled", matchIfMissing = true)
  static class RemoteParentConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "threadlineRemoteParentFilter")
    FilterRegistrationBean<dev.threadline.web.internal.servlet.RemoteParentFilter> threadlineRemoteParentFilter() {
      FilterRegistrationBean<dev.threadline.web.internal.servlet.RemoteParentFilter> registration =
          new FilterRegistrationBean<>(new dev.threadline.web.internal.servlet.RemoteParentFilter());
      registration.setName("threadlineRemoteParentFilter");
      registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
      registration.setDispatcherTypes(DispatcherType.REQUEST);
      registration.setAsyncSupported(true);
      registration.addUrlPatterns("/*");
      return registration;
    }
  }

  /** Propagation on every RestClient.Builder and RestTemplateBuilder Spring Boot hands out. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = {"dev.threadline.web.client.spring.ThreadlineClientHttpRequestInterceptor",
      "org.springframework.boot.restclient.RestClientCustomizer"})
  @ConditionalOnProperty(prefix = "threadline.client", name = "enabled", matchIfMissing = true)
  static class RestClientConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "threadlineRestClientCustomizer")
    RestClientCustomizer threadlineRestClientCustomizer(OutboundCalls calls) {
      return builder -> builder.requestInterceptor(new ThreadlineClientHttpRequestInterceptor(calls));
    }

    @Bean
    @ConditionalOnMissingBean(name = "threadlineRestTemplateCustomizer")
    RestTemplateCustomizer threadlineRestTemplateCustomizer(OutboundCalls calls) {
      return restTemplate -> restTemplate.getInterceptors().add(new ThreadlineClientHttpRequestInterceptor(calls));
    }
  }

  /**
   * Propagation on every {@code WebClient.Builder} bean, through a bean post-processor (Spring Boot's own
   * WebClientCustomizer lives in a module this does not need).
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = {"dev.threadline.web.client.spring.ThreadlineExchangeFilterFunction",
      "org.springframework.web.reactive.function.client.WebClient"})
  @ConditionalOnProperty(prefix = "threadline.client", name = "enabled", matchIfMissing = true)
  static class WebClientConfiguration {

    @Bean
    static WebClientPropagation threadlineWebClientPropagation(
        org.springframework.beans.factory.ObjectProvider<OutboundCalls> calls) {
      return new WebClientPropagation(calls);
    }
  }

  /**
   * spring-kafka: the producer interceptor added to the auto-configured producer factory's interceptor.classes
   * (beside any the application lists), and a record interceptor that runs each listener record in its span.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = {"org.springframework.kafka.core.KafkaTemplate",
      "dev.threadline.web.messaging.kafka.KafkaCorrelation",
      "org.springframework.boot.kafka.autoconfigure.DefaultKafkaProducerFactoryCustomizer"})
  @ConditionalOnProperty(prefix = "threadline.kafka", name = "enabled", matchIfMissing = true)
  static class KafkaConfiguration {

    @Bean
    org.springframework.boot.kafka.autoconfigure.DefaultKafkaProducerFactoryCustomizer
        threadlineKafkaProducerFactoryCustomizer() {
      return KafkaProducerInterceptors::addTo;
    }

    @Bean
    @ConditionalOnMissingBean(org.springframework.kafka.listener.RecordInterceptor.class)
    ThreadlineRecordInterceptor threadlineRecordInterceptor() {
      return new ThreadlineRecordInterceptor();
    }
  }

  /**
   * spring-jms: {@code JmsTemplate} beans write the correlation into converted messages, and the
   * {@code jmsListenerContainerFactory} (Boot's, configured by Boot's configurer) runs every message in its span.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = {"org.springframework.jms.core.JmsTemplate", "jakarta.jms.Message",
      "dev.threadline.web.messaging.jms.JmsCorrelation",
      "org.springframework.boot.jms.autoconfigure.DefaultJmsListenerContainerFactoryConfigurer"})
  @ConditionalOnProperty(prefix = "threadline.jms", name = "enabled", matchIfMissing = true)
  static class JmsConfiguration {

    @Bean
    static JmsTemplatePropagation threadlineJmsTemplatePropagation() {
      return new JmsTemplatePropagation();
    }

    @Bean
    @ConditionalOnMissingBean(name = "jmsListenerContainerFactory")
    @org.springframework.boot.autoconfigure.condition.ConditionalOnBean(jakarta.jms.ConnectionFactory.class)
    ThreadlineJmsListenerContainerFactory jmsListenerContainerFactory(
        org.springframework.boot.jms.autoconfigure.DefaultJmsListenerContainerFactoryConfigurer configurer,
        jakarta.jms.ConnectionFactory connectionFactory) {
      ThreadlineJmsListenerContainerFactory factory = new ThreadlineJmsListenerContainerFactory();
      configurer.configure(factory, connectionFactory);
      return factory;
    }
  }

  /**
   * Loki shipping when threadline.loki.url is set (blank: off). In an application started by SpringApplication the
   * starter's listener has already started it, right after Boot initialised logging, and registered it as the
   * {@code threadlineLokiShipping} bean, so the bean here steps aside; see {@link LokiShipping}.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = {"dev.threadline.loki.LokiAppender", "ch.qos.logback.classic.LoggerContext"})
  @ConditionalOnProperty(prefix = "threadline.loki", name = "url")
  static class LokiConfiguration {

    @Bean
    @ConditionalOnMissingBean
    LokiShipping threadlineLokiShipping(ThreadlineProperties properties, Environment environment) {
      return new LokiShipping(properties.getLoki(), environment);
    }

    /** The appender's counters as meters, when Micrometer is present (the actuator binds them). */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.micrometer.core.instrument.binder.MeterBinder")
    @ConditionalOnProperty(prefix = "threadline.loki", name = "url")
    static class LokiMetricsConfiguration {

      @Bean
      @ConditionalOnMissingBean
      LokiMeterBinder threadlineLokiMeters(LokiShipping shipping) {
        return new LokiMeterBinder(shipping);
      }
    }

    /** Loki shipping as a health contributor, when the actuator's health support is present. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
    @ConditionalOnProperty(prefix = "threadline.loki", name = "url")
    static class LokiHealthConfiguration {

      @Bean
      @ConditionalOnMissingBean(name = "threadlineLokiHealthIndicator")
      LokiHealthIndicator threadlineLokiHealthIndicator(LokiShipping shipping) {
        return new LokiHealthIndicator(shipping);
      }
    }
  }
}
