package dev.threadline.spring.autoconfigure;

import dev.threadline.core.CorrelationPropagator;
import dev.threadline.spring.autoconfigure.internal.CoroutineCorrelationWebFilter;
import dev.threadline.web.reactive.ThreadlineWebFilter;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Threadline in a Spring WebFlux application: the {@link ThreadlineWebFilter}, configured by the same
 * {@code threadline.filter.*} properties as the servlet filter, and Reactor's automatic context propagation, so the
 * request's ids follow it across operators and threads, also into Kotlin {@code suspend} handlers (with
 * kotlinx-coroutines-reactor present, the request's {@code ThreadlineContext} goes into the coroutine context Spring
 * starts them in). Off with {@code threadline.filter.enabled=false}; the
 * application's own {@code threadlineWebFilter} bean replaces the filter.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = ThreadlineAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@ConditionalOnClass(name = {"dev.threadline.web.reactive.ThreadlineWebFilter",
    "org.springframework.web.server.WebFilter", "reactor.core.publisher.Hooks"})
@ConditionalOnProperty(prefix = "threadline.filter", name = "enabled", matchIfMissing = true)
@EnableConfigurationProperties(ThreadlineProperties.class)
public class ThreadlineReactiveAutoConfiguration {

  /** The WebFilter, in the servlet filter's place among the application's filters. */
  @Bean
  @ConditionalOnMissingBean(name = "threadlineWebFilter")
  public ThreadlineWebFilter threadlineWebFilter(ThreadlineProperties properties, CorrelationPropagator propagator) {
    ThreadlineProperties.Filter settings = properties.getFilter();
    ThreadlineWebFilter filter = new ThreadlineWebFilter();
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
    filter.setOrder(ThreadlineAutoConfiguration.FILTER_ORDER);
    return filter;
  }

  /**
   * Before a tracer's server observation (which {@code HttpWebHandlerAdapter} starts ahead of every WebFilter), the
   * caller's span from {@code traceparent} as the tracer's current remote context, so a tracer that reads no headers
   * (Spring Boot's no-op propagator when tracing export is disabled) still continues the caller's trace: the reactive
   * counterpart of the servlet {@code RemoteParentFilter}. Without a tracer bridge, and under the Java agent, it does
   * nothing.
   */
  @Bean
  @ConditionalOnMissingBean(name = "threadlineRemoteParentDecorator")
  @ConditionalOnClass(name = "dev.threadline.web.internal.reactive.RemoteParentHandler")
  public org.springframework.http.server.reactive.HttpHandlerDecoratorFactory threadlineRemoteParentDecorator() {
    return dev.threadline.web.internal.reactive.RemoteParentHandler.decorator();
  }

  /**
   * Reactor's automatic context propagation, when Micrometer's context-propagation is on the class path (the
   * starter brings it): what Spring Boot's {@code spring.reactor.context-propagation=auto} does, turned on here
   * because the request's ids depend on it.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "io.micrometer.context.ContextRegistry")
  static class ContextPropagationConfiguration {

    @Bean
    static ReactorContextPropagation threadlineReactorContextPropagation() {
      return new ReactorContextPropagation();
    }
  }

  /**
   * Kotlin coroutines: {@code suspend} handlers and {@code CoWebFilter}s run with the request's correlation on every
   * thread they resume on, when kotlinx-coroutines-reactor (what Spring needs for them) is on the class path.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = {"kotlinx.coroutines.reactor.MonoKt", "org.springframework.web.server.CoWebFilter",
      "dev.threadline.core.kotlin.ThreadlineContext"})
  static class CoroutinesConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "threadlineCoroutineCorrelationWebFilter")
    CoroutineCorrelationWebFilter threadlineCoroutineCorrelationWebFilter() {
      return new CoroutineCorrelationWebFilter(ThreadlineAutoConfiguration.FILTER_ORDER + 1);
    }
  }

  /** Turns Reactor's automatic context propagation on when created (once per process; it stays on). */
  static final class ReactorContextPropagation {
    ReactorContextPropagation() {
      reactor.core.publisher.Hooks.enableAutomaticContextPropagation();
    }
  }
}
