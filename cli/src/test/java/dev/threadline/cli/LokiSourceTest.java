package dev.threadline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The three views over Loki's HTTP API, against {@link FakeLoki} (Loki's query, query_range and tail APIs as Loki
 * documents and implements them) holding the demo's lines as the appender stores them. The views must be the ones
 * the files give, and the requests exactly the documented LogQL, parameters and headers.
 */
class LokiSourceTest {

  static final String REQUEST = FileSourceTest.REQUEST;

  FakeLoki loki;
  Instant newest;
  List<DemoInLoki.Stored> stored;

  @BeforeEach
  void start() throws Exception {
    loki = FakeLoki.start();
    newest = Instant.now().minusSeconds(60);
    stored = DemoInLoki.load(loki, "fake", newest);
  }

  @AfterEach
  void stop() {
    loki.close();
  }

  @Test
  void trace_isTheViewTheFilesGive_fromOneQueryRangeWithTheDocumentedLogql() {
    Cli.Run fromLoki = Cli.run("trace", REQUEST, "--loki", loki.url());
    Cli.Run fromFiles = Cli.run("trace", REQUEST, FileSourceTest.API, FileSourceTest.WORKER);

    assertThat(fromLoki.status()).as(fromLoki.err()).isZero();
    assertThat(fromLoki.out()).isEqualTo(fromFiles.out());
    List<FakeLoki.Request> queries = queryRanges();
    assertThat(queries).hasSize(1);
    Map<String, String> p = queries.get(0).params();
    assertThat(p.get("query")).isEqualTo("{service=~\".+\"} |= \"" + REQUEST + "\" | requestId=\"" + REQUEST
        + "\" or trace_id=\"" + REQUEST + "\"");
    assertThat(p).containsEntry("direction", "forward").containsEntry("limit", "1000");
    long start = Long.parseLong(p.get("start"));
    long end = Long.parseLong(p.get("end"));
    assertThat(end - start).isEqualTo(Duration.ofHours(24).toNanos());
    assertThat(LokiClient.instant(end)).isBetween(Instant.now().minusSeconds(30), Instant.now());
  }

  @Test
  void trace_pagesThroughLimit_withoutRepeatingOrMissingTheLinesOfABoundaryNanosecond() throws Exception {
    // Seven more lines of the request, all in one nanosecond: pages of 5 end inside it.
    Instant same = newest.minusMillis(500);
    for (int i = 0; i < 7; i++) {
      String line = "{\"timestamp\":\"" + same + "\",\"level\":\"info\",\"service\":\"order-api\",\"logger\":\"x\","
          + "\"thread\":\"t\",\"message\":\"burst " + i + "\",\"requestId\":\"" + REQUEST + "\"}";
      loki.push("fake", Map.of("service", "order-api", "env", "demo", "level", "info"),
          Map.of("requestId", REQUEST), same, line);
    }

    Cli.Run run = Cli.run("trace", REQUEST, "--loki", loki.url(), "--page-size", "5", "--json");

    assertThat(run.status()).as(run.err()).isZero();
    List<String> messages = new ArrayList<>();
    run.json().get("lines").forEach(l -> messages.add(l.get("line").get("timestamp").asText() + " "
        + l.get("line").get("message").asText()));
    assertThat(messages).hasSize(21 + 7).doesNotHaveDuplicates();
    for (int i = 0; i < 7; i++) {
      assertThat(messages).contains(same + " burst " + i);
    }
    List<FakeLoki.Request> pages = queryRanges();
    assertThat(pages.size()).isGreaterThanOrEqualTo(6);
    for (int i = 1; i < pages.size(); i++) {
      assertThat(Long.parseLong(pages.get(i).params().get("start")))
          .isGreaterThanOrEqualTo(Long.parseLong(pages.get(i - 1).params().get("start")));
    }
  }

  @Test
  void trace_findsLinesShippedWithoutStructuredMetadata_byTheirText_andSaysSo() throws Exception {
    loki.close();
    loki = FakeLoki.start();
    for (DemoInLoki.Stored s : DemoInLoki.entries(newest)) {
      loki.push("fake", s.labels(), Map.of(), s.time(), s.line()); // as the appender with structuredMetadata=false
    }

    Cli.Run run = Cli.run("trace", REQUEST, "--loki", loki.url());

    assertThat(run.status()).as(run.err()).isZero();
    assertThat(run.out()).isEqualTo(Cli.run("trace", REQUEST, FileSourceTest.API, FileSourceTest.WORKER).out());
    assertThat(run.err()).contains("carry no requestId or trace_id structured metadata");
    assertThat(queryRanges().stream().map(r -> r.params().get("query")).toList()).containsExactly(
        "{service=~\".+\"} |= \"" + REQUEST + "\" | requestId=\"" + REQUEST + "\" or trace_id=\"" + REQUEST + "\"",
        "{service=~\".+\"} |= \"" + REQUEST + "\"");
  }

  @Test
  void errors_countsWithOneMetricQuery_andFindsFirstLastAndTheExampleWithLogQueries() {
    Cli.Run run = Cli.run("errors", "--loki", loki.url(), "--json");
    Cli.Run files = Cli.run("errors", "--until", FileSourceTest.UNTIL, "--json", FileSourceTest.API,
        FileSourceTest.WORKER);

    assertThat(run.status()).as(run.err()).isZero();
    assertThat(summary(run.json())).isEqualTo(summary(files.json()));
    String selector = "{service=~\".+\", level=~\"error|warn\"}";
    List<FakeLoki.Request> instant = requests("/loki/api/v1/query");
    assertThat(instant).hasSize(1);
    assertThat(instant.get(0).params().get("query")).isEqualTo("sum by (service, error_fingerprint) (count_over_time("
        + selector + " | error_fingerprint!=\"\" [24h]))");
    List<String> details = queryRanges().stream().map(r -> r.params().get("query") + " " + r.params().get("direction")
        + " " + r.params().get("limit")).toList();
    assertThat(details).containsExactlyInAnyOrder(
        selector + " | error_fingerprint=\"" + FileSourceTest.TIMEOUT + "\" forward 1",
        selector + " | error_fingerprint=\"" + FileSourceTest.TIMEOUT + "\" backward 1",
        selector + " | error_fingerprint=\"" + FileSourceTest.UNAVAILABLE + "\" forward 1",
        selector + " | error_fingerprint=\"" + FileSourceTest.UNAVAILABLE + "\" backward 1",
        selector + " | error_fingerprint=\"" + FileSourceTest.NPE + "\" forward 1",
        selector + " | error_fingerprint=\"" + FileSourceTest.NPE + "\" backward 1");
  }

  @Test
  void errors_new_asksForTheSevenDaysBeforeTheWindow_andLeavesThoseOut() {
    Instant old = newest.minus(Duration.ofDays(3));
    loki.push("fake", Map.of("service", "fulfillment-worker", "env", "demo", "level", "error"),
        Map.of("error_fingerprint", FileSourceTest.TIMEOUT), old,
        FileSourceTest.errorLine(old.toString(), FileSourceTest.TIMEOUT));

    Cli.Run run = Cli.run("errors", "--loki", loki.url(), "--new", "--since", "24h", "--json");

    assertThat(run.status()).as(run.err()).isZero();
    List<String> shown = new ArrayList<>();
    run.json().get("fingerprints").forEach(f -> shown.add(f.get("fingerprint").asText()));
    assertThat(shown).containsExactlyInAnyOrder(FileSourceTest.UNAVAILABLE, FileSourceTest.NPE);
    assertThat(requests("/loki/api/v1/query").stream().map(r -> r.params().get("query")))
        .contains("sum by (error_fingerprint) (count_over_time({service=~\".+\", level=~\"error|warn\"}"
            + " | error_fingerprint!=\"\" [7d] offset 24h))");
  }

  @Test
  void tail_followsNewLines_andOpensTheTailAgainWhenLokiClosesIt_withoutRepeatingALine() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int[] status = {-1};
    Thread tail = new Thread(() -> status[0] = Threadline.execute(new String[] {"tail", "--loki", loki.url(),
        "--service", "order-api", "--level", "warn", "--json"}, new ByteArrayInputStream(new byte[0]),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
        Map.of()));
    tail.start();
    try {
      awaitTails(1);
      loki.push("fake", Map.of("service", "order-api", "env", "demo", "level", "warn"), Map.of(), Instant.now(),
          "WARN plain text from something that is not Threadline"); // skipped, as over files
      push("order-api", "warn", "first warning");
      push("order-api", "info", "an info line, below the level");
      push("fulfillment-worker", "error", "another service");
      awaitOutput(out, "first warning");
      loki.dropInTails(3);
      awaitOutput(err, "Loki dropped 3 entries from this tail");
      loki.closeTails();
      awaitTails(2);
      push("order-api", "error", "after the tail was opened again");
      awaitOutput(out, "after the tail was opened again");
    } finally {
      tail.interrupt();
      tail.join(5_000);
    }
    assertThat(tail.isAlive()).isFalse();
    assertThat(status[0]).isZero();
    List<String> messages = new Cli.Run(0, out.toString(StandardCharsets.UTF_8), "").jsonLines().stream()
        .map(l -> l.get("message").asText()).toList();
    assertThat(messages).containsExactly("first warning", "after the tail was opened again");
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("Loki closed the tail");
    List<FakeLoki.Request> tails = requests("/loki/api/v1/tail");
    assertThat(tails.get(0).params().get("query")).isEqualTo("{service=\"order-api\", level=~\"error|warn\"}");
    assertThat(Long.parseLong(tails.get(1).params().get("start")))
        .as("the second tail starts at the last line shown").isGreaterThan(Long.parseLong(tails.get(0).params()
            .get("start")));
  }

  @Test
  void tenantAndAuthorization_goWithEveryRequest_asTheAppenderSendsThem() {
    loki.close();
    loki = FakeLoki.start().authEnabled(true).requireAuthorization("Basic "
        + Base64.getEncoder().encodeToString("reader:s3cret".getBytes(StandardCharsets.UTF_8)));
    loki.push("team-a", Map.of("service", "order-api", "env", "demo", "level", "info"), Map.of("requestId", REQUEST),
        newest, FileSourceTest.errorLine(newest.toString(), "aaaaaaaaaaaaaaaa").replace("01older0000000000000",
            REQUEST));

    Cli.Run denied = Cli.run("trace", REQUEST, "--loki", loki.url(), "--tenant", "team-a");
    assertThat(denied.status()).isEqualTo(3);
    assertThat(denied.err()).contains("answered 401", "check --tenant, --username/--password or --bearer-token");

    Cli.Run run = Cli.run(new ByteArrayInputStream(new byte[0]), Map.of("LOKI_ADDR", loki.url(),
        "THREADLINE_LOKI_TENANT", "team-a", "LOKI_USERNAME", "reader", "LOKI_PASSWORD", "s3cret"), "trace", REQUEST);
    assertThat(run.status()).as(run.err()).isZero();
    assertThat(loki.requests().get(loki.requests().size() - 1).headers()).containsEntry("x-scope-orgid", "team-a");

    Cli.Run otherTenant = Cli.run("trace", REQUEST, "--loki", loki.url(), "--tenant", "team-b", "--username",
        "reader", "--password", "s3cret");
    assertThat(otherTenant.status()).isEqualTo(1);
  }

  @Test
  void lokiTrouble_isSaidClearly_withLokisOwnMessage() {
    loki.failNext(400, "parse error at line 1, col 12: syntax error: unexpected IDENTIFIER");
    Cli.Run refused = Cli.run("trace", REQUEST, "--loki", loki.url());
    assertThat(refused.status()).isEqualTo(3);
    assertThat(refused.err()).contains("Loki refused the query (400): parse error at line 1, col 12",
        "query: {service=~\".+\"} |= \"" + REQUEST + "\"");

    Cli.Run limit = Cli.run("trace", REQUEST, "--loki", loki.url(), "--page-size", "6000");
    assertThat(limit.status()).isEqualTo(3);
    assertThat(limit.err()).contains("Loki refused the query (400)", "max entries limit");

    loki.failNext(503, "too many outstanding requests").failNext(503, "too many outstanding requests");
    Cli.Run retried = Cli.run("trace", REQUEST, "--loki", loki.url());
    assertThat(retried.status()).as(retried.err()).isZero();

    loki.failNext(400, "parse error at line 1, col 2: syntax error: unexpected IDENTIFIER");
    Cli.Run tailRefused = Cli.run("tail", "--loki", loki.url());
    assertThat(tailRefused.status()).isEqualTo(3);
    assertThat(tailRefused.err()).contains("Loki refused the query (400): parse error at line 1, col 2");

    Cli.Run wrongPath = Cli.run("trace", REQUEST, "--loki", loki.url() + "/grafana");
    assertThat(wrongPath.status()).isEqualTo(3);
    assertThat(wrongPath.err()).contains("no Loki query API at " + loki.url() + "/grafana (404",
        "--loki takes Loki's base URL");

    String url = loki.url();
    loki.close();
    Cli.Run down = Cli.run("errors", "--loki", url);
    assertThat(down.status()).isEqualTo(3);
    assertThat(down.err()).isEqualTo("threadline: cannot reach Loki at " + url + ": connection refused\n");
    Cli.Run tailDown = Cli.run("tail", "--loki", url);
    assertThat(tailDown.status()).isEqualTo(3);
    assertThat(tailDown.err()).contains("cannot reach Loki at " + url + ": connection refused");
    loki = FakeLoki.start();
  }

  @Test
  void nothingInLoki_isExitStatus1_sayingWhereItLooked() {
    Cli.Run run = Cli.run("trace", "01nosuchrequest00000", "--loki", loki.url());

    assertThat(run.status()).isEqualTo(1);
    assertThat(run.err()).contains("no line of 01nosuchrequest00000 in Loki between",
        "(the last 24h; --since 7d looks further back)");
    Cli.Run errors = Cli.run("errors", "--loki", loki.url(), "--service", "nobody");
    assertThat(errors.status()).isEqualTo(1);
  }

  private void push(String service, String level, String message) {
    Instant now = Instant.now();
    loki.push("fake", Map.of("service", service, "env", "demo", "level", level), Map.of(), now,
        "{\"timestamp\":\"" + now + "\",\"level\":\"" + level + "\",\"service\":\"" + service
            + "\",\"logger\":\"x\",\"thread\":\"t\",\"message\":\"" + message + "\"}");
  }

  private void awaitTails(int n) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (requests("/loki/api/v1/tail").size() < n && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(requests("/loki/api/v1/tail")).hasSize(n);
    Thread.sleep(200); // the socket is open once the upgrade is answered
  }

  private static void awaitOutput(ByteArrayOutputStream out, String text) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!out.toString(StandardCharsets.UTF_8).contains(text) && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(out.toString(StandardCharsets.UTF_8)).contains(text);
  }

  private List<FakeLoki.Request> queryRanges() {
    return requests("/loki/api/v1/query_range");
  }

  private List<FakeLoki.Request> requests(String path) {
    return loki.requests().stream().filter(r -> r.path().equals(path)).collect(Collectors.toList());
  }

  /** What both sources must agree on: fingerprint, count, services, first and last seen, the example's request. */
  private static List<String> summary(JsonNode doc) {
    List<String> rows = new ArrayList<>();
    doc.get("fingerprints").forEach(f -> rows.add(f.get("fingerprint").asText() + " " + f.get("count").asInt() + " "
        + f.get("services") + " " + f.get("example").get("requestId").asText() + " "
        + f.get("firstSeen").asText() + " " + f.get("lastSeen").asText()));
    return rows;
  }
}
