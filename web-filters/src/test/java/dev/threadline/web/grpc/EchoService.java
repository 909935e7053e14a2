package dev.threadline.web.grpc;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A gRPC service with hand-made method descriptors (UTF-8 strings, no protobuf), served by a real grpc-java server
 * over Netty or the in-process transport, with the Threadline server interceptor in front of it.
 */
public final class EchoService implements AutoCloseable {

  static final Logger APP = LoggerFactory.getLogger("grpc.app");

  /** UTF-8 strings on the wire (also for the Boot 3.5 tests, through this module's test-jar). */
  public static final MethodDescriptor.Marshaller<String> UTF8 = new MethodDescriptor.Marshaller<>() {
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

  static final MethodDescriptor<String, String> SAY = method("Say", MethodDescriptor.MethodType.UNARY);
  static final MethodDescriptor<String, String> STREAM = method("Stream", MethodDescriptor.MethodType.SERVER_STREAMING);
  static final MethodDescriptor<String, String> MISSING = method("Missing", MethodDescriptor.MethodType.UNARY);
  static final MethodDescriptor<String, String> BOOM = method("Boom", MethodDescriptor.MethodType.UNARY);
  static final MethodDescriptor<String, String> RAW = method("Raw", MethodDescriptor.MethodType.UNARY);
  static final MethodDescriptor<String, String> HANG = method("Hang", MethodDescriptor.MethodType.UNARY);
  static final MethodDescriptor<String, String> CHAT = method("Chat", MethodDescriptor.MethodType.BIDI_STREAMING);

  static MethodDescriptor<String, String> method(String name, MethodDescriptor.MethodType type) {
    return MethodDescriptor.<String, String>newBuilder().setType(type)
        .setFullMethodName(MethodDescriptor.generateFullMethodName("test.Echo", name))
        .setRequestMarshaller(UTF8).setResponseMarshaller(UTF8).build();
  }

  /** The metadata of the last call as the server received it. */
  final AtomicReference<Metadata> lastHeaders = new AtomicReference<>();
  /** One thread, so a test can look at the thread every callback ran on after the call. */
  final ExecutorService executor = Executors.newSingleThreadExecutor();
  private final Server server;
  private final String inProcessName;

  /** {@code say} answers Say (and gets the request); default: "hello " + request. */
  private EchoService(boolean netty, ThreadlineServerInterceptor interceptor, UnaryOperator<String> say)
      throws IOException {
    ServerServiceDefinition service = ServerServiceDefinition.builder("test.Echo")
        .addMethod(SAY, ServerCalls.asyncUnaryCall((request, response) -> {
          APP.info("handling {}", request);
          response.onNext(say.apply(request));
          response.onCompleted();
        }))
        .addMethod(STREAM, ServerCalls.asyncServerStreamingCall((request, response) -> {
          for (int i = 0; i < 3; i++) {
            APP.info("streaming {}", i);
            response.onNext(request + " " + i);
          }
          response.onCompleted();
        }))
        .addMethod(MISSING, ServerCalls.asyncUnaryCall((request, response) -> {
          APP.info("not found {}", request);
          response.onError(Status.NOT_FOUND.withDescription("no " + request).asRuntimeException());
        }))
        .addMethod(BOOM, ServerCalls.asyncUnaryCall((request, response) -> {
          throw new IllegalStateException("boom");
        }))
        .addMethod(RAW, rawHandler())
        .addMethod(CHAT, ServerCalls.asyncBidiStreamingCall(response -> new io.grpc.stub.StreamObserver<String>() {
          @Override
          public void onNext(String message) {
            APP.info("chat got {}", message);
            response.onNext("re " + message);
          }

          @Override
          public void onError(Throwable t) {
            APP.info("chat failed");
          }

          @Override
          public void onCompleted() {
            APP.info("chat done");
            response.onCompleted();
          }
        }))
        .addMethod(HANG, ServerCalls.asyncUnaryCall((request, response) -> {
          // Never answers: the caller cancels.
          ((io.grpc.stub.ServerCallStreamObserver<String>) response).setOnCancelHandler(() -> APP.info("cancelled"));
          APP.info("hanging");
        }))
        .build();
    ServerInterceptor capture = new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
          ServerCallHandler<Q, R> next) {
        lastHeaders.set(headers);
        return next.startCall(call, headers);
      }
    };
    // The last interceptor given runs first: Threadline's, then the capture, then the service.
    ServerServiceDefinition intercepted = ServerInterceptors.intercept(service, capture, interceptor);
    if (netty) {
      inProcessName = null;
      server = io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder
          .forAddress(new java.net.InetSocketAddress("127.0.0.1", 0))
          .executor(executor).addService(intercepted).build().start();
    } else {
      inProcessName = InProcessServerBuilder.generateName();
      server = InProcessServerBuilder.forName(inProcessName).executor(executor).addService(intercepted).build()
          .start();
    }
  }

  static EchoService start(String transport, ThreadlineServerInterceptor interceptor) throws IOException {
    return start(transport, interceptor, request -> "hello " + request);
  }

  static EchoService start(String transport, ThreadlineServerInterceptor interceptor, UnaryOperator<String> say)
      throws IOException {
    return new EchoService("netty".equals(transport), interceptor, say);
  }

  /** A channel to this server through {@code client}. */
  ManagedChannel channel(io.grpc.ClientInterceptor... client) {
    if (inProcessName != null) {
      return InProcessChannelBuilder.forName(inProcessName).intercept(client).build();
    }
    return io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder.forAddress("127.0.0.1", server.getPort())
        .usePlaintext().intercept(client).build();
  }

  /** A handler on gRPC's own API, logging in each listener callback (each on the server's executor thread). */
  private static ServerCallHandler<String, String> rawHandler() {
    return (call, headers) -> {
      APP.info("startCall");
      call.request(1);
      return new ServerCall.Listener<>() {
        private String request;

        @Override
        public void onMessage(String message) {
          APP.info("onMessage");
          request = message;
        }

        @Override
        public void onHalfClose() {
          APP.info("onHalfClose");
          call.sendHeaders(new Metadata());
          call.sendMessage("raw " + request);
          call.close(Status.OK, new Metadata());
        }

        @Override
        public void onComplete() {
          APP.info("onComplete");
        }

        @Override
        public void onCancel() {
          APP.info("onCancel");
        }
      };
    };
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    executor.shutdownNow();
  }
}
