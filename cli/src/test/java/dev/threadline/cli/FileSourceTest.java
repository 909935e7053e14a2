package dev.threadline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The three views over JSON-lines files and standard input, on the real lines of the demo's two services
 * (captured from samples' demo: the lamp order's timeout, silent retry, timeout and 500, and the ghost order's
 * NullPointerException). Expectations are read from the files with Jackson, independently of the tool's parser.
 */
class FileSourceTest {

  static final String REQUEST = "01m97ar1s6t1nzp8zv9g";
  static final String TRACE = "5e1460e869101c0e845f95a88f3cc45d";
  static final String TIMEOUT = "856f788126142173";
  static final String UNAVAILABLE = "2dc07d6f3053d3e1";
  static final String NPE = "075d4005ee6cf344";
  /** The demo ran at 04:03 on this day; windows end here so the tests do not age. */
  static final String UNTIL = "2026-12-07T05:00:00Z";

  static final String API = Cli.demo("order-api").toString();
  static final String WORKER = Cli.demo("fulfillment-worker").toString();

  @Test
  void trace_byRequestId_isEveryLineOfBothServices_inTimeOrder_withTheTreeAndTheMarks() throws Exception {
    Cli.Run run = Cli.run("trace", REQUEST, API, WORKER, "--json");

    assertThat(run.status()).isZero();
    List<JsonNode> expected = linesOf(REQUEST);
    JsonNode doc = run.json();
    JsonNode lines = doc.get("lines");
    assertThat(lines).hasSize(expected.size()).hasSize(21);
    assertThat(doc.get("services").get("order-api").asInt()).isEqualTo(6);
    assertThat(doc.get("services").get("fulfillment-worker").asInt()).isEqualTo(15);
    assertThat(doc.get("traceIds").get(0).asText()).isEqualTo(TRACE);
    List<String> times = new ArrayList<>();
    lines.forEach(l -> {
      assertThat(l.get("line").get("requestId").asText()).isEqualTo(REQUEST);
      times.add(l.get("line").get("timestamp").asText());
    });
    assertThat(times).isSorted();
    assertThat(times).containsExactlyInAnyOrderElementsOf(expected.stream().map(l -> l.get("timestamp").asText())
        .toList());

    // Depth: order-api's server span 0; its client spans and the queue event 1; the worker's server spans 2; the
    // worker's inventory calls 3; the inventory's server spans 4.
    assertThat(depthOf(lines, "placing order o-1003: 1 x lamp")).isZero();
    assertThat(depthOf(lines, "order event received: order o-1003 received: 1 x lamp")).isEqualTo(1);
    assertThat(hopOf(lines, "order event received: order o-1003 received: 1 x lamp")).isEqualTo("received");
    for (JsonNode l : lines) {
      JsonNode line = l.get("line");
      if ("dev.threadline.client".equals(line.get("logger").asText()) && "order-api".equals(service(line))) {
        assertThat(l.get("depth").asInt()).isEqualTo(1);
        assertThat(l.get("hop").asText()).isEqualTo("call");
      }
      if ("/fulfilments".equals(text(line, "path")) && "dev.threadline.access".equals(line.get("logger").asText())) {
        assertThat(l.get("depth").asInt()).isEqualTo(2);
        assertThat(l.get("hop").asText()).isEqualTo("served");
      }
      if ("/stock/lamp".equals(text(line, "path")) && "dev.threadline.access".equals(line.get("logger").asText())) {
        assertThat(l.get("depth").asInt()).isEqualTo(4);
      }
    }
    JsonNode slowest = lines.get(doc.get("slowestHop").asInt()).get("line");
    assertThat(slowest.get("message").asText()).isEqualTo("GET /stock/lamp 200 1002.434 ms");
    double longest = expected.stream().filter(l -> l.has("duration_ms") && l.has("parent_span_id"))
        .mapToDouble(l -> l.get("duration_ms").asDouble()).max().orElseThrow();
    assertThat(slowest.get("duration_ms").asDouble()).isEqualTo(longest);
    JsonNode firstError = lines.get(doc.get("firstError").asInt()).get("line");
    assertThat(firstError.get("timestamp").asText()).isEqualTo("2026-12-07T04:03:46.913580Z");
    assertThat(firstError.get("error").get("type").asText()).isEqualTo("java.net.http.HttpTimeoutException");
  }

  @Test
  void trace_byTraceId_findsTheSameLines() {
    Cli.Run byRequest = Cli.run("trace", REQUEST, API, WORKER, "--json");
    Cli.Run byTrace = Cli.run("trace", TRACE, API, WORKER, "--json");

    assertThat(byTrace.status()).isZero();
    assertThat(byTrace.json().get("lines")).isEqualTo(byRequest.json().get("lines"));
  }

  @Test
  void trace_text_isAViewForAPerson_plainWhenNotATerminal_colouredOnRequest() {
    Cli.Run run = Cli.run("trace", REQUEST, API, WORKER);

    assertThat(run.status()).isZero();
    assertThat(run.out()).doesNotContain("\u001b[");
    assertThat(run.out()).contains("request " + REQUEST, "trace " + TRACE,
        "21 lines from 2 services (order-api 6, fulfillment-worker 15)",
        "slowest hop: fulfillment-worker GET /stock/lamp 200 1002.434 ms");
    assertThat(run.out()).containsPattern("(?m)^04:03:48\\.047206  fulfillment-worker  INFO .* {8}⇢ GET /stock/lamp"
        + " 200 1002\\.434 ms  ◆ slowest hop$");
    assertThat(run.out()).containsPattern("(?m)^04:03:46\\.913580  fulfillment-worker  WARN .*→ GET .* failed after"
        + " 304\\.021 ms  \\[HttpTimeoutException " + TIMEOUT + "]  ✖ first error$");
    assertThat(run.out().lines().filter(l -> l.startsWith("04:0"))).hasSize(21);

    Cli.Run coloured = Cli.run("trace", REQUEST, API, WORKER, "--color", "always");
    assertThat(coloured.out()).contains("\u001b[1;31mERROR\u001b[0m");
  }

  @Test
  void trace_readsStandardInput_throughCollectorPrefixes_andSaysWhatItSkipped() throws Exception {
    StringBuilder input = new StringBuilder("Starting order-api (Spring Boot banner)\n");
    int i = 0;
    for (String line : Files.readAllLines(Path.of(API))) {
      // kubectl logs --prefix, the CRI file format and docker compose logs put text before the JSON.
      input.append(switch (i++ % 3) {
        case 0 -> "[pod/order-api-7d9/app] ";
        case 1 -> "2026-12-07T04:03:46.600068123Z stdout F ";
        default -> "order-api-1  | ";
      }).append(line).append('\n');
    }
    input.append("{\"not\":\"threadline\", \"id\":\"" + REQUEST + "\"}\n").append("{truncated json ").append(REQUEST);

    Cli.Run run = Cli.runWithInput(input.toString(), "trace", REQUEST, "--json");

    assertThat(run.status()).isZero();
    assertThat(run.json().get("lines")).hasSize(6);
    assertThat(run.err()).contains("read 27 lines", "skipped 3 that are not Threadline JSON");
  }

  @Test
  void trace_nothingMatched_isExitStatus1_withWhatWasRead() {
    Cli.Run run = Cli.run("trace", "01nosuchrequest00000", API, WORKER);

    assertThat(run.status()).isEqualTo(1);
    assertThat(run.out()).isEmpty();
    assertThat(run.err()).contains("no line of 01nosuchrequest00000 in 64 lines read");
  }

  @Test
  void errors_groupsErrorEventsByFingerprint_withCountsServicesFirstLastAndAnExample() throws Exception {
    Cli.Run run = Cli.run("errors", "--until", UNTIL, "--json", API, WORKER);

    assertThat(run.status()).isZero();
    Map<String, Integer> expected = new LinkedHashMap<>();
    for (JsonNode line : linesOf(null)) {
      String level = line.get("level").asText();
      if (line.has("error") && (level.equals("error") || level.equals("warn"))) {
        expected.merge(line.get("error").get("fingerprint").asText(), 1, Integer::sum);
      }
    }
    JsonNode fingerprints = run.json().get("fingerprints");
    Map<String, Integer> counted = new LinkedHashMap<>();
    fingerprints.forEach(f -> counted.put(f.get("fingerprint").asText(), f.get("count").asInt()));
    assertThat(counted).isEqualTo(expected).containsEntry(TIMEOUT, 2).containsEntry(UNAVAILABLE, 1)
        .containsEntry(NPE, 1);
    assertThat(fingerprints.get(0).get("fingerprint").asText()).as("most frequent first").isEqualTo(TIMEOUT);
    JsonNode timeout = fingerprints.get(0);
    assertThat(timeout.get("services")).hasSize(1);
    assertThat(timeout.get("services").get(0).asText()).isEqualTo("fulfillment-worker");
    assertThat(timeout.get("firstSeen").asText()).isEqualTo("2026-12-07T04:03:46.913580Z");
    assertThat(timeout.get("lastSeen").asText()).isEqualTo("2026-12-07T04:03:47.339253Z");
    assertThat(timeout.get("example").get("requestId").asText()).isEqualTo(REQUEST);
    assertThat(timeout.get("example").get("type").asText()).isEqualTo("java.net.http.HttpTimeoutException");

    Cli.Run text = Cli.run("errors", "--until", UNTIL, API, WORKER);
    assertThat(text.out()).contains("error fingerprints, last 24h", "3 fingerprints, 4 error events")
        .containsPattern("(?m)^ {5}2  " + TIMEOUT + "  fulfillment-worker  2026-12-07 04:03:46  2026-12-07 04:03:47"
            + "  HttpTimeoutException: GET .*\\(request " + REQUEST + "\\)$");
  }

  @Test
  void errors_new_leavesOutFingerprintsSeenInTheSevenDaysBeforeTheWindow(@TempDir Path dir) throws Exception {
    Path old = dir.resolve("older.log");
    Files.writeString(old, errorLine("2026-12-04T10:00:00.000000Z", TIMEOUT) + "\n"
        + errorLine("2026-11-20T10:00:00.000000Z", NPE) + "\n");

    Cli.Run run = Cli.run("errors", "--until", UNTIL, "--new", "--json", old.toString(), API, WORKER);

    assertThat(run.status()).isZero();
    List<String> shown = new ArrayList<>();
    run.json().get("fingerprints").forEach(f -> shown.add(f.get("fingerprint").asText()));
    // The timeout was seen 3 days before the window; the NPE 17 days before, outside the 7 days: it is new.
    assertThat(shown).containsExactlyInAnyOrder(UNAVAILABLE, NPE);

    Cli.Run none = Cli.run("errors", "--until", "2026-12-01T00:00:00Z", API, WORKER);
    assertThat(none.status()).isEqualTo(1);
    assertThat(none.err()).contains("no error events between 2026-11-30T00:00:00Z and 2026-12-01T00:00:00Z");
  }

  @Test
  void errors_filtersByService_andReadsGzip(@TempDir Path dir) throws Exception {
    Path gz = dir.resolve("worker.log.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
      Files.copy(Path.of(WORKER), out);
    }

    Cli.Run run = Cli.run("errors", "--until", UNTIL, "--service", "order-api", "--json", API, gz.toString());

    List<String> shown = new ArrayList<>();
    run.json().get("fingerprints").forEach(f -> shown.add(f.get("fingerprint").asText()));
    assertThat(shown).containsExactlyInAnyOrder(UNAVAILABLE, NPE);
    Cli.Run worker = Cli.run("errors", "--until", UNTIL, "--json", gz.toString());
    assertThat(worker.json().get("fingerprints").get(0).get("fingerprint").asText()).isEqualTo(TIMEOUT);
  }

  @Test
  void tail_standardInput_filtersByLevelServiceAndRequest_andWritesTheLinesAsTheyAre() throws Exception {
    String input = Files.readString(Path.of(API)) + Files.readString(Path.of(WORKER));

    Cli.Run warn = Cli.runWithInput(input, "tail", "--level", "warn", "--json");
    assertThat(warn.status()).isZero();
    long expected = linesOf(null).stream().filter(l -> List.of("warn", "error").contains(l.get("level").asText()))
        .count();
    assertThat(warn.jsonLines()).hasSize((int) expected)
        .allSatisfy(l -> assertThat(l.get("level").asText()).isIn("warn", "error"));
    // --json writes each line exactly as the service wrote it.
    assertThat(input.lines().toList()).containsAll(warn.out().lines().toList());

    Cli.Run request = Cli.runWithInput(input, "tail", "--request", REQUEST, "--service", "order-api", "--json");
    assertThat(request.jsonLines()).hasSize(6).allSatisfy(l -> {
      assertThat(l.get("requestId").asText()).isEqualTo(REQUEST);
      assertThat(l.get("service").asText()).isEqualTo("order-api");
    });

    Cli.Run text = Cli.runWithInput(input, "tail", "--level", "error");
    assertThat(text.out()).containsPattern("(?m)^04:03:47\\.355839  order-api {11}ERROR  access {16}POST /orders 500"
        + " 757\\.15 ms  " + REQUEST + "$");
    Cli.Run none = Cli.runWithInput(input, "tail", "--request", "nope");
    assertThat(none.status()).isEqualTo(1);
  }

  @Test
  void tail_followsAFile_throughAppendsTruncationAndRotation(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("app.log");
    Files.writeString(log, errorLine("2026-12-07T04:00:00.000000Z", "aaaaaaaaaaaaaaaa") + "\n");
    List<String> apiLines = Files.readAllLines(Path.of(API));
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    java.io.PrintStream print = new java.io.PrintStream(out, true, StandardCharsets.UTF_8);
    int[] status = {-1};
    Thread tail = new Thread(() -> status[0] = Threadline.execute(new String[] {"tail", "--json", "--poll", "20ms",
        log.toString()}, System.in, print, print, Map.of()));
    tail.start();
    try {
      Thread.sleep(300); // the tail starts at the end: the first line is not shown
      Files.writeString(log, apiLines.get(0) + "\n" + apiLines.get(1).substring(0, 40),
          java.nio.file.StandardOpenOption.APPEND);
      awaitLines(out, 1);
      Files.writeString(log, apiLines.get(1).substring(40) + "\n", java.nio.file.StandardOpenOption.APPEND);
      awaitLines(out, 2);
      Files.writeString(log, apiLines.get(2) + "\n"); // truncated and rewritten
      awaitLines(out, 3);
      Files.move(log, dir.resolve("app.log.1"));
      Files.writeString(log, apiLines.get(3) + "\n" + apiLines.get(4) + "\n");
      awaitLines(out, 5);
    } finally {
      tail.interrupt();
      tail.join(5_000);
    }
    assertThat(tail.isAlive()).isFalse();
    assertThat(status[0]).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8).lines().toList()).containsExactlyElementsOf(apiLines.subList(0, 5));
  }

  @Test
  void textFromALine_cannotDriveTheTerminal() {
    String hostile = "{\"timestamp\":\"2026-12-07T04:00:00.000000Z\",\"level\":\"error\",\"service\":\"evil\\u001b[2J\","
        + "\"logger\":\"x\",\"thread\":\"t\",\"message\":\"title \\u001b]0;pwned\\u0007 bell \\u0007 bidi \u202e gnp.exe\","
        + "\"requestId\":\"" + REQUEST + "\"}\n";

    for (String[] args : List.of(new String[] {"trace", REQUEST}, new String[] {"tail"})) {
      Cli.Run run = Cli.runWithInput(hostile, args);
      assertThat(run.status()).isZero();
      assertThat(run.out()).doesNotContain("\u001b", "\u0007", "\u202e")
          .contains("title \\u001b]0;pwned\\u0007 bell \\u0007 bidi \\u202e gnp.exe", "evil\\u001b[2J");
    }
    // --json keeps the text as it is, escaped as JSON escapes it.
    Cli.Run json = Cli.runWithInput(hostile, "trace", REQUEST, "--json");
    assertThat(json.json().get("lines").get(0).get("line").get("message").asText()).contains("\u001b]0;pwned");
  }

  @Test
  void tail_stopsWhenItsReaderGoesAway(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("app.log");
    Files.write(log, Files.readAllLines(Path.of(API)));
    OutputStream closedAfterALine = new OutputStream() {
      int written;

      @Override
      public void write(int b) throws IOException {
        if (++written > 300) {
          throw new IOException("Broken pipe");
        }
      }
    };
    int[] status = {-1};
    Thread tail = new Thread(() -> status[0] = Threadline.execute(new String[] {"tail", "--since", "1000d",
        "--json", log.toString()}, System.in, new java.io.PrintStream(closedAfterALine, true, StandardCharsets.UTF_8),
        System.err, Map.of()));
    tail.start();
    tail.join(10_000);

    assertThat(tail.isAlive()).as("still following a file nobody reads").isFalse();
    assertThat(status[0]).isZero();
  }

  @Test
  void aLineLongerThanTheLimit_isSkippedAndCounted_andTheNextLineIsRead(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("long.log");
    String huge = "{\"timestamp\":\"2026-12-07T04:00:00.000000Z\",\"level\":\"info\",\"message\":\""
        + "x".repeat(LineReader.MAX_LINE_BYTES + 10) + REQUEST + "\"}";
    List<String> api = Files.readAllLines(Path.of(API));
    Files.writeString(file, api.get(0) + "\n" + huge + "\n" + String.join("\n", api.subList(1, api.size())) + "\n");

    Cli.Run run = Cli.run("trace", REQUEST, file.toString(), "--json");

    assertThat(run.json().get("lines")).hasSize(6);
    assertThat(run.err()).contains("skipped 1 longer than 4 MiB");
  }

  @Test
  void inputThatIsNotThreadlineJson_isSaidSo() {
    Cli.Run run = Cli.runWithInput("2026-12-07 04:00:00 INFO plain text log\nanother line\n", "errors");

    assertThat(run.status()).isEqualTo(1);
    assertThat(run.err()).contains("standard input does not look like Threadline JSON lines: none of its first 2"
        + " lines is a JSON object with timestamp, level and message (first: 2026-12-07 04:00:00 INFO plain text log)");
  }

  @Test
  void badUsage_isExitStatus2_withAClearMessage(@TempDir Path dir) {
    assertUsage(Cli.run("trace"), "Missing required parameter: 'ID'");
    assertUsage(Cli.run("trace", "x", "--since", "yesterday"), "--since: 'yesterday' is neither a duration");
    assertUsage(Cli.run("trace", "a b"), "'a b' is not a request id or trace id");
    assertUsage(Cli.run("errors", "--color", "sometimes"), "--color: 'sometimes' is not auto, always or never");
    assertUsage(Cli.run("errors", "--frobnicate"), "Unknown option: '--frobnicate'");
    assertUsage(Cli.run("tail", "--level", "loud"), "--level: 'loud' is not trace, debug, info, warn or error");
    assertUsage(Cli.run("trace", "x", "--loki", "http://localhost:3100", API), "give --loki or files, not both");
    assertUsage(Cli.run("trace", "x", "--loki", "localhost:3100"), "--loki: 'localhost:3100' is not an http(s) URL");
    Cli.Run missing = Cli.run("trace", "x", dir.resolve("missing.log").toString());
    assertThat(missing.status()).isEqualTo(3);
    assertThat(missing.err()).contains("cannot read " + dir.resolve("missing.log") + ": no such file");
  }

  private static void assertUsage(Cli.Run run, String message) {
    assertThat(run.status()).as(run.err()).isEqualTo(2);
    assertThat(run.err()).contains(message).contains("--help shows the options");
    assertThat(run.out()).isEmpty();
  }

  static String errorLine(String timestamp, String fingerprint) {
    return "{\"timestamp\":\"" + timestamp + "\",\"level\":\"error\",\"service\":\"fulfillment-worker\","
        + "\"logger\":\"x\",\"thread\":\"t\",\"message\":\"older\",\"requestId\":\"01older0000000000000\","
        + "\"error\":{\"type\":\"java.lang.IllegalStateException\",\"stack\":\"s\",\"fingerprint\":\""
        + fingerprint + "\"}}";
  }

  private static void awaitLines(java.io.ByteArrayOutputStream out, int n) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (out.toString(StandardCharsets.UTF_8).lines().count() < n && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(out.toString(StandardCharsets.UTF_8).lines().count()).as(out.toString(StandardCharsets.UTF_8))
        .isEqualTo(n);
  }

  /** The demo's lines of one request (all lines for null), parsed with Jackson. */
  static List<JsonNode> linesOf(String requestId) throws IOException {
    List<JsonNode> lines = new ArrayList<>();
    for (String file : List.of(API, WORKER)) {
      for (String text : Files.readAllLines(Path.of(file), StandardCharsets.UTF_8)) {
        JsonNode line = Cli.JSON.readTree(text);
        if (requestId == null || requestId.equals(text(line, "requestId"))) {
          lines.add(line);
        }
      }
    }
    return lines;
  }

  private static int depthOf(JsonNode lines, String message) {
    for (JsonNode l : lines) {
      if (message.equals(l.get("line").get("message").asText())) {
        return l.get("depth").asInt();
      }
    }
    throw new AssertionError("no line " + message);
  }

  private static String hopOf(JsonNode lines, String message) {
    for (JsonNode l : lines) {
      if (message.equals(l.get("line").get("message").asText())) {
        return l.get("hop").asText();
      }
    }
    throw new AssertionError("no line " + message);
  }

  private static String service(JsonNode line) {
    return text(line, "service");
  }

  private static String text(JsonNode line, String key) {
    return line.has(key) ? line.get(key).asText() : null;
  }
}
