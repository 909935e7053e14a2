package dev.threadline.web.client.jdk;

import dev.threadline.web.client.OutboundCalls;
import java.io.IOException;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * The JDK's {@link HttpClient}, which has no interceptors, decorated: every request goes out in a client span with
 * the propagation headers set (replacing any the caller set under the same names), and optionally writes a call line.
 * Everything else is the wrapped client's.
 *
 * <pre>{@code
 * HttpClient client = TracingHttpClient.wrap(HttpClient.newHttpClient());
 * }</pre>
 *
 * <p>On JDK 21 and later, {@code close()}, {@code shutdown()} and their kin act on the wrapped client only through
 * it: keep a reference to the wrapped client and close that one.
 *
 * @since 0.1.0
 */
public final class TracingHttpClient extends HttpClient {

  private final HttpClient delegate;
  private final OutboundCalls calls;

  private TracingHttpClient(HttpClient delegate, OutboundCalls calls) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.calls = Objects.requireNonNull(calls, "calls");
  }

  /** {@code client} with default propagation and call lines. */
  public static HttpClient wrap(HttpClient client) {
    return wrap(client, OutboundCalls.defaults());
  }

  /** {@code client} with the given propagation and call-line settings. */
  public static HttpClient wrap(HttpClient client, OutboundCalls calls) {
    return client instanceof TracingHttpClient ? client : new TracingHttpClient(client, calls);
  }

  @Override
  public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
      throws IOException, InterruptedException {
    OutboundCalls.Call call = calls.start(request.uri().getHost());
    HttpRequest traced = traced(request, call);
    try {
      HttpResponse<T> response = delegate.send(traced, handler);
      finish(call, request, response.statusCode(), null, response.headers().firstValue("traceresponse").orElse(null));
      return response;
    } catch (IOException | InterruptedException | RuntimeException e) {
      finish(call, request, 0, e, null);
      throw e;
    }
  }

  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request,
      HttpResponse.BodyHandler<T> handler) {
    return sendAsync(request, handler, null);
  }

  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request,
      HttpResponse.BodyHandler<T> handler, HttpResponse.PushPromiseHandler<T> pushPromiseHandler) {
    OutboundCalls.Call call = calls.start(request.uri().getHost());
    HttpRequest traced = traced(request, call);
    CompletableFuture<HttpResponse<T>> future = pushPromiseHandler == null
        ? delegate.sendAsync(traced, handler) : delegate.sendAsync(traced, handler, pushPromiseHandler);
    return future.whenComplete((response, failure) ->
        finish(call, request, response == null ? 0 : response.statusCode(), failure,
            response == null ? null : response.headers().firstValue("traceresponse").orElse(null)));
  }

  private static HttpRequest traced(HttpRequest request, OutboundCalls.Call call) {
    // setHeader replaces what the caller set under the same names.
    HttpRequest.Builder builder = HttpRequest.newBuilder(request, (name, value) -> true);
    call.inject(builder, HttpRequest.Builder::setHeader,
        (b, name) -> request.headers().firstValue(name).orElse(null));
    return builder.build();
  }

  private static void finish(OutboundCalls.Call call, HttpRequest request, int status, Throwable failure,
      String traceresponse) {
    URI uri = request.uri();
    call.finish(request.method(), uri.getHost() == null ? "" : uri.getHost() + (uri.getPort() < 0 ? "" : ":"
        + uri.getPort()), uri.getRawPath(), status, failure, traceresponse);
  }

  // ---- the wrapped client's own settings

  @Override
  public Optional<CookieHandler> cookieHandler() {
    return delegate.cookieHandler();
  }

  @Override
  public Optional<Duration> connectTimeout() {
    return delegate.connectTimeout();
  }

  @Override
  public Redirect followRedirects() {
    return delegate.followRedirects();
  }

  @Override
  public Optional<ProxySelector> proxy() {
    return delegate.proxy();
  }

  @Override
  public SSLContext sslContext() {
    return delegate.sslContext();
  }

  @Override
  public SSLParameters sslParameters() {
    return delegate.sslParameters();
  }

  @Override
  public Optional<Authenticator> authenticator() {
    return delegate.authenticator();
  }

  @Override
  public Version version() {
    return delegate.version();
  }

  @Override
  public Optional<Executor> executor() {
    return delegate.executor();
  }

  @Override
  public java.net.http.WebSocket.Builder newWebSocketBuilder() {
    return delegate.newWebSocketBuilder();
  }

  @Override
  public String toString() {
    return "TracingHttpClient[" + delegate + "]";
  }
}
