package dev.threadline.web.client.spring;

import dev.threadline.web.client.OutboundCalls;
import java.io.IOException;
import java.net.URI;
import java.util.Objects;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpRequest;
import org.springframework.http.client.ClientHttpRequestExecution;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.http.client.ClientHttpResponse;

/**
 * Spring's {@code RestClient} and {@code RestTemplate}: one client span per call, with the propagation headers set
 * on the request and an optional call line.
 *
 * <pre>{@code
 * RestClient client = RestClient.builder().requestInterceptor(new ThreadlineClientHttpRequestInterceptor()).build();
 * restTemplate.getInterceptors().add(new ThreadlineClientHttpRequestInterceptor());
 * }</pre>
 *
 * @since 0.1.0
 */
public final class ThreadlineClientHttpRequestInterceptor implements ClientHttpRequestInterceptor {

  private final OutboundCalls calls;

  public ThreadlineClientHttpRequestInterceptor() {
    this(OutboundCalls.defaults());
  }

  public ThreadlineClientHttpRequestInterceptor(OutboundCalls calls) {
    this.calls = Objects.requireNonNull(calls, "calls");
  }

  @Override
  public ClientHttpResponse intercept(HttpRequest request, byte[] body, ClientHttpRequestExecution execution)
      throws IOException {
    OutboundCalls.Call call = calls.start(request.getURI().getHost());
    call.inject(request.getHeaders(), HttpHeaders::set, HttpHeaders::getFirst);
    URI uri = request.getURI();
    String host = uri.getHost() == null ? "" : uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
    try {
      ClientHttpResponse response = execution.execute(request, body);
      call.finish(request.getMethod().name(), host, uri.getRawPath(), response.getStatusCode().value(), null,
          response.getHeaders().getFirst("traceresponse"));
      return response;
    } catch (IOException | RuntimeException e) {
      call.finish(request.getMethod().name(), host, uri.getRawPath(), 0, e);
      throw e;
    }
  }
}
