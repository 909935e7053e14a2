package dev.threadline.web.internal.reactive;

import dev.threadline.core.CarrierGetter;
import dev.threadline.core.Correlation;
import dev.threadline.core.internal.TraceBridges;
import dev.threadline.core.spi.TraceBridge;
import dev.threadline.web.internal.RemoteParents;
import java.util.Objects;
import java.util.function.Supplier;
import org.springframework.core.Ordered;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.HttpHandlerDecoratorFactory;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;

/**
 * The reactive counterpart of the servlet {@code RemoteParentFilter}: wraps the whole WebFlux handler (outside
 * {@code HttpWebHandlerAdapter}, which since Spring 6.1 starts the server observation before any {@code WebFilter})
 * and makes the caller's span, read from {@code traceparent}, the tracer's current remote context while the handler
 * is subscribed to. The observation starts during that subscription, on the same thread, so a tracer that reads no
 * headers (Spring Boot installs a no-op propagator when tracing export is disabled) starts its server span under the
 * caller's span instead of in a new trace; one that reads {@code traceparent} itself finds the same parent. The
 * remote context is current only for the subscription: the tracer's own context (the observation in the Reactor
 * context) carries the request from there.
 *
 * <p>Does nothing without a tracer bridge, without a valid {@code traceparent}, or when the tracer has a span current
 * already (the Java agent starts its server span in Reactor Netty, before any handler). Never throws anything of its
 * own into the request. The Spring Boot starter registers {@link #decorator()} as an {@link HttpHandlerDecoratorFactory}
 * bean, which Spring's {@code WebHttpHandlerBuilder} applies around the handler.
 */
public final class RemoteParentHandler implements HttpHandler {

  private static final CarrierGetter<ServerHttpRequest> HEADERS = (request, name) ->
      request.getHeaders().getFirst(name);

  private final HttpHandler delegate;

  public RemoteParentHandler(HttpHandler delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  /**
   * The decorator the starter registers: the application's handler wrapped in a {@link RemoteParentHandler},
   * outermost of all decorators ({@link Ordered#HIGHEST_PRECEDENCE}; Spring applies the first one last).
   */
  public static HttpHandlerDecoratorFactory decorator() {
    return new Decorator();
  }

  private static final class Decorator implements HttpHandlerDecoratorFactory, Ordered {
    @Override
    public HttpHandler apply(HttpHandler handler) {
      return new RemoteParentHandler(handler);
    }

    @Override
    public int getOrder() {
      return Ordered.HIGHEST_PRECEDENCE;
    }
  }

  @Override
  public Mono<Void> handle(ServerHttpRequest request, ServerHttpResponse response) {
    TraceBridge bridge = TraceBridges.get();
    Correlation caller = bridge == null ? null : RemoteParents.callerSpan(request, HEADERS);
    return caller == null ? delegate.handle(request, response)
        : new InRemoteParent(() -> delegate.handle(request, response), bridge, caller);
  }

  /**
   * The handler's Mono, made and subscribed to with the caller's span as the tracer's current remote context (an
   * observation may start in either: Spring 6.1 and 7 start it on subscription).
   */
  private static final class InRemoteParent extends Mono<Void> {
    private final Supplier<Mono<Void>> source;
    private final TraceBridge bridge;
    private final Correlation caller;

    InRemoteParent(Supplier<Mono<Void>> source, TraceBridge bridge, Correlation caller) {
      this.source = source;
      this.bridge = bridge;
      this.caller = caller;
    }

    @Override
    public void subscribe(CoreSubscriber<? super Void> actual) {
      AutoCloseable entered = RemoteParents.enter(bridge, caller);
      try {
        Mono<Void> handled;
        try {
          handled = source.get();
        } catch (RuntimeException e) {
          // What the handler would have failed with, had it been called outside: the subscriber gets it.
          Operators.error(actual, Operators.onOperatorError(e, actual.currentContext()));
          return;
        }
        handled.subscribe(actual);
      } finally {
        RemoteParents.exit(entered);
      }
    }
  }
}
