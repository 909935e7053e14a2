package dev.threadline.web.client.spring;

import dev.threadline.web.client.OutboundCalls;
import java.net.URI;
import java.util.Objects;
import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.ExchangeFunction;
import reactor.core.publisher.Mono;

/**
 * Spring's {@code WebClient}: one client span per exchange, started when the exchange is subscribed to (so under
 * the correlation current on the subscribing thread), with the propagation headers set and an optional call line.
 *
 * <pre>{@code
 * WebClient client = WebClient.builder().filter(new ThreadlineExchangeFilterFunction()).build();
 * }</pre>
 *
 * @since 0.1.0
 */
public final class ThreadlineExchangeFilterFunction implements ExchangeFilterFunction {

  private final OutboundCalls calls;

  public ThreadlineExchangeFilterFunction() {
    this(OutboundCalls.defaults());
  }

  public ThreadlineExchangeFilterFunction(OutboundCalls calls) {
    this.calls = Objects.requireNonNull(calls, "calls");
  }

  @Override
  public Mono<ClientResponse> filter(ClientRequest request, ExchangeFunction next) {
    return Mono.defer(() -> {
      OutboundCalls.Call call = calls.start(request.url().getHost());
      ClientRequest traced = ClientRequest.from(request).headers(h -> call.inject(h, HttpHeaders::set, HttpHeaders::getFirst)).build();
      URI uri = request.url();
      String host = uri.getHost() == null ? "" : uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
      String method = request.method().name();
      return next.exchange(traced)
          .doOnSuccess(response -> {
            if (response != null) {
              call.finish(method, host, uri.getRawPath(), response.statusCode().value(), null,
                  response.headers().asHttpHeaders().getFirst("traceresponse"));
            }
          })
          .doOnError(e -> call.finish(method, host, uri.getRawPath(), 0, e));
    });
  }
}
