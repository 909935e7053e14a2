package dev.threadline.tracing.grpc;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two gRPC methods on one real grpc-java server (in-process transport, its own executor): {@code Front} logs a line,
 * calls {@code Back} through a channel with the given client interceptors, and logs another; {@code Back} logs one.
 * The server's interceptors are given in the order they run (the first runs first). The metadata every call
 * received is kept, to count its {@code traceparent} values.
 */
final class FrontBack implements AutoCloseable {

  static final Logger APP = LoggerFactory.getLogger("grpc.app");
  static final Metadata.Key<String> TRACEPARENT = Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER);

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

  static final MethodDescriptor<String, String> FRONT = method("Front");
  static final MethodDescriptor<String, String> BACK = method("Back");

  /** The metadata of each call, by full method name, as the service received it. */
  final List<Metadata> received = new CopyOnWriteArrayList<>();
  private final ExecutorService executor = Executors.newFixedThreadPool(2);
  private final Server server;
  private final ManagedChannel backChannel;
  private final String name = InProcessServerBuilder.generateName();

  FrontBack(List<ServerInterceptor> serverInterceptors, List<ClientInterceptor> clientInterceptors)
      throws IOException {
    backChannel = InProcessChannelBuilder.forName(name).executor(executor).build();
    // ClientInterceptors.intercept runs the last one first: reversed, so the first given runs first.
    List<ClientInterceptor> clientOrder = new ArrayList<>(clientInterceptors);
    java.util.Collections.reverse(clientOrder);
    Channel back = ClientInterceptors.intercept(backChannel, clientOrder);
    ServerServiceDefinition service = ServerServiceDefinition.builder("test.Chain")
        .addMethod(FRONT, ServerCalls.asyncUnaryCall((request, response) -> {
          APP.info("front");
          String answer = ClientCalls.blockingUnaryCall(back, BACK, CallOptions.DEFAULT, request);
          APP.info("front-after");
          response.onNext("front+" + answer);
          response.onCompleted();
        }))
        .addMethod(BACK, ServerCalls.asyncUnaryCall((request, response) -> {
          APP.info("back");
          response.onNext("back");
          response.onCompleted();
        }))
        .build();
    ServerInterceptor record = new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
          ServerCallHandler<Q, R> next) {
        received.add(headers);
        return next.startCall(call, headers);
      }
    };
    List<ServerInterceptor> all = new ArrayList<>(serverInterceptors);
    all.add(record);
    server = InProcessServerBuilder.forName(name).executor(executor)
        .addService(ServerInterceptors.interceptForward(service, all)).build().start();
  }

  /** A channel to this server with nothing of Threadline's or a tracer's on it: the outside caller. */
  ManagedChannel callerChannel() {
    return InProcessChannelBuilder.forName(name).executor(executor).build();
  }

  static MethodDescriptor<String, String> method(String name) {
    return MethodDescriptor.<String, String>newBuilder().setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(MethodDescriptor.generateFullMethodName("test.Chain", name))
        .setRequestMarshaller(UTF8).setResponseMarshaller(UTF8).build();
  }

  @Override
  public void close() {
    backChannel.shutdownNow();
    server.shutdownNow();
    executor.shutdownNow();
  }
}
