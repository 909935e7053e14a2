package dev.threadline.web.reactive;

import dev.threadline.core.Correlation;
import dev.threadline.core.CorrelationScope;
import org.reactivestreams.Subscription;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilterChain;
import reactor.core.CoreSubscriber;
import reactor.core.Exceptions;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.core.publisher.SignalType;
import reactor.util.context.Context;

/**
 * The rest of the chain as one request of {@link ThreadlineWebFilter} sees it, in one operator: the chain is
 * assembled when the request is subscribed, with the request's ids on the thread (filters and handlers that log at
 * once carry them), and the request's end (completion, error or cancellation) is told to the filter after the
 * signal went on, as {@code doFinally} would. One publisher and one subscriber per request, where {@code doOnError}
 * and {@code doFinally} took four objects and two lambdas, and two more layers for every signal to cross.
 *
 * <p>The filter puts it under its {@code contextWrite}, a Reactor operator: {@code Mono.from} and {@code Mono.defer}
 * (WebFlux's filter chain) would wrap a publisher of another library, like this one, in one more thread-local
 * restoring layer under automatic context propagation, but never a Reactor operator.
 */
final class HandledRequest extends Mono<Void> {

  /** What the filter does with the request's end. */
  interface End {
    /** The request's server span. */
    Correlation correlation();

    /** The chain failed with {@code e}; called before the error goes on downstream. */
    void failed(Throwable e);

    /** The request ended; called once the signal went on. Never throws. */
    void finish(SignalType signal);
  }

  private final ServerWebExchange exchange;
  private final WebFilterChain chain;
  private final End end;

  private HandledRequest(ServerWebExchange exchange, WebFilterChain chain, End end) {
    this.exchange = exchange;
    this.chain = chain;
    this.end = end;
  }

  static Mono<Void> of(ServerWebExchange exchange, WebFilterChain chain, End end) {
    return onAssembly(new HandledRequest(exchange, chain, end));
  }

  @Override
  public void subscribe(CoreSubscriber<? super Void> actual) {
    Correlation correlation = end.correlation();
    Mono<Void> handled;
    // Under automatic context propagation the filter's contextWrite has made the request's ids current already;
    // without it, only the chain's assembly runs with them, as the class documentation of the filter says.
    boolean current = Correlation.current().orElse(null) == correlation;
    try (CorrelationScope ignored = current ? null : correlation.open()) {
      handled = chain.filter(exchange);
    } catch (Throwable e) {
      end.failed(e);
      try {
        Exceptions.throwIfJvmFatal(e);
        Operators.error(actual, Operators.onOperatorError(e, actual.currentContext()));
      } finally {
        end.finish(SignalType.ON_ERROR);
      }
      return;
    }
    handled.subscribe(new Ending(actual, end));
  }

  /** Passes every signal on; tells the filter of the request's end. */
  private static final class Ending implements CoreSubscriber<Void>, Subscription {
    private final CoreSubscriber<? super Void> actual;
    private final End end;
    private Subscription upstream;

    Ending(CoreSubscriber<? super Void> actual, End end) {
      this.actual = actual;
      this.end = end;
    }

    @Override
    public Context currentContext() {
      return actual.currentContext();
    }

    @Override
    public void onSubscribe(Subscription s) {
      if (Operators.validate(upstream, s)) {
        upstream = s;
        actual.onSubscribe(this);
      }
    }

    @Override
    public void onNext(Void ignored) {
      actual.onNext(ignored);
    }

    @Override
    public void onError(Throwable e) {
      end.failed(e);
      try {
        actual.onError(e);
      } finally {
        end.finish(SignalType.ON_ERROR);
      }
    }

    @Override
    public void onComplete() {
      try {
        actual.onComplete();
      } finally {
        end.finish(SignalType.ON_COMPLETE);
      }
    }

    @Override
    public void request(long n) {
      upstream.request(n);
    }

    @Override
    public void cancel() {
      try {
        upstream.cancel();
      } finally {
        end.finish(SignalType.CANCEL);
      }
    }
  }
}
