package dev.threadline.benchmarks.web;

import dev.threadline.core.Correlation;
import dev.threadline.core.CorrelationScope;
import dev.threadline.web.client.OutboundCalls;
import dev.threadline.web.client.okhttp.ThreadlineOkHttpInterceptor;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Connection;
import okhttp3.Interceptor;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Issue #5: the client interceptor's overhead per call (goal: at most 500 ns). OkHttp's interceptor chain with the
 * network stubbed out (the next link answers 200 at once), inside a request's scope, against the same chain
 * without the interceptor. Measured with the call line (handed to Logback, whose only appender does nothing) and
 * without it.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class ClientInterceptorBenchmark {

  private final Request request = new Request.Builder().url("http://inventory:8080/api/stock/42").build();
  private final Response ok = new Response.Builder().request(request).protocol(Protocol.HTTP_1_1).code(200)
      .message("OK").build();
  private Interceptor withCallLine;
  private Interceptor withoutCallLine;
  private CorrelationScope scope;

  @Setup
  public void setUp() {
    WebBench.logbackWithoutIo();
    withCallLine = new ThreadlineOkHttpInterceptor();
    withoutCallLine = new ThreadlineOkHttpInterceptor(OutboundCalls.builder().logCalls(false).build());
    scope = Correlation.newTrace().open();
  }

  @TearDown
  public void tearDown() {
    scope.close();
  }

  @Benchmark
  public Response chainAlone() throws Exception {
    return new Network().proceed(request);
  }

  @Benchmark
  public Response interceptorWithCallLine() throws Exception {
    return withCallLine.intercept(new Network());
  }

  @Benchmark
  public Response interceptorWithoutCallLine() throws Exception {
    return withoutCallLine.intercept(new Network());
  }

  /** The rest of the chain: answers 200 without a network. */
  final class Network implements Interceptor.Chain {
    @Override
    public Request request() {
      return request;
    }

    @Override
    public Response proceed(Request r) {
      return ok;
    }

    @Override
    public Connection connection() {
      return null;
    }

    @Override
    public Call call() {
      throw new UnsupportedOperationException();
    }

    @Override
    public int connectTimeoutMillis() {
      return 10_000;
    }

    @Override
    public Interceptor.Chain withConnectTimeout(int timeout, TimeUnit unit) {
      return this;
    }

    @Override
    public int readTimeoutMillis() {
      return 10_000;
    }

    @Override
    public Interceptor.Chain withReadTimeout(int timeout, TimeUnit unit) {
      return this;
    }

    @Override
    public int writeTimeoutMillis() {
      return 10_000;
    }

    @Override
    public Interceptor.Chain withWriteTimeout(int timeout, TimeUnit unit) {
      return this;
    }
  }
}
