package dev.threadline.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadline.tracing.grpc.GrpcApp;
import io.grpc.CallOptions;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.MethodDescriptor;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@link GrpcApp} under the real OpenTelemetry Java agent, in a child JVM: the agent's gRPC instrumentation makes the
 * server and client spans, and Threadline's interceptors must start none; the
 * call line carries the agent's client span, read back from the {@code traceparent} the agent sent, so the hop joins. An outside caller sends {@code traceparent}
 * and {@code x-request-id} to {@code Front}, which calls {@code Back}. The agent's spans are read from its logging
 * exporter (stderr), so every span id a line carries can be checked to be one the agent recorded.
 */
class GrpcUnderAgentTest {

  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String CALLER_SPAN = "00f067aa0ba902b7";
  private static final Path LOGS = Path.of(System.getProperty("matrix.logs", "target/matrix-logs"));
  /** The agent's logging exporter: {@code 'name' : traceId spanId KIND [tracer: ...] ...}. */
  private static final Pattern EXPORTED = Pattern.compile("'([^']*)' : ([0-9a-f]{32}) ([0-9a-f]{16}) ([A-Z]+) ");

  @Test
  void underTheAgent_theCallsCarryTheAgentsSpans_inTheCallersTrace_withOneTraceparent() throws Exception {
    ChildApp child = ChildApp.start(Setup.GRPC_AGENT, false, LOGS);
    try {
      int from = child.mark();
      call(child.port());
      List<String> out = child.awaitLines(from, lines -> count(lines, "dev.threadline.access") == 2);
      RequestLinesOf lines = new RequestLinesOf(out);
      Map<String, Object> front = lines.message("front");
      Map<String, Object> frontAfter = lines.message("front-after");
      Map<String, Object> back = lines.message("back");
      Map<String, Object> call = lines.logger("dev.threadline.client");
      Map<String, Object> accessFront = lines.access("/test.Chain/Front");
      Map<String, Object> accessBack = lines.access("/test.Chain/Back");
      for (Map<String, Object> line : List.of(front, frontAfter, back, call, accessFront, accessBack)) {
        assertThat(line).as(line.toString()).containsEntry("trace_id", TRACE_ID)
            .containsEntry("requestId", "grpc-agent-1");
      }
      assertThat(back).containsEntry("traceparents", 1);
      assertThat(accessFront.get("span_id")).isEqualTo(front.get("span_id")).isEqualTo(frontAfter.get("span_id"));
      assertThat(accessFront).containsEntry("parent_span_id", CALLER_SPAN);

      Map<String, String[]> spans = awaitExported(child, 3);
      assertThat(spans.get(accessFront.get("span_id"))).as("Front's access line carries the agent's server span")
          .containsExactly("test.Chain/Front", "SERVER");
      assertThat(spans.get(accessBack.get("span_id"))).as("Back's access line carries the agent's server span")
          .containsExactly("test.Chain/Back", "SERVER");
      // The agent's client span is made below Threadline's interceptor, and read back from the traceparent it sent:
      // the call line carries it, a child of Front's span, and Back names it as its parent. The hop joins.
      assertThat(spans.get(call.get("span_id"))).as("the call line carries the agent's client span")
          .containsExactly("test.Chain/Back", "CLIENT");
      assertThat(call).containsEntry("parent_span_id", accessFront.get("span_id"));
      assertThat(accessBack).containsEntry("parent_span_id", call.get("span_id"));
    } finally {
      child.close();
      child.saveOutput(LOGS);
    }
  }

  private static void call(int port) throws Exception {
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    try {
      Metadata sent = new Metadata();
      sent.put(Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER),
          "00-" + TRACE_ID + "-" + CALLER_SPAN + "-01");
      sent.put(Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER), "grpc-agent-1");
      MethodDescriptor<String, String> front = GrpcApp.FRONT;
      String answer = ClientCalls.blockingUnaryCall(ClientInterceptors.intercept(channel,
          MetadataUtils.newAttachHeadersInterceptor(sent)), front, CallOptions.DEFAULT.withDeadlineAfter(30,
          TimeUnit.SECONDS), "x");
      assertThat(answer).isEqualTo("front+back");
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** The spans the agent exported, by id: name and kind; waits until {@code atLeast} are there. */
  private static Map<String, String[]> awaitExported(ChildApp child, int atLeast) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (true) {
      Map<String, String[]> spans = new HashMap<>();
      Matcher m = EXPORTED.matcher(child.stderr());
      while (m.find()) {
        if (m.group(2).equals(TRACE_ID)) {
          spans.put(m.group(3), new String[] {m.group(1), m.group(4)});
        }
      }
      if (spans.size() >= atLeast || System.nanoTime() > deadline) {
        return spans;
      }
      Thread.sleep(100);
    }
  }

  private static long count(List<String> lines, String logger) {
    return lines.stream().filter(l -> l.contains("\"logger\":\"" + logger + "\"")).count();
  }

  /** The JSON lines of the call, found by message, logger or access path. */
  private static final class RequestLinesOf {
    private final List<Map<String, Object>> lines;

    RequestLinesOf(List<String> out) {
      tools.jackson.databind.json.JsonMapper json = tools.jackson.databind.json.JsonMapper.builder().build();
      lines = out.stream().filter(l -> l.startsWith("{"))
          .map(l -> json.readValue(l, new tools.jackson.core.type.TypeReference<Map<String, Object>>() { }))
          .toList();
    }

    Map<String, Object> message(String message) {
      return only(l -> "grpc.app".equals(l.get("logger")) && message.equals(l.get("message")), message);
    }

    Map<String, Object> logger(String logger) {
      return only(l -> logger.equals(l.get("logger")), logger);
    }

    Map<String, Object> access(String path) {
      return only(l -> "dev.threadline.access".equals(l.get("logger")) && path.equals(l.get("path")), path);
    }

    private Map<String, Object> only(java.util.function.Predicate<Map<String, Object>> filter, String what) {
      List<Map<String, Object>> found = lines.stream().filter(filter).toList();
      assertThat(found).as("the %s line among %s", what, lines).hasSize(1);
      return found.get(0);
    }
  }
}
