package dev.threadline.tracing.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadline.web.grpc.ThreadlineClientInterceptor;
import dev.threadline.web.grpc.ThreadlineServerInterceptor;
import dev.threadline.web.internal.grpc.RemoteParentInterceptor;
import io.grpc.CallOptions;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.ServerInterceptor;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.micrometer.core.instrument.binder.grpc.ObservationGrpcClientInterceptor;
import io.micrometer.core.instrument.binder.grpc.ObservationGrpcServerInterceptor;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Threadline's gRPC interceptors beside a tracer's: Micrometer's gRPC observation interceptors (what Spring gRPC
 * registers) on Micrometer Tracing over the real OpenTelemetry SDK, on a real grpc-java server and channel. An
 * outside caller sends {@code traceparent} and {@code X-Request-Id} to {@code Front}, which calls {@code Back}. Every
 * line must be in the caller's trace with its request id, Threadline must start no span of its own (each server
 * line and access line carries the span the tracer recorded for the call), the hop must join (Back's access line
 * names a span of a line of Front's as its parent), and Back must receive one {@code traceparent}.
 */
class GrpcUnderTracerTest {

  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String CALLER_SPAN = "00f067aa0ba902b7";
  private static final Metadata.Key<String> REQUEST_ID = Metadata.Key.of("x-request-id",
      Metadata.ASCII_STRING_MARSHALLER);

  /** Which interceptor runs first, on the server and on the channel. */
  enum Order {
    TRACER_FIRST, THREADLINE_FIRST
  }

  @ParameterizedTest
  @EnumSource(Order.class)
  void underMicrometerTracingOnOtel_theCallsCarryTheTracersSpans_inTheCallersTrace(Order order) throws Exception {
    try (MicrometerOtel tracer = new MicrometerOtel(true)) {
      ServerInterceptor tracerServer = new ObservationGrpcServerInterceptor(tracer.registry);
      ClientInterceptor tracerClient = new ObservationGrpcClientInterceptor(tracer.registry);
      ServerInterceptor threadlineServer = new ThreadlineServerInterceptor();
      ClientInterceptor threadlineClient = new ThreadlineClientInterceptor();
      List<ServerInterceptor> server = order == Order.TRACER_FIRST
          ? List.of(tracerServer, threadlineServer) : List.of(threadlineServer, tracerServer);
      List<ClientInterceptor> client = order == Order.TRACER_FIRST
          ? List.of(tracerClient, threadlineClient) : List.of(threadlineClient, tracerClient);
      Result result = call(tracer, server, client, "grpc-" + order);

      result.assertOneTraceOneRequest("grpc-" + order);
      result.assertTheTracersServerSpans(tracer);
      assertThat(result.accessFront.get("parent_span_id")).as("Front's access line names the caller's span")
          .isEqualTo(CALLER_SPAN);
      result.assertOneTraceparentPerCall();
      if (order == Order.TRACER_FIRST) {
        // The tracer's client span is current when Threadline's interceptor starts the call: the call line carries
        // it, and it is the span Back's server span continues.
        SpanData clientSpan = tracer.span(result.call.get("span_id"));
        assertThat(clientSpan.getKind()).isEqualTo(SpanKind.CLIENT);
        assertThat(result.accessBack.get("parent_span_id")).isEqualTo(clientSpan.getSpanId());
      } else {
        // The tracer's client span starts inside Threadline's interceptor, which reads it back from the traceparent
        // the tracer sent: the call line carries it, as a child of the span the call was made from (Front's server
        // span), and Back continues it. The hop joins in either order.
        SpanData backServer = tracer.span(result.accessBack.get("span_id"));
        SpanData clientSpan = tracer.span(backServer.getParentSpanId());
        assertThat(clientSpan.getKind()).isEqualTo(SpanKind.CLIENT);
        assertThat(result.call).as(result.call.toString()).containsEntry("span_id", clientSpan.getSpanId())
            .containsEntry("parent_span_id", result.accessFront.get("span_id"));
        assertThat(clientSpan.getParentSpanId()).isEqualTo(result.accessFront.get("span_id"));
      }
    }
  }

  @Test
  void aTracerThatReadsNoHeaders_stillContinuesTheCallersTrace_withTheRemoteParentInterceptorFirst()
      throws Exception {
    try (MicrometerOtel tracer = new MicrometerOtel(false)) {
      List<ServerInterceptor> server = List.of(new RemoteParentInterceptor(),
          new ObservationGrpcServerInterceptor(tracer.registry), new ThreadlineServerInterceptor());
      List<ClientInterceptor> client = List.of(new ObservationGrpcClientInterceptor(tracer.registry),
          new ThreadlineClientInterceptor());
      Result result = call(tracer, server, client, "grpc-noop");

      result.assertOneTraceOneRequest("grpc-noop");
      result.assertTheTracersServerSpans(tracer);
      assertThat(tracer.span(result.accessFront.get("span_id")).getParentSpanId()).isEqualTo(CALLER_SPAN);
      // The tracer wrote no traceparent: Threadline's interceptor wrote one, from the tracer's client span.
      result.assertOneTraceparentPerCall();
      assertThat(result.accessBack.get("parent_span_id")).isEqualTo(result.call.get("span_id"));
    }
  }

  @Test
  void withoutTheRemoteParentInterceptor_aTracerThatReadsNoHeaders_startsANewTrace() throws Exception {
    try (MicrometerOtel tracer = new MicrometerOtel(false)) {
      List<ServerInterceptor> server = List.of(new ObservationGrpcServerInterceptor(tracer.registry),
          new ThreadlineServerInterceptor());
      Result result = call(tracer, server, List.of(new ThreadlineClientInterceptor()), "grpc-noop-bare");
      assertThat(result.accessFront.get("trace_id")).isNotEqualTo(TRACE_ID);
    }
  }

  @ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
  void underMicrometerTracingOnBrave_withTheStartersInterceptorOrder_theCallsCarryBravesSpans(boolean propagating)
      throws Exception {
    try (MicrometerBrave tracer = new MicrometerBrave(propagating)) {
      // What the starter and Spring gRPC make of it: the remote parent first, the tracer's interceptor, Threadline's.
      List<ServerInterceptor> server = List.of(new RemoteParentInterceptor(),
          new ObservationGrpcServerInterceptor(tracer.registry), new ThreadlineServerInterceptor());
      List<ClientInterceptor> client = List.of(new ObservationGrpcClientInterceptor(tracer.registry),
          new ThreadlineClientInterceptor());
      String requestId = "grpc-brave-" + propagating;
      Result result = call(server, client, requestId);

      result.assertOneTraceOneRequest(requestId);
      assertThat(result.front.get("span_id")).isEqualTo(result.accessFront.get("span_id"))
          .isEqualTo(result.frontAfter.get("span_id"));
      assertThat(result.back.get("span_id")).isEqualTo(result.accessBack.get("span_id"));
      assertThat(tracer.span(result.accessFront.get("span_id")).kind()).isEqualTo(brave.Span.Kind.SERVER);
      assertThat(tracer.span(result.accessFront.get("span_id")).parentId()).isEqualTo(CALLER_SPAN);
      assertThat(result.accessFront.get("parent_span_id")).isEqualTo(CALLER_SPAN);
      assertThat(tracer.span(result.accessBack.get("span_id")).kind()).isEqualTo(brave.Span.Kind.SERVER);
      assertThat(tracer.span(result.call.get("span_id")).kind()).isEqualTo(brave.Span.Kind.CLIENT);
      assertThat(result.accessBack.get("parent_span_id")).isEqualTo(result.call.get("span_id"));
      result.assertOneTraceparentPerCall();
    }
  }

  @Test
  void underBrave_withoutItsGrpcInterceptor_theCallersContextIsNoSpanToDeferTo() throws Exception {
    try (MicrometerBrave tracer = new MicrometerBrave(true)) {
      // The starter's remote parent makes the caller's context Brave's current one while the call starts; with no
      // tracer interceptor to start a span under it, Threadline's server span is the call's, a child of the caller's.
      Result result = call(List.of(new RemoteParentInterceptor(), new ThreadlineServerInterceptor()),
          List.of(new ThreadlineClientInterceptor()), "grpc-brave-bare");
      result.assertOneTraceOneRequest("grpc-brave-bare");
      assertThat(result.accessFront.get("parent_span_id")).isEqualTo(CALLER_SPAN);
      assertThat(result.accessFront.get("span_id")).isNotEqualTo(CALLER_SPAN).isEqualTo(result.front.get("span_id"));
      assertThat(result.accessBack.get("parent_span_id")).isEqualTo(result.call.get("span_id"));
      assertThat(tracer.ended).isEmpty();
    }
  }

  private static Result call(MicrometerOtel tracer, List<ServerInterceptor> server, List<ClientInterceptor> client,
      String requestId) throws Exception {
    return call(server, client, requestId);
  }

  private static Result call(List<ServerInterceptor> server, List<ClientInterceptor> client, String requestId)
      throws Exception {
    try (JsonLines lines = JsonLines.capture(); FrontBack service = new FrontBack(server, client)) {
      Metadata sent = new Metadata();
      sent.put(FrontBack.TRACEPARENT, "00-" + TRACE_ID + "-" + CALLER_SPAN + "-01");
      sent.put(REQUEST_ID, requestId);
      AtomicReference<Metadata> answered = new AtomicReference<>();
      ManagedChannel channel = service.callerChannel();
      try {
        String answer = ClientCalls.blockingUnaryCall(ClientInterceptors.intercept(channel,
                MetadataUtils.newAttachHeadersInterceptor(sent),
                MetadataUtils.newCaptureMetadataInterceptor(answered, new AtomicReference<>())),
            FrontBack.FRONT, CallOptions.DEFAULT, "x");
        assertThat(answer).isEqualTo("front+back");
      } finally {
        channel.shutdownNow();
      }
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> lines.lines(l -> isAccess(l, "Front")).size() == 1
          && lines.lines(l -> isAccess(l, "Back")).size() == 1);
      assertThat(answered.get().get(REQUEST_ID)).as("the request id is echoed").isEqualTo(requestId);
      return new Result(lines, service.received);
    }
  }

  private static boolean isAccess(Map<String, Object> line, String method) {
    return "dev.threadline.access".equals(line.get("logger")) && ("/test.Chain/" + method).equals(line.get("path"));
  }

  /** The lines of one call to Front, by role, and the metadata each call received. */
  private static final class Result {
    final Map<String, Object> front;
    final Map<String, Object> frontAfter;
    final Map<String, Object> back;
    final Map<String, Object> call;
    final Map<String, Object> accessFront;
    final Map<String, Object> accessBack;
    final List<Metadata> received;

    Result(JsonLines lines, List<Metadata> received) {
      front = only(lines, l -> "front".equals(l.get("message")));
      frontAfter = only(lines, l -> "front-after".equals(l.get("message")));
      back = only(lines, l -> "back".equals(l.get("message")));
      call = only(lines, l -> "dev.threadline.client".equals(l.get("logger")));
      accessFront = only(lines, l -> isAccess(l, "Front"));
      accessBack = only(lines, l -> isAccess(l, "Back"));
      this.received = new ArrayList<>(received);
    }

    private static Map<String, Object> only(JsonLines lines,
        java.util.function.Predicate<Map<String, Object>> filter) {
      List<Map<String, Object>> found = lines.lines(filter);
      assertThat(found).hasSize(1);
      return found.get(0);
    }

    List<Map<String, Object>> all() {
      return List.of(front, frontAfter, back, call, accessFront, accessBack);
    }

    void assertOneTraceOneRequest(String requestId) {
      for (Map<String, Object> line : all()) {
        assertThat(line).as(line.toString()).containsEntry("trace_id", TRACE_ID).containsEntry("requestId", requestId);
      }
    }

    /** Each method's lines and access line carry the server span the tracer recorded for its call. */
    void assertTheTracersServerSpans(MicrometerOtel tracer) {
      assertThat(front.get("span_id")).isEqualTo(accessFront.get("span_id")).isEqualTo(frontAfter.get("span_id"));
      assertThat(back.get("span_id")).isEqualTo(accessBack.get("span_id"));
      assertThat(tracer.span(accessFront.get("span_id")).getKind()).isEqualTo(SpanKind.SERVER);
      assertThat(tracer.span(accessBack.get("span_id")).getKind()).isEqualTo(SpanKind.SERVER);
    }

    void assertOneTraceparentPerCall() {
      assertThat(received).hasSize(2);
      for (Metadata metadata : received) {
        assertThat(metadata.getAll(FrontBack.TRACEPARENT)).hasSize(1);
      }
    }
  }
}
