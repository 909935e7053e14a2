package dev.threadline.web.client.okhttp;

import dev.threadline.web.client.OutboundCalls;
import java.io.IOException;
import java.util.Objects;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;

/**
 * OkHttp: one client span per call, with the propagation headers set on the request and an optional call line.
 * Add it as an application interceptor, so retries and redirects stay in one span:
 *
 * <pre>{@code
 * OkHttpClient client = new OkHttpClient.Builder().addInterceptor(new ThreadlineOkHttpInterceptor()).build();
 * }</pre>
 *
 * @since 0.1.0
 */
public final class ThreadlineOkHttpInterceptor implements Interceptor {

  private final OutboundCalls calls;

  public ThreadlineOkHttpInterceptor() {
    this(OutboundCalls.defaults());
  }

  public ThreadlineOkHttpInterceptor(OutboundCalls calls) {
    this.calls = Objects.requireNonNull(calls, "calls");
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    Request request = chain.request();
    OutboundCalls.Call call = calls.start(request.url().host());
    Request.Builder traced = request.newBuilder();
    call.inject(traced, Request.Builder::header, (b, name) -> request.header(name));
    String host = request.url().host() + ":" + request.url().port();
    try {
      Response response = chain.proceed(traced.build());
      call.finish(request.method(), host, request.url().encodedPath(), response.code(), null,
          response.header("traceresponse"));
      return response;
    } catch (IOException | RuntimeException e) {
      call.finish(request.method(), host, request.url().encodedPath(), 0, e);
      throw e;
    }
  }
}
