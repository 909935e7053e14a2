package dev.threadline.benchmarks.web;

import dev.threadline.core.Correlation;
import dev.threadline.core.CorrelationScope;
import dev.threadline.web.client.OutboundCalls;
import dev.threadline.web.grpc.ThreadlineClientInterceptor;
import dev.threadline.web.grpc.ThreadlineServerInterceptor;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.infra.Blackhole;
import org.slf4j.MDC;

/**
 * Issue #18: the gRPC interceptors' overhead per call (goal: at most 1 µs each, without the lines' I/O).
 *
 * <p>The interceptors alone: one unary call's whole life as grpc-java drives it (the server interceptor:
 * interceptCall with a caller's traceparent and request id, onMessage, onHalfClose — where the handler reads the
 * request id from the MDC, answers and closes — and onComplete; the client interceptor: newCall, start, sendMessage,
 * halfClose, onHeaders, onMessage, onClose) over a call and channel that do nothing else, against the same calls
 * without the interceptor. Lines are handed to Logback, whose only appender does nothing.
 *
 * <p>And a unary round trip over the in-process transport (direct executors), without and with both interceptors.
 * Runs with the tracer bridges off ({@code -Dthreadline.bridges=off}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
// Threadline alone, as in a service without threadline-otel-bridge (which this jar carries for its own benchmarks):
// with the bridge, every scope also enters and leaves the tracer's context.
@Fork(value = 1, jvmArgsAppend = "-Dthreadline.bridges=off")
@State(Scope.Thread)
public class GrpcInterceptorBenchmark {

  static final MethodDescriptor.Marshaller<String> UTF8 = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(String value) {
      return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String parse(InputStream stream) {
      try {
        return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  };

  static final MethodDescriptor<String, String> SAY = MethodDescriptor.<String, String>newBuilder()
      .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName("bench.Echo/Say")
      .setRequestMarshaller(UTF8).setResponseMarshaller(UTF8).build();

  private static final Metadata.Key<String> TRACEPARENT =
      Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> REQUEST_ID =
      Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER);

  private ThreadlineServerInterceptor serverWithAccessLine;
  private ThreadlineServerInterceptor serverWithoutAccessLine;
  private ThreadlineClientInterceptor clientWithCallLine;
  private ThreadlineClientInterceptor clientWithoutCallLine;
  private ServerCallHandler<String, String> handler;
  private Channel stubChannel;
  private ClientCall.Listener<String> responseListener;
  private Blackhole hole;
  private CorrelationScope scope;
  private Server server;
  private Server tracedServer;
  private ManagedChannel plainChannel;
  private ManagedChannel tracedManaged;
  private Channel tracedChannel;

  @Setup
  public void setUp(Blackhole blackhole) throws IOException {
    WebBench.logbackWithoutIo();
    hole = blackhole;
    serverWithAccessLine = new ThreadlineServerInterceptor();
    serverWithoutAccessLine = ThreadlineServerInterceptor.builder().accessLog(false).build();
    clientWithCallLine = new ThreadlineClientInterceptor();
    clientWithoutCallLine = new ThreadlineClientInterceptor(OutboundCalls.builder().logCalls(false).build());
    handler = (call, headers) -> new ServerCall.Listener<>() {
      @Override
      public void onHalfClose() {
        hole.consume(MDC.get("requestId"));
        call.sendHeaders(new Metadata());
        call.sendMessage("ok");
        call.close(Status.OK, new Metadata());
      }
    };
    stubChannel = new StubChannel();
    responseListener = new ClientCall.Listener<>() {
      @Override
      public void onMessage(String message) {
        hole.consume(message);
      }
    };
    scope = Correlation.newTrace().open();

    String name = InProcessServerBuilder.generateName();
    ServerServiceDefinition service = ServerServiceDefinition.builder("bench.Echo")
        .addMethod(SAY, ServerCalls.asyncUnaryCall((request, response) -> {
          response.onNext(request);
          response.onCompleted();
        })).build();
    String tracedName = name + "-traced";
    server = InProcessServerBuilder.forName(name).directExecutor().addService(service).build().start();
    tracedServer = InProcessServerBuilder.forName(tracedName).directExecutor()
        .addService(ServerInterceptors.intercept(service, serverWithAccessLine)).build().start();
    plainChannel = InProcessChannelBuilder.forName(name).directExecutor().build();
    tracedManaged = InProcessChannelBuilder.forName(tracedName).directExecutor().build();
    tracedChannel = ClientInterceptors.intercept(tracedManaged, clientWithCallLine);
  }

  @TearDown
  public void tearDown() {
    scope.close();
    plainChannel.shutdownNow();
    tracedManaged.shutdownNow();
    server.shutdownNow();
    tracedServer.shutdownNow();
  }

  private static Metadata callerHeaders() {
    Metadata headers = new Metadata();
    headers.put(TRACEPARENT, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    headers.put(REQUEST_ID, "01kkp3m9z8r5w2f7c0x4");
    return headers;
  }

  private void serve(ServerCall.Listener<String> listener) {
    listener.onMessage("hi");
    listener.onHalfClose();
    listener.onComplete();
  }

  @Benchmark
  public void serverCallAlone() {
    StubServerCall call = new StubServerCall();
    serve(handler.startCall(call, callerHeaders()));
  }

  @Benchmark
  public void serverInterceptorWithAccessLine() {
    StubServerCall call = new StubServerCall();
    serve(serverWithAccessLine.interceptCall(call, callerHeaders(), handler));
  }

  @Benchmark
  public void serverInterceptorWithoutAccessLine() {
    StubServerCall call = new StubServerCall();
    serve(serverWithoutAccessLine.interceptCall(call, callerHeaders(), handler));
  }

  private void call(ClientCall<String, String> call) {
    call.start(responseListener, new Metadata());
    call.request(1);
    call.sendMessage("hi");
    call.halfClose();
  }

  @Benchmark
  public void clientCallAlone() {
    call(stubChannel.newCall(SAY, CallOptions.DEFAULT));
  }

  @Benchmark
  public void clientInterceptorWithCallLine() {
    call(clientWithCallLine.interceptCall(SAY, CallOptions.DEFAULT, stubChannel));
  }

  @Benchmark
  public void clientInterceptorWithoutCallLine() {
    call(clientWithoutCallLine.interceptCall(SAY, CallOptions.DEFAULT, stubChannel));
  }

  @Benchmark
  public String inProcessRoundTripAlone() {
    return ClientCalls.blockingUnaryCall(plainChannel, SAY, CallOptions.DEFAULT, "hi");
  }

  @Benchmark
  public String inProcessRoundTripBothInterceptors() {
    return ClientCalls.blockingUnaryCall(tracedChannel, SAY, CallOptions.DEFAULT, "hi");
  }

  /** A server call that sends nothing anywhere. */
  static final class StubServerCall extends ServerCall<String, String> {
    @Override
    public void request(int numMessages) {
    }

    @Override
    public void sendHeaders(Metadata headers) {
    }

    @Override
    public void sendMessage(String message) {
    }

    @Override
    public void close(Status status, Metadata trailers) {
    }

    @Override
    public boolean isCancelled() {
      return false;
    }

    @Override
    public MethodDescriptor<String, String> getMethodDescriptor() {
      return SAY;
    }

    @Override
    public String getAuthority() {
      return "orders.internal";
    }
  }

  /** A channel whose calls answer OK with one message when the request is half-closed. */
  static final class StubChannel extends Channel {
    @Override
    public <Q, R> ClientCall<Q, R> newCall(MethodDescriptor<Q, R> method, CallOptions options) {
      return new ClientCall<>() {
        private Listener<R> listener;

        @Override
        public void start(Listener<R> responseListener, Metadata headers) {
          listener = responseListener;
        }

        @Override
        public void request(int numMessages) {
        }

        @Override
        public void cancel(String message, Throwable cause) {
        }

        @Override
        @SuppressWarnings("unchecked")
        public void halfClose() {
          listener.onHeaders(new Metadata());
          listener.onMessage((R) "ok");
          listener.onClose(Status.OK, new Metadata());
        }

        @Override
        public void sendMessage(Q message) {
        }
      };
    }

    @Override
    public String authority() {
      return "orders.internal:9090";
    }
  }
}
