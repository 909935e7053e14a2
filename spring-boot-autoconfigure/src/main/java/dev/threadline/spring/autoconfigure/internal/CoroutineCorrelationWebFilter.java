package dev.threadline.spring.autoconfigure.internal;

import dev.threadline.core.Correlation;
import dev.threadline.core.kotlin.ThreadlineContext;
import dev.threadline.web.reactive.ThreadlineWebFilter;
import kotlin.coroutines.CoroutineContext;
import kotlinx.coroutines.Dispatchers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.util.ClassUtils;
import org.springframework.web.server.CoWebFilter;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;

/**
 * Runs a WebFlux application's Kotlin {@code suspend} handlers, and its {@code CoWebFilter}s, with the request's
 * correlation on every thread they resume on: it puts a {@link ThreadlineContext} of the request into the coroutine
 * context Spring starts them in (the exchange attribute {@link CoWebFilter#COROUTINE_CONTEXT_ATTRIBUTE}). It runs
 * just after {@link ThreadlineWebFilter}, which made the request's correlation.
 *
 * <p>Why: Spring 6.2 (Boot 3.5) starts a handler on {@code Dispatchers.Unconfined} with nothing that carries
 * thread-locals, so the ids are gone after the first {@code delay}. Spring 7 (Boot 4) adds its
 * {@code PropagationContextElement}, which restores Reactor's context at each resume, but only when no
 * {@code CoWebFilter} has set the attribute; behind an application's {@code CoWebFilter} the handler gets that
 * filter's context and loses the ids. Setting the attribute first covers both: a {@code CoWebFilter} builds on it.
 * Where Spring 7 would have added its element (automatic context propagation on), the context set here keeps it, so
 * other thread-locals (a tracer's observation) still follow as they would without Threadline.
 */
public final class CoroutineCorrelationWebFilter implements WebFilter, Ordered {

  private static final Logger SELF = LoggerFactory.getLogger(CoroutineCorrelationWebFilter.class);
  private static final String ATTRIBUTE = CoWebFilter.COROUTINE_CONTEXT_ATTRIBUTE;
  private static final boolean SPRING_PROPAGATION_ELEMENT =
      ClassUtils.isPresent("org.springframework.core.PropagationContextElement",
          CoroutineCorrelationWebFilter.class.getClassLoader())
      && ClassUtils.isPresent("io.micrometer.context.ContextRegistry",
          CoroutineCorrelationWebFilter.class.getClassLoader());

  private final int order;
  private volatile boolean failureReported;

  /** A filter at {@code order}, which must come after {@link ThreadlineWebFilter}'s. */
  public CoroutineCorrelationWebFilter(int order) {
    this.order = order;
  }

  @Override
  public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
    try {
      Correlation correlation = ThreadlineWebFilter.correlationOf(exchange).orElse(null);
      if (correlation != null) {
        Object existing = exchange.getAttribute(ATTRIBUTE);
        CoroutineContext base = existing instanceof CoroutineContext ? (CoroutineContext) existing : springDefault();
        exchange.getAttributes().put(ATTRIBUTE, base.plus(new ThreadlineContext(correlation)));
      }
    } catch (RuntimeException | LinkageError e) {
      // The request goes on as Spring would run it without Threadline.
      if (!failureReported) {
        failureReported = true;
        SELF.warn("Threadline could not add the request's correlation to the coroutine context; suspend handlers "
            + "log without it. Reported once.", e);
      }
    }
    return chain.filter(exchange);
  }

  /** The context Spring would start a handler in when no {@code CoWebFilter} set one. */
  static CoroutineContext springDefault() {
    CoroutineContext unconfined = Dispatchers.getUnconfined();
    if (SPRING_PROPAGATION_ELEMENT && Hooks.isAutomaticContextPropagationEnabled()) {
      return unconfined.plus(SpringPropagation.element());
    }
    return unconfined;
  }

  @Override
  public int getOrder() {
    return order;
  }

  /** Loaded only on Spring 7, where the class exists. */
  private static final class SpringPropagation {
    static CoroutineContext element() {
      return new org.springframework.core.PropagationContextElement();
    }
  }
}
