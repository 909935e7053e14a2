package dev.threadline.spring.autoconfigure.brave;

import dev.threadline.spring.autoconfigure.internal.BraveScopeDecorator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;

/**
 * Micrometer Tracing on Brave: Brave's {@code CurrentTraceContext} (built by Spring Boot from every
 * {@code ScopeDecorator} bean) publishes each span it makes current in Threadline's MDC keys. Together with the
 * Brave trace bridge, found by the service loader, the lines then carry Brave's trace and span ids, and Threadline
 * starts no competing spans. Before Spring Boot's Brave auto-configuration, which collects the decorators.
 *
 * @since 0.1.0
 */
@AutoConfiguration(beforeName = {
    "org.springframework.boot.micrometer.tracing.brave.autoconfigure.BraveAutoConfiguration",
    "org.springframework.boot.actuate.autoconfigure.tracing.BraveAutoConfiguration"})
@ConditionalOnClass(name = "brave.propagation.CurrentTraceContext")
@ConditionalOnProperty(prefix = "threadline.brave", name = "enabled", matchIfMissing = true)
public class ThreadlineBraveAutoConfiguration {

  /** Brave's scopes open Threadline correlation scopes with the span's ids. */
  @Bean
  @ConditionalOnMissingBean
  public BraveScopeDecorator threadlineBraveScopeDecorator() {
    return new BraveScopeDecorator();
  }
}
