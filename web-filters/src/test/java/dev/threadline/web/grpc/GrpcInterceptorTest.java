package dev.threadline.web.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.threadline.core.Correlation;
import dev.threadline.core.CorrelationPropagator;
import dev.threadline.core.CorrelationScope;
import dev.threadline.web.LogCapture;
import dev.threadline.web.client.OutboundCalls;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerServiceDefinition;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.MDC;

/**
 * A real grpc-java server and channel, over Netty and in-process, with both interceptors: the lines the handler, the
 * listener callbacks and the interceptors write, parsed back from the encoder's JSON.
 */
class GrpcInterceptorTest {

  private static final Metadata.Key<String> REQUEST_ID =
      Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> TRACEPARENT =
      Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER);

  @ParameterizedTest
  @ValueSource(strings = {"netty", "inprocess"})
  void unaryCall_handlerAccessAndCallLinesShareTheCallersTrace_inAParentChildChain(String transport)
      throws Exception {
    try (EchoService service = EchoService.start(transport, new ThreadlineServerInterceptor());
         LogCapture capture = LogCapture.capture()) {
      ManagedChannel channel = service.channel(new ThreadlineClientInterceptor());
      Correlation caller = Correlation.newTrace();
      AtomicReference<Metadata> responseHeaders = new AtomicReference<>();
      AtomicReference<Metadata> trailers = new AtomicReference<>();
      String answer;
      try (CorrelationScope ignored = caller.open()) {
        answer = ClientCalls.blockingUnaryCall(
            io.grpc.ClientInterceptors.intercept(channel,
                MetadataUtils.newCaptureMetadataInterceptor(responseHeaders, trailers)),
            EchoService.SAY, CallOptions.DEFAULT, "ada");
      }
      assertThat(answer).isEqualTo("hello ada");
      awaitLines(capture, 1, 1);

      Map<String, Object> handler = only(capture.lines(l -> "handling ada".equals(l.get("message"))));
      Map<String, Object> access = only(capture.byLogger("dev.threadline.access"));
      Map<String, Object> call = only(capture.byLogger("dev.threadline.client"));
      for (Map<String, Object> line : List.of(handler, access, call)) {
        assertThat(line).as(line.toString()).containsEntry("requestId", caller.requestId())
            .containsEntry("trace_id", caller.traceId());
      }
      assertThat(call).containsEntry("parent_span_id", caller.spanId()).containsEntry("method", "POST")
          .containsEntry("path", "/test.Echo/Say").containsEntry("status", 200).containsEntry("grpc_status", "OK")
          .containsEntry("level", "info").containsKey("duration_ms");
      String clientSpan = (String) call.get("span_id");
      assertThat(access).containsEntry("span_id", handler.get("span_id")).containsEntry("parent_span_id", clientSpan)
          .containsEntry("method", "POST").containsEntry("path", "/test.Echo/Say").containsEntry("status", 200)
          .containsEntry("grpc_status", "OK").containsEntry("level", "info").containsKey("duration_ms")
          .containsEntry("message", "POST /test.Echo/Say OK " + access.get("duration_ms") + " ms");
      assertThat((String) access.get("user_agent")).contains("grpc-java");
      if ("netty".equals(transport)) {
        assertThat(access).containsEntry("client_ip", "127.0.0.1");
        assertThat(call).containsEntry("target_host", "127.0.0.1");
      }
      assertThat(service.lastHeaders.get().get(TRACEPARENT))
          .startsWith("00-" + caller.traceId() + "-" + clientSpan + "-");
      assertThat(service.lastHeaders.get().get(REQUEST_ID)).isEqualTo(caller.requestId());
      assertThat(responseHeaders.get().get(REQUEST_ID)).isEqualTo(caller.requestId());
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"netty", "inprocess"})
  void serverStreamingCall_everyMessageIsLoggedInTheServerSpan_andOneAccessLineEndsIt(String transport)
      throws Exception {
    try (EchoService service = EchoService.start(transport, new ThreadlineServerInterceptor());
         LogCapture capture = LogCapture.capture()) {
      ManagedChannel channel = service.channel(new ThreadlineClientInterceptor());
      List<String> answers = new ArrayList<>();
      Iterator<String> it = ClientCalls.blockingServerStreamingCall(channel, EchoService.STREAM, CallOptions.DEFAULT,
          "n");
      it.forEachRemaining(answers::add);
      assertThat(answers).containsExactly("n 0", "n 1", "n 2");
      awaitLines(capture, 1, 1);

      Map<String, Object> access = only(capture.byLogger("dev.threadline.access"));
      Map<String, Object> call = only(capture.byLogger("dev.threadline.client"));
      List<Map<String, Object>> streamed = capture.byLogger("grpc.app");
      assertThat(streamed).hasSize(3);
      for (Map<String, Object> line : streamed) {
        assertThat(line).containsEntry("span_id", access.get("span_id"))
            .containsEntry("trace_id", call.get("trace_id")).containsEntry("requestId", call.get("requestId"));
      }
      assertThat(access).containsEntry("path", "/test.Echo/Stream").containsEntry("grpc_status", "OK")
          .containsEntry("parent_span_id", call.get("span_id"));
      // Outside any span the client started a new trace: its call line names no parent.
      assertThat(call).doesNotContainKey("parent_span_id").containsEntry("grpc_status", "OK");
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"netty", "inprocess"})
  void everyListenerCallback_runsInTheCallsScope_andLeavesNothingOnTheThread(String transport) throws Exception {
    try (EchoService service = EchoService.start(transport, new ThreadlineServerInterceptor());
         LogCapture capture = LogCapture.capture()) {
      ManagedChannel channel = service.channel(new ThreadlineClientInterceptor());
      assertThat(ClientCalls.blockingUnaryCall(channel, EchoService.RAW, CallOptions.DEFAULT, "x")).isEqualTo("raw x");
      awaitLines(capture, 1, 1);
      Awaitility.await().atMost(Duration.ofSeconds(5))
          .until(() -> capture.lines(l -> "onComplete".equals(l.get("message"))).size() == 1);

      Map<String, Object> access = only(capture.byLogger("dev.threadline.access"));
      List<Map<String, Object>> callbacks = capture.byLogger("grpc.app");
      assertThat(callbacks).extracting(l -> l.get("message"))
          .containsExactly("startCall", "onMessage", "onHalfClose", "onComplete");
      for (Map<String, Object> line : callbacks) {
        assertThat(line).as(line.toString()).containsEntry("span_id", access.get("span_id"))
            .containsEntry("trace_id", access.get("trace_id")).containsEntry("requestId", access.get("requestId"));
      }
      // The server's one executor thread ran every callback: it carries nothing once they are done.
      assertThat(service.executor.submit(MDC::getCopyOfContextMap).get(5, TimeUnit.SECONDS)).isNullOrEmpty();
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"netty", "inprocess"})
  void bidiStreamingCall_everyMessageCallbackRunsInTheServerSpan(String transport) throws Exception {
    try (EchoService service = EchoService.start(transport, new ThreadlineServerInterceptor());
         LogCapture capture = LogCapture.capture()) {
      ManagedChannel channel = service.channel(new ThreadlineClientInterceptor());
      List<String> answers = java.util.Collections.synchronizedList(new ArrayList<>());
      java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
      io.grpc.stub.StreamObserver<String> requests = io.grpc.stub.ClientCalls.asyncBidiStreamingCall(
          channel.newCall(EchoService.CHAT, CallOptions.DEFAULT), new io.grpc.stub.StreamObserver<String>() {
            @Override
            public void onNext(String value) {
              answers.add(value);
            }

            @Override
            public void onError(Throwable t) {
              done.countDown();
            }

            @Override
            public void onCompleted() {
              done.countDown();
            }
          });
      for (String m : List.of("a", "b", "c")) {
        requests.onNext(m);
      }
      requests.onCompleted();
      assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(answers).containsExactly("re a", "re b", "re c");
      awaitLines(capture, 1, 1);

      Map<String, Object> access = only(capture.byLogger("dev.threadline.access"));
      Map<String, Object> call = only(capture.byLogger("dev.threadline.client"));
      List<Map<String, Object>> handler = capture.byLogger("grpc.app");
      assertThat(handler).extracting(l -> l.get("message"))
          .containsExactly("chat got a", "chat got b", "chat got c", "chat done");
      for (Map<String, Object> line : handler) {
        assertThat(line).containsEntry("span_id", access.get("span_id")).containsEntry("trace_id", call.get("trace_id"));
      }
      assertThat(access).containsEntry("path", "/test.Echo/Chat").containsEntry("grpc_status", "OK")
          .containsEntry("parent_span_id", call.get("span_id"));
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"netty", "inprocess"})
  void errorStatuses_mapToHttpStatusesAndTheFiltersLevels_onBothSides(String transport) throws Exception {
    try (EchoService service = EchoService.start(transport, new ThreadlineServerInterceptor());
         LogCapture capture = LogCapture.capture()) {
      ManagedChannel channel = service.channel(new ThreadlineClientInterceptor());
      assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, EchoService.MISSING, CallOptions.DEFAULT, "q"))
          .isInstanceOfSatisfying(StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
      awaitLines(capture, 1, 1);
      assertThat(only(capture.byLogger("dev.threadline.access"))).containsEntry("status", 404)
          .containsEntry("grpc_status", "NOT_FOUND").containsEntry("level", "warn");
      assertThat(only(capture.byLogger("dev.threadline.client"))).containsEntry("status", 404)
          .containsEntry("grpc_status", "NOT_FOUND").containsEntry("level", "warn");
      assertThat(only(capture.lines(l -> "not found q".equals(l.get("message")))))
          .containsEntry("span_id", only(capture.byLogger("dev.threadline.access")).get("span_id"));

      assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, EchoService.BOOM, CallOptions.DEFAULT, "q"))
          .isInstanceOfSatisfying(StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNKNOWN));
      awaitLines(capture, 2, 2);
      Map<String, Object> boom = capture.byLogger("dev.threadline.access").get(1);
      assertThat(boom).containsEntry("path", "/test.Echo/Boom").containsEntry("status", 500)
          .containsEntry("grpc_status", "UNKNOWN").containsEntry("level", "error");
      assertThat(capture.byLogger("dev.threadline.client").get(1)).containsEntry("status", 500)
          .containsEntry("grpc_status", "UNKNOWN").containsEntry("level", "warn");
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"netty", "inprocess"})
  void aCallTheClientCancels_endsInOnCancelInTheCallsScope_withACancelledAccessLine(String transport)
      throws Exception {
    try (EchoService service = EchoService.start(transport, new ThreadlineServerInterceptor());
         LogCapture capture = LogCapture.capture()) {
      ManagedChannel channel = service.channel(new ThreadlineClientInterceptor());
      com.google.common.util.concurrent.ListenableFuture<String> answer =
          io.grpc.stub.ClientCalls.futureUnaryCall(channel.newCall(EchoService.HANG, CallOptions.DEFAULT), "x");
      Awaitility.await().atMost(Duration.ofSeconds(5))
          .until(() -> capture.lines(l -> "hanging".equals(l.get("message"))).size() == 1);
      answer.cancel(true);
      awaitLines(capture, 1, 1);
      Awaitility.await().atMost(Duration.ofSeconds(5))
          .until(() -> capture.lines(l -> "cancelled".equals(l.get("message"))).size() == 1);

      Map<String, Object> access = only(capture.byLogger("dev.threadline.access"));
      assertThat(access).containsEntry("path", "/test.Echo/Hang").containsEntry("status", 499)
          .containsEntry("grpc_status", "CANCELLED").containsEntry("level", "warn");
      assertThat(only(capture.lines(l -> "cancelled".equals(l.get("message")))))
          .containsEntry("span_id", access.get("span_id")).containsEntry("requestId", access.get("requestId"));
      assertThat(only(capture.byLogger("dev.threadline.client"))).containsEntry("grpc_status", "CANCELLED")
          .containsEntry("status", 499).containsEntry("level", "warn");
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void untrustedCaller_getsANewTrace_andWhatItSentIsLoggedAsCallerIdsOnly() throws Exception {
    CorrelationPropagator edge = CorrelationPropagator.builder().trustIncoming(false).build();
    try (EchoService service = EchoService.start("netty",
        ThreadlineServerInterceptor.builder().propagator(edge).build());
         LogCapture capture = LogCapture.capture()) {
      ManagedChannel channel = service.channel(new ThreadlineClientInterceptor());
      Correlation caller = Correlation.newTrace();
      try (CorrelationScope ignored = caller.open()) {
        ClientCalls.blockingUnaryCall(channel, EchoService.SAY, CallOptions.DEFAULT, "eve");
      }
      awaitLines(capture, 1, 1);
      Map<String, Object> handler = only(capture.lines(l -> "handling eve".equals(l.get("message"))));
      assertThat(handler.get("trace_id")).isNotEqualTo(caller.traceId());
      assertThat(handler.get("requestId")).isNotEqualTo(caller.requestId());
      assertThat(handler).containsEntry("caller_trace_id", caller.traceId())
          .containsEntry("caller_request_id", caller.requestId());
      assertThat(only(capture.byLogger("dev.threadline.access"))).doesNotContainKey("parent_span_id");
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void aHostOutsidePropagateTo_getsNoCorrelationMetadata_butTheCallIsStillLogged() throws Exception {
    OutboundCalls internalOnly = OutboundCalls.builder()
        .propagator(CorrelationPropagator.builder().propagateTo("*.internal.example.com").build()).build();
    try (EchoService service = EchoService.start("netty", new ThreadlineServerInterceptor());
         LogCapture capture = LogCapture.capture()) {
      ManagedChannel channel = service.channel(new ThreadlineClientInterceptor(internalOnly));
      Correlation caller = Correlation.newTrace();
      try (CorrelationScope ignored = caller.open()) {
        ClientCalls.blockingUnaryCall(channel, EchoService.SAY, CallOptions.DEFAULT, "x");
      }
      awaitLines(capture, 1, 1);
      assertThat(service.lastHeaders.get().get(TRACEPARENT)).isNull();
      assertThat(service.lastHeaders.get().get(REQUEST_ID)).isNull();
      assertThat(only(capture.byLogger("dev.threadline.access")).get("trace_id")).isNotEqualTo(caller.traceId());
      assertThat(only(capture.byLogger("dev.threadline.client"))).containsEntry("trace_id", caller.traceId())
          .containsEntry("target_host", "127.0.0.1");
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void malformedMetadata_neverFailsTheCall_andStartsANewTrace() throws Exception {
    try (EchoService service = EchoService.start("inprocess", new ThreadlineServerInterceptor());
         LogCapture capture = LogCapture.capture()) {
      Metadata bad = new Metadata();
      bad.put(TRACEPARENT, "00-not-a-trace-01");
      bad.put(REQUEST_ID, "bad id with spaces and ; semicolons");
      ManagedChannel channel = service.channel(MetadataUtils.newAttachHeadersInterceptor(bad));
      assertThat(ClientCalls.blockingUnaryCall(channel, EchoService.SAY, CallOptions.DEFAULT, "x"))
          .isEqualTo("hello x");
      Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> capture.byLogger("dev.threadline.access").size() == 1);
      Map<String, Object> access = only(capture.byLogger("dev.threadline.access"));
      assertThat((String) access.get("trace_id")).hasSize(32);
      assertThat(access.get("requestId")).isNotEqualTo("bad id with spaces and ; semicolons");
      assertThat(access).doesNotContainKey("parent_span_id").containsEntry("grpc_status", "OK");
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** The README's two lines (gRPC), with a free port, and plaintext for the test's server without TLS. */
  @Test
  void readmeLines_serverBuilderAndChannelBuilderIntercept_giveOneTrace() throws Exception {
    ServerServiceDefinition orders = ServerServiceDefinition.builder("test.Echo")
        .addMethod(EchoService.SAY, io.grpc.stub.ServerCalls.asyncUnaryCall((request, response) -> {
          EchoService.APP.info("handling {}", request);
          response.onNext("hello " + request);
          response.onCompleted();
        })).build();
    Server server = ServerBuilder.forPort(0).addService(orders).intercept(new ThreadlineServerInterceptor()).build();
    server.start();
    ManagedChannel channel = ManagedChannelBuilder.forTarget("127.0.0.1:" + server.getPort()).usePlaintext()
        .intercept(new ThreadlineClientInterceptor()).build();
    try (LogCapture capture = LogCapture.capture()) {
      assertThat(ClientCalls.blockingUnaryCall(channel, EchoService.SAY, CallOptions.DEFAULT, "r")).isEqualTo("hello r");
      awaitLines(capture, 1, 1);
      Map<String, Object> call = only(capture.byLogger("dev.threadline.client"));
      assertThat(only(capture.byLogger("dev.threadline.access"))).containsEntry("trace_id", call.get("trace_id"))
          .containsEntry("parent_span_id", call.get("span_id"));
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void hostOfAnAuthority_dropsThePort() {
    assertThat(ThreadlineClientInterceptor.host("orders.internal:9090")).isEqualTo("orders.internal");
    assertThat(ThreadlineClientInterceptor.host("orders")).isEqualTo("orders");
    assertThat(ThreadlineClientInterceptor.host("[::1]:9090")).isEqualTo("[::1]");
    assertThat(ThreadlineClientInterceptor.host(null)).isNull();
  }

  private static void awaitLines(LogCapture capture, int access, int calls) {
    Awaitility.await().atMost(Duration.ofSeconds(10))
        .until(() -> capture.byLogger("dev.threadline.access").size() == access
            && capture.byLogger("dev.threadline.client").size() == calls);
  }

  private static Map<String, Object> only(List<Map<String, Object>> lines) {
    assertThat(lines).hasSize(1);
    return lines.get(0);
  }
}
