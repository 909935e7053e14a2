package dev.threadline.web.client.apache;

import dev.threadline.web.client.OutboundCalls;
import java.io.IOException;
import java.util.Objects;
import org.apache.hc.client5.http.classic.ExecChain;
import org.apache.hc.client5.http.classic.ExecChainHandler;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpHost;

/**
 * Apache HttpClient 5 (classic): one client span per call, outermost in the execution chain so retries and
 * redirects stay in it, with the propagation headers set on the request and an optional call line.
 *
 * <pre>{@code
 * CloseableHttpClient client = HttpClients.custom()
 *     .addExecInterceptorFirst(ThreadlineExecChainHandler.NAME, new ThreadlineExecChainHandler())
 *     .build();
 * }</pre>
 *
 * @since 0.1.0
 */
public final class ThreadlineExecChainHandler implements ExecChainHandler {

  /** The name to register the handler under. */
  public static final String NAME = "threadline";

  private final OutboundCalls calls;

  public ThreadlineExecChainHandler() {
    this(OutboundCalls.defaults());
  }

  public ThreadlineExecChainHandler(OutboundCalls calls) {
    this.calls = Objects.requireNonNull(calls, "calls");
  }

  @Override
  public ClassicHttpResponse execute(ClassicHttpRequest request, ExecChain.Scope scope, ExecChain chain)
      throws IOException, HttpException {
    HttpHost target = scope != null && scope.route != null ? scope.route.getTargetHost() : null;
    OutboundCalls.Call call = calls.start(request.getAuthority() != null ? request.getAuthority().getHostName()
        : target != null ? target.getHostName() : null);
    call.inject(request, ClassicHttpRequest::setHeader,
        (r, name) -> r.getFirstHeader(name) == null ? null : r.getFirstHeader(name).getValue());
    String host = host(request, scope);
    try {
      ClassicHttpResponse response = chain.proceed(request, scope);
      call.finish(request.getMethod(), host, request.getPath(), response.getCode(), null,
          response.getFirstHeader("traceresponse") == null ? null : response.getFirstHeader("traceresponse").getValue());
      return response;
    } catch (IOException | HttpException | RuntimeException e) {
      call.finish(request.getMethod(), host, request.getPath(), 0, e);
      throw e;
    }
  }

  private static String host(ClassicHttpRequest request, ExecChain.Scope scope) {
    if (request.getAuthority() != null) {
      return request.getAuthority().toString();
    }
    HttpHost target = scope != null && scope.route != null ? scope.route.getTargetHost() : null;
    return target == null ? "" : target.toHostString();
  }
}
