package dev.threadline.tracing.grpc;

import dev.threadline.web.grpc.ThreadlineClientInterceptor;
import dev.threadline.web.grpc.ThreadlineServerInterceptor;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The gRPC application for the agent run ({@code GrpcUnderAgentTest}), in a JVM of its own: a grpc-java server over
 * Netty with {@link ThreadlineServerInterceptor} on the server builder and a channel to itself with
 * {@link ThreadlineClientInterceptor} on the channel builder, as an application writes them; the agent adds its own
 * interceptors when each is built. {@code Front} logs a line, calls {@code Back}, logs another; {@code Back} logs one,
 * with the number of {@code traceparent} values it received as {@code traceparents}. No Spring. Logging is the plain
 * application's ({@code -Dlogback.configurationFile}); prints the ready marker and the port once it listens.
 */
public final class GrpcApp {

  /** The marker line on stdout, followed by the port (the matrix's). */
  public static final String READY = "MATRIX-READY ";

  /** The method the outside caller calls. */
  public static final io.grpc.MethodDescriptor<String, String> FRONT = FrontBack.FRONT;

  private GrpcApp() {
  }

  public static void main(String[] args) throws Exception {
    ExecutorService executor = Executors.newFixedThreadPool(4);
    ManagedChannel[] back = new ManagedChannel[1];
    ServerServiceDefinition service = ServerServiceDefinition.builder("test.Chain")
        .addMethod(FrontBack.FRONT, ServerCalls.asyncUnaryCall((request, response) -> {
          FrontBack.APP.info("front");
          String answer = ClientCalls.blockingUnaryCall(back[0], FrontBack.BACK, CallOptions.DEFAULT, request);
          FrontBack.APP.info("front-after");
          response.onNext("front+" + answer);
          response.onCompleted();
        }))
        .addMethod(FrontBack.BACK, ServerCalls.asyncUnaryCall((request, response) -> {
          response.onNext("back");
          response.onCompleted();
        }))
        .build();
    ServerInterceptor countTraceparents = new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
          ServerCallHandler<Q, R> next) {
        if (FrontBack.BACK.getFullMethodName().equals(call.getMethodDescriptor().getFullMethodName())) {
          int count = 0;
          Iterable<String> values = headers.getAll(FrontBack.TRACEPARENT);
          if (values != null) {
            for (String ignored : values) {
              count++;
            }
          }
          FrontBack.APP.atInfo().addKeyValue("traceparents", count).log("back");
        }
        return next.startCall(call, headers);
      }
    };
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).executor(executor)
        .addService(ServerInterceptors.intercept(service, countTraceparents))
        .intercept(new ThreadlineServerInterceptor()).build().start();
    back[0] = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().executor(executor)
        .intercept(new ThreadlineClientInterceptor()).build();
    System.out.println(READY + server.getPort());
    System.out.flush();
    server.awaitTermination();
  }
}
