package dev.threadline.samples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The demo must not claim a story it did not see: each way the lines can fall short of it is reported. The lines
 * here are made by hand, shaped like the services' (DemoTest covers the real ones).
 */
class StoryTest {

  private static final String RID = "01kkp3m9z8r5w2f7c0x4";
  private static final String BUG = "01kkp3m9z8r5w2f7c0x5";
  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String API_SPAN = "00f067aa0ba90201";
  private static final String FP = "9c77f360555cf0de";

  private static final List<Demo.Response> RESPONSES = List.of(
      new Demo.Response("good", "book", 1, 201, "01kkp3m9z8r5w2f7c0x3"),
      new Demo.Response("cascade", "lamp", 1, 500, RID),
      new Demo.Response("bug", "ghost", 1, 500, BUG));

  @Test
  void theStoryAsToldPassesEveryCheck() {
    Story story = story(told(), List.of());
    assertThat(story.problems).isEmpty();
    assertThat(story.passed).hasSize(13);
  }

  @Test
  void aWorkerSpanThatIsNotAChildOfAnOrderApiCallIsReported() {
    List<LogLine> lines = replace(told(), "parent_span_id", "0000000000000c02", "00000000000000ff");
    assertThat(story(lines, List.of()).problems).singleElement().asString().contains("are not all children");
  }

  @Test
  void aRequestSeenByOneServiceOnlyIsReported() {
    List<LogLine> lines = told().stream().filter(l -> !(Demo.WORKER.equals(l.source())
        && RID.equals(l.requestId()))).toList();
    assertThat(story(lines, List.of()).problems).first().asString().contains("come from [order-api] only");
  }

  @Test
  void aSecondTraceIdIsReported() {
    List<LogLine> lines = replace(told(), "trace_id", TRACE, "4bf92f3577b34da6a3ce929d0e0e4737", 1);
    assertThat(story(lines, List.of()).problems).anySatisfy(p -> assertThat(p).contains("trace ids"));
  }

  @Test
  void aLineThatDidNotParseIsReported() {
    assertThat(story(told(), List.of("order-api: not JSON: Started in 2 s")).problems).singleElement().asString()
        .contains("did not parse");
  }

  @Test
  void timeoutsWithDifferentFingerprintsAreReported() {
    Map<String, Object> otherBug = Map.of("type", "java.net.http.HttpTimeoutException", "stack", "",
        "fingerprint", "1111111111111111");
    List<LogLine> lines = mapLines(told(), l -> "0000000000000d02".equals(l.spanId()) ? with(l, "error", otherBug) : l);
    assertThat(story(lines, List.of()).problems).singleElement().asString().contains("fingerprints");
  }

  @Test
  void aBugThatLeftNoErrorLineIsReported() {
    List<LogLine> lines = told().stream().filter(l -> !BUG.equals(l.requestId())).toList();
    assertThat(story(lines, List.of()).problems).singleElement().asString().contains("the bug path");
  }

  private static Story story(List<LogLine> lines, List<String> unparsable) {
    return new Story(lines, unparsable, RESPONSES, RID, BUG);
  }

  /** The cascade as the services log it: two attempts, each a client span and a worker server span below it. */
  private static List<LogLine> told() {
    List<LogLine> lines = new ArrayList<>();
    lines.add(line(Demo.ORDER_API, "x.OrderController", "info", RID, API_SPAN, null));
    lines.add(line(Demo.WORKER, "x.OrderEventListener", "info", RID, "0000000000000e01", API_SPAN));
    for (int attempt = 1; attempt <= 2; attempt++) {
      String call = "0000000000000c0" + attempt;
      String server = "0000000000000a0" + attempt;
      LogLine access = line(Demo.WORKER, Demo.ACCESS, "error", RID, server, call);
      lines.add(with(access, "path", "/fulfilments"));
      lines.add(with(line(Demo.WORKER, Demo.CLIENT, "warn", RID, "0000000000000d0" + attempt, server), "error",
          Map.of("type", "java.net.http.HttpTimeoutException", "stack", "", "fingerprint", FP)));
      lines.add(line(Demo.ORDER_API, Demo.CLIENT, "warn", RID, call, API_SPAN));
    }
    lines.add(line(Demo.ORDER_API, "x.FulfillmentClient", "warn", RID, API_SPAN, null));
    lines.add(with(line(Demo.ORDER_API, Demo.ACCESS, "error", RID, API_SPAN, null), "status", 500));
    lines.add(with(line(Demo.ORDER_API, "x.OrderController", "error", BUG, "00000000000000b1", null), "error",
        Map.of("type", "java.lang.NullPointerException", "stack", "", "fingerprint", "2222222222222222")));
    lines.add(line(Demo.WORKER, "x.FulfillmentWorker", "info", null, null, null));
    return lines;
  }

  private static LogLine line(String service, String logger, String level, String requestId, String span,
      String parent) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("timestamp", "2026-03-14T09:26:53.589793Z");
    json.put("level", level);
    json.put("service", service);
    json.put("logger", logger);
    json.put("message", "m");
    if (requestId != null) {
      json.put("requestId", requestId);
      json.put("trace_id", requestId.equals(RID) ? TRACE : "5bf92f3577b34da6a3ce929d0e0e4736");
      json.put("span_id", span);
    }
    if (parent != null) {
      json.put("parent_span_id", parent);
    }
    return new LogLine(service, "{}", json);
  }

  private static LogLine with(LogLine line, String key, Object value) {
    Map<String, Object> json = new LinkedHashMap<>(line.json());
    json.put(key, value);
    return new LogLine(line.source(), line.raw(), json);
  }

  private static List<LogLine> replace(List<LogLine> lines, String key, String from, String to) {
    return replace(lines, key, from, to, Integer.MAX_VALUE);
  }

  /** Replaces the value {@code from} of {@code key} by {@code to} in the first {@code count} lines that have it. */
  private static List<LogLine> replace(List<LogLine> lines, String key, String from, String to, int count) {
    int[] left = {count};
    return mapLines(lines, l -> from.equals(l.text(key)) && left[0]-- > 0 ? with(l, key, to) : l);
  }

  private static List<LogLine> mapLines(List<LogLine> lines, UnaryOperator<LogLine> change) {
    return lines.stream().map(change).toList();
  }
}
