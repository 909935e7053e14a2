package dev.threadline.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link FakeLoki} answers as Loki does: real HTTP and WebSocket round trips, answers read with Jackson. The
 * expected texts are Loki's (the files are named in FakeLoki's and FakeLokiLogQL's Javadoc).
 */
class FakeLokiTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  /** A fixed time in the past: 2023-11-14T22:13:20Z. */
  private static final Instant T0 = Instant.ofEpochSecond(1_700_000_000L);

  private FakeLoki loki;

  @BeforeEach
  void start() {
    loki = FakeLoki.start();
  }

  @AfterEach
  void stop() {
    loki.close();
  }

  // ---------------------------------------------------------------- helpers

  private HttpResponse<String> get(String path, Map<String, String> params, String... headers) throws Exception {
    StringBuilder query = new StringBuilder();
    params.forEach((k, v) -> query.append(query.length() == 0 ? "?" : "&")
        .append(URLEncoder.encode(k, StandardCharsets.UTF_8)).append('=')
        .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(loki.url() + path + query))
        .timeout(Duration.ofSeconds(10));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A 200 query_range answer's JSON. */
  private JsonNode range(Map<String, String> params, String... headers) throws Exception {
    HttpResponse<String> r = get(FakeLoki.QUERY_RANGE, params, headers);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(contentType(r)).isEqualTo("application/json;charset=utf-8");
    JsonNode json = JSON.readTree(r.body());
    assertThat(json.path("status").asText()).isEqualTo("success");
    return json;
  }

  /** The lines of a streams answer, stream by stream in the answer's order. */
  private static List<String> lines(JsonNode answer) {
    List<String> out = new ArrayList<>();
    for (JsonNode stream : answer.path("data").path("result")) {
      for (JsonNode value : stream.path("values")) {
        out.add(value.get(1).asText());
      }
    }
    return out;
  }

  /** The lines of a streams answer in time order, across streams (as a client shows them). */
  private static List<String> linesByTime(JsonNode answer) {
    List<JsonNode> values = new ArrayList<>();
    answer.path("data").path("result").forEach(stream -> stream.path("values").forEach(values::add));
    values.sort(java.util.Comparator.comparing(v -> new java.math.BigInteger(v.get(0).asText())));
    List<String> out = new ArrayList<>();
    values.forEach(v -> out.add(v.get(1).asText()));
    return out;
  }

  private static Map<String, Object> map(JsonNode node) {
    return JSON.convertValue(node, new TypeReference<Map<String, Object>>() {});
  }

  private static Map<String, String> params(String... kv) {
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      out.put(kv[i], kv[i + 1]);
    }
    return out;
  }

  /** Wide enough for every entry the tests push around T0. */
  private static Map<String, String> around(String query, String... more) {
    Map<String, String> p = params("query", query, "start", ns(T0.minusSeconds(3600)), "end",
        ns(T0.plusSeconds(3600)), "direction", "forward");
    p.putAll(params(more));
    return p;
  }

  private static String ns(Instant t) {
    return Long.toString(t.getEpochSecond() * 1_000_000_000L + t.getNano());
  }

  private void pushAt(int second, Map<String, String> labels, Map<String, String> metadata, String line) {
    loki.push(labels, metadata, T0.plusSeconds(second), line);
  }

  private void assertBadRequest(HttpResponse<String> r, String message) {
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(contentType(r)).isEqualTo("text/plain;charset=utf-8");
    assertThat(r.body()).isEqualTo(message);
  }

  /** The content type without blanks, lower case (Tomcat writes Loki's "; charset=" as ";charset="). */
  private static String contentType(HttpResponse<?> r) {
    return r.headers().firstValue("content-type").orElse("").replace(" ", "").toLowerCase(java.util.Locale.ROOT);
  }

  // ---------------------------------------------------------------- LogQL

  @Test
  void selectorsAndLineFiltersSelectAsLoki() throws Exception {
    pushAt(1, Map.of("service", "api", "env", "prod"), Map.of(), "GET /orders timeout");
    pushAt(2, Map.of("service", "api", "env", "dev"), Map.of(), "GET /orders ok");
    pushAt(3, Map.of("service", "apigw", "env", "prod"), Map.of(), "gateway timeout");
    pushAt(4, Map.of("service", "web", "env", "prod"), Map.of(), "render Timeout");
    pushAt(4, Map.of("service", "web", "env", "prod"), Map.of(), "render Timeout"); // a duplicate: one entry

    assertThat(lines(range(around("{service=\"api\"}")))).containsExactly("GET /orders ok", "GET /orders timeout");
    // Regexes are anchored: "api" does not match "apigw", "ap" matches nothing.
    assertThat(lines(range(around("{service=~\"api|web\"}"))))
        .containsExactlyInAnyOrder("GET /orders timeout", "GET /orders ok", "render Timeout");
    assertThat(lines(range(around("{service=~\"ap\"}")))).isEmpty();
    assertThat(lines(range(around("{service=~\"ap.*\", env!=\"dev\"}"))))
        .containsExactly("GET /orders timeout", "gateway timeout");
    assertThat(lines(range(around("{service!~\"api.*\", env=\"prod\"}")))).containsExactly("render Timeout");
    // Line filters: case-sensitive contains, and unanchored Go regexes.
    assertThat(lines(range(around("{env=\"prod\"} |= \"timeout\"")))).containsExactly("GET /orders timeout",
        "gateway timeout");
    assertThat(lines(range(around("{env=~\".+\"} != \"timeout\" != \"ok\"")))).containsExactly("render Timeout");
    assertThat(lines(range(around("{env=\"prod\"} |~ `(?i)time(out)?$`")))).hasSize(3);
    assertThat(lines(range(around("{env=\"prod\"} !~ \"^GET\" |= \"Time\"")))).containsExactly("render Timeout");
    // Go escapes in double quotes.
    assertThat(lines(range(around("{service=\"api\"} |~ \"orders\\\\s+ok\"")))).containsExactly("GET /orders ok");
  }

  @Test
  void labelFiltersSeeStructuredMetadataAndCombineAsLoki() throws Exception {
    Map<String, String> api = Map.of("service", "api");
    pushAt(1, api, Map.of("level", "error", "env", "prod", "requestId", "r1"), "one");
    pushAt(2, api, Map.of("level", "warn", "env", "prod", "requestId", "r2"), "two");
    pushAt(3, api, Map.of("level", "warn", "env", "dev", "requestId", "r3", "trace_id", "t3"), "three");
    pushAt(4, api, Map.of("level", "info", "env", "prod"), "four");

    assertThat(linesByTime(range(around("{service=\"api\"} | requestId=\"r2\"")))).containsExactly("two");
    // A missing label is the empty string: != keeps the entries without trace_id.
    assertThat(linesByTime(range(around("{service=\"api\"} | trace_id!=\"t3\"")))).containsExactly("one", "two",
        "four");
    assertThat(linesByTime(range(around("{service=\"api\"} | trace_id=\"\"")))).containsExactly("one", "two", "four");
    assertThat(linesByTime(range(around("{service=\"api\"} | requestId=~\"r[12]\"")))).containsExactly("one", "two");
    assertThat(linesByTime(range(around("{service=\"api\"} | requestId=~\"r\"")))).isEmpty();
    // and binds tighter than or.
    assertThat(linesByTime(range(around("{service=\"api\"} | level=\"error\" or level=\"warn\" and env=\"dev\""))))
        .containsExactly("one", "three");
    assertThat(linesByTime(range(around("{service=\"api\"} | (level=\"error\" or level=\"warn\") and env=\"prod\""))))
        .containsExactly("one", "two");
    // A comma takes the rest as its right side (yacc shifts): a, b or c is a and (b or c).
    assertThat(linesByTime(range(around("{service=\"api\"} | level=\"warn\" and env=\"dev\" or level=\"info\""))))
        .containsExactly("three", "four");
    assertThat(linesByTime(range(around("{service=\"api\"} | level=\"warn\", env=\"dev\" or level=\"info\""))))
        .containsExactly("three");
    // Stages apply in order; a label filter and a line filter together.
    assertThat(linesByTime(range(around("{service=\"api\"} | env=\"prod\" |= \"o\" | level!~\"err.*\""))))
        .containsExactly("two", "four");
  }

  @Test
  void metadataNamedLikeAStreamLabelIsRenamedExtracted() throws Exception {
    pushAt(1, Map.of("service", "api", "level", "info"), Map.of("level", "debug"), "clash");
    JsonNode stream = range(around("{service=\"api\"}")).path("data").path("result").get(0).path("stream");
    assertThat(stream.path("level").asText()).isEqualTo("info");
    assertThat(stream.path("level_extracted").asText()).isEqualTo("debug");
    assertThat(lines(range(around("{service=\"api\"} | level_extracted=\"debug\"")))).containsExactly("clash");
  }

  @Test
  void theEmptyCompatibleRuleIsLokis() throws Exception {
    pushAt(1, Map.of("service", "api"), Map.of(), "x");
    String message = "parse error : queries require at least one regexp or equality matcher that does not have an "
        + "empty-compatible value. For instance, app=~\".*\" does not meet this requirement, but app=~\".+\" will";
    for (String query : List.of("{service=~\".*\"}", "{service!=\"web\"}", "{service!~\"web\"}", "{}",
        "{service=\"\"}", "sum(count_over_time({service=~\".*\"}[5m]))")) {
      assertBadRequest(get(FakeLoki.QUERY_RANGE, around(query)), message);
    }
    assertThat(lines(range(around("{service=~\".+\"}")))).containsExactly("x");
    assertThat(lines(range(around("{service!=\"\"}")))).containsExactly("x");
    assertThat(lines(range(around("{service=~\".*\", service=\"api\"}")))).containsExactly("x");
  }

  @Test
  void parseErrorsAreLokisText() throws Exception {
    Map<String, String> cases = new LinkedHashMap<>();
    cases.put("{service=\"api\"", "parse error at line 1, col 15: syntax error: unexpected $end, expecting } or ,");
    cases.put("{service=\"api\"} |~", "parse error at line 1, col 19: syntax error: unexpected $end, expecting "
        + "STRING or ip");
    cases.put("{service=\"api}", "parse error at line 1, col 10: literal not terminated");
    cases.put("{service=\"api\"} |~ \"\\d+\"", "parse error at line 1, col 20: invalid char escape");
    cases.put("{service='api'}", "parse error at line 1, col 10: invalid char literal");
    cases.put("{service=\"api\" |= \"x\"}", "parse error at line 0, col 16: syntax error: unexpected |=, "
        + "expecting } or ,");
    cases.put("{service}", "parse error at line 1, col 9: syntax error: unexpected }, expecting = or =~ or !~ or !=");
    cases.put("{service=\"api\"} | level=error", "parse error at line 1, col 25: syntax error: unexpected "
        + "IDENTIFIER");
    cases.put("{service=\"api\"} | level=\"x\" or", "parse error at line 1, col 31: syntax error: unexpected $end, "
        + "expecting IDENTIFIER or (");
    cases.put("service=\"api\"", "parse error at line 1, col 1: syntax error: unexpected IDENTIFIER");
    cases.put("", "parse error at line 1, col 1: syntax error: unexpected $end");
    cases.put("sum by level (count_over_time({service=\"api\"}[5m]))",
        "parse error at line 1, col 1: syntax error: unexpected IDENTIFIER");
    cases.put("sum by (level) count_over_time({service=\"api\"}[5m])",
        "parse error at line 1, col 16: syntax error: unexpected COUNT_OVER_TIME, expecting (");
    cases.put("count_over_time({service=\"api\"})", "parse error at line 1, col 32: syntax error: unexpected )");
    cases.put("count_over_time({service=\"api\"}[5m] offset x)",
        "parse error at line 1, col 44: syntax error: unexpected IDENTIFIER, expecting DURATION");
    cases.put("count_over_time({service=\"api\"}[5minutes])",
        "parse error at line 0, col 32: unknown unit \"minutes\" in duration \"5minutes\"");
    cases.put("count_over_time({service=\"api\"}[5m]) by (level)",
        "parse error : grouping not allowed for count_over_time aggregation");
    cases.put("{service=~\"(a\"}", "parse error : error parsing regexp: missing closing ): `(a`");
    cases.put("{service=\"api\"} | json", "parse error at line 1, col 19: FakeLoki does not support the json stage");
    for (Map.Entry<String, String> c : cases.entrySet()) {
      HttpResponse<String> r = get(FakeLoki.QUERY_RANGE, params("query", c.getKey()));
      assertThat(r.statusCode()).as(c.getKey()).isEqualTo(400);
      assertThat(r.body()).as(c.getKey()).isEqualTo(c.getValue());
      assertThat(r.headers().firstValue("x-content-type-options")).hasValue("nosniff");
    }
  }

  // ---------------------------------------------------------------- query_range

  @Test
  void startIsInclusiveEndExclusiveAndLimitFollowsTheDirection() throws Exception {
    for (int s = 0; s < 10; s++) {
      pushAt(s, Map.of("service", s % 2 == 0 ? "a" : "b"), Map.of(), "line" + s);
    }
    Map<String, String> p = params("query", "{service=~\"a|b\"}", "start", ns(T0.plusSeconds(2)), "end",
        ns(T0.plusSeconds(7)));
    // Backward by default: the newest first within each stream; streams ordered by their labels.
    JsonNode backward = range(p);
    assertThat(backward.path("data").path("resultType").asText()).isEqualTo("streams");
    assertThat(lines(backward)).containsExactly("line6", "line4", "line2", "line5", "line3");
    assertThat(backward.path("data").path("result").get(0).path("stream").path("service").asText()).isEqualTo("a");
    // The limit applies across streams, after ordering by time in the direction.
    p.put("limit", "3");
    assertThat(lines(range(p))).containsExactly("line6", "line4", "line5");
    p.put("direction", "FORWARD");
    assertThat(lines(range(p))).containsExactly("line2", "line4", "line3");
    // Timestamps are nanosecond strings.
    JsonNode first = range(p).path("data").path("result").get(0).path("values").get(0);
    assertThat(first.get(0).isTextual()).isTrue();
    assertThat(first.get(0).asText()).isEqualTo(ns(T0.plusSeconds(2)));
  }

  @Test
  void theDefaultLimitIs100AndTheDefaultRangeTheLastHour() throws Exception {
    Instant now = Instant.now();
    for (int i = 0; i < 105; i++) {
      loki.push(Map.of("service", "api"), Map.of(), now.minusSeconds(60).plusMillis(i), "recent" + i);
    }
    loki.push(Map.of("service", "api"), Map.of(), now.minus(Duration.ofMinutes(61)), "old");
    List<String> got = lines(range(params("query", "{service=\"api\"}")));
    assertThat(got).hasSize(100).doesNotContain("old", "recent0", "recent4").startsWith("recent104");
    assertThat(lines(range(params("query", "{service=\"api\"}", "since", "2h", "limit", "200")))).hasSize(106);
  }

  @Test
  void timesAreReadInEveryFormatLokiAccepts() throws Exception {
    loki.push(Map.of("service", "api"), Map.of(), T0.plusMillis(500), "half");
    loki.push(Map.of("service", "api"), Map.of(), T0.plusSeconds(1), "one");
    String q = "{service=\"api\"}";
    // Nanoseconds, float seconds, RFC3339Nano and 10-digit integer seconds: each [T0+0.5s, T0+1s).
    for (String[] bounds : List.of(
        new String[] {"1700000000500000000", "1700000001000000000"},
        new String[] {"1700000000.5", "1700000001.0"},
        new String[] {"2023-11-14T22:13:20.5Z", "2023-11-14T23:13:21+01:00"},
        new String[] {"1700000000.4996", "1700000001"})) {
      assertThat(lines(range(params("query", q, "start", bounds[0], "end", bounds[1])))).as(bounds[0])
          .containsExactly("half");
    }
    // 13 digits are nanoseconds, not milliseconds: 1700 s after the epoch.
    loki.push(Map.of("service", "api"), Map.of(), Instant.ofEpochSecond(1700), "1970");
    assertThat(lines(range(params("query", q, "start", "1700000000000", "end", "1700000001000"))))
        .containsExactly("1970");
    assertBadRequest(get(FakeLoki.QUERY_RANGE, params("query", q, "start", "yesterday")),
        "could not parse 'start' parameter: strconv.ParseInt: parsing \"yesterday\": invalid syntax");
    assertBadRequest(get(FakeLoki.QUERY_RANGE, params("query", q, "start", "1700000002", "end", "1700000001")),
        "end timestamp must not be before or equal to start time");
    assertBadRequest(get(FakeLoki.QUERY_RANGE, params("query", q, "direction", "up")), "invalid direction 'up'");
    assertBadRequest(get(FakeLoki.QUERY_RANGE, params("query", q, "limit", "0")), "limit must be a positive value");
    assertBadRequest(get(FakeLoki.QUERY_RANGE, params("query", q, "limit", "ten")),
        "strconv.Atoi: parsing \"ten\": invalid syntax");
    assertBadRequest(get(FakeLoki.QUERY_RANGE, params("query", q, "since", "745h")),
        "the query time range exceeds the limit (query length: 745h0m0s, limit: 30d1h)");
    assertBadRequest(get(FakeLoki.QUERY_RANGE, params("query", q, "since", "24h", "step", "1")),
        "exceeded maximum resolution of 11,000 points per time series. Try increasing the value of the step "
            + "parameter");
  }

  @Test
  void categorizeLabelsSeparatesStructuredMetadata() throws Exception {
    pushAt(1, Map.of("service", "api"), Map.of("requestId", "r1", "trace_id", "t1"), "with");
    pushAt(2, Map.of("service", "api"), Map.of("requestId", "r2"), "other");
    pushAt(3, Map.of("service", "api"), Map.of(), "without");

    // Without the flag: metadata is merged into the labels, one stream per label set.
    JsonNode merged = range(around("{service=\"api\"}"));
    assertThat(merged.path("data").has("encodingFlags")).isFalse();
    assertThat(merged.path("data").path("result")).hasSize(3);
    JsonNode firstStream = merged.path("data").path("result").get(0);
    assertThat(firstStream.path("stream").path("requestId").asText()).isEqualTo("r1");
    assertThat(firstStream.path("values").get(0)).hasSize(2);

    JsonNode categorized = range(around("{service=\"api\"}"), "X-Loki-Response-Encoding-Flags",
        "categorize-labels");
    JsonNode data = categorized.path("data");
    assertThat(data.path("encodingFlags").get(0).asText()).isEqualTo("categorize-labels");
    assertThat(data.path("result")).hasSize(1);
    JsonNode stream = data.path("result").get(0);
    assertThat(map(stream.path("stream"))).isEqualTo(Map.of("service", "api"));
    JsonNode values = stream.path("values");
    assertThat(values.get(0).get(1).asText()).isEqualTo("with");
    assertThat(map(values.get(0).get(2)))
        .isEqualTo(Map.of("structuredMetadata", Map.of("requestId", "r1", "trace_id", "t1")));
    assertThat(values.get(2).get(2).isObject()).isTrue();
    assertThat(values.get(2).get(2).size()).isZero();
  }

  @Test
  void aLimitAboveMaxEntriesIsRefusedWithLokisMessage() throws Exception {
    assertBadRequest(get(FakeLoki.QUERY_RANGE, params("query", "{service=\"api\"}", "limit", "5001")),
        "max entries limit per query exceeded, limit > max_entries_limit_per_query (5001 > 5000)");
    range(params("query", "{service=\"api\"}", "limit", "5000"));
    loki.maxEntriesLimitPerQuery(10);
    assertBadRequest(get(FakeLoki.QUERY_RANGE, params("query", "{service=\"api\"}", "limit", "11")),
        "max entries limit per query exceeded, limit > max_entries_limit_per_query (11 > 10)");
    // Parsing comes first, and metric queries have no entry limit.
    assertThat(get(FakeLoki.QUERY_RANGE, params("query", "{service=\"api\"", "limit", "11")).body())
        .startsWith("parse error");
    range(params("query", "count_over_time({service=\"api\"}[5m])", "limit", "11"));
  }

  // ---------------------------------------------------------------- metric queries

  @Test
  void anInstantSumByIsAVectorOfTheSeriesWithSamples() throws Exception {
    Map<String, String> api = Map.of("service", "api");
    pushAt(-30, api, Map.of("level", "error"), "e1");
    pushAt(-20, api, Map.of("level", "error"), "e2");
    pushAt(-10, api, Map.of("level", "warn"), "w1");
    pushAt(-400, api, Map.of("level", "info"), "outside the 5m window");
    Instant at = T0.plusMillis(123);
    HttpResponse<String> r = get(FakeLoki.QUERY, params("query",
        "sum by (level) (count_over_time({service=\"api\"}[5m]))", "time", ns(at)));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("\"value\":[1700000000.123,\"2\"]");
    JsonNode data = JSON.readTree(r.body()).path("data");
    assertThat(data.path("resultType").asText()).isEqualTo("vector");
    JsonNode result = data.path("result");
    assertThat(result).hasSize(2);
    assertThat(result.get(0).path("metric").path("level").asText()).isEqualTo("error");
    assertThat(result.get(0).path("value").get(0).isNumber()).isTrue();
    assertThat(result.get(0).path("value").get(0).decimalValue()).isEqualByComparingTo("1700000000.123");
    assertThat(result.get(0).path("value").get(1).asText()).isEqualTo("2");
    assertThat(result.get(1).path("metric").path("level").asText()).isEqualTo("warn");

    // Without sum: one series per label set, metadata included; sum without grouping: one series, no labels.
    JsonNode plain = JSON.readTree(get(FakeLoki.QUERY, params("query",
        "count_over_time({service=\"api\"}[5m])", "time", ns(at))).body()).path("data").path("result");
    assertThat(map(plain.get(0).path("metric")))
        .isEqualTo(Map.of("service", "api", "level", "error"));
    JsonNode total = JSON.readTree(get(FakeLoki.QUERY, params("query",
        "sum(count_over_time({service=\"api\"} |= \"1\"[5m]))", "time", ns(at))).body()).path("data");
    assertThat(total.path("result").get(0).path("metric").size()).isZero();
    assertThat(total.path("result").get(0).path("value").get(1).asText()).isEqualTo("2");
    JsonNode without = JSON.readTree(get(FakeLoki.QUERY, params("query",
        "sum without (level) (count_over_time({service=\"api\"}[5m]))", "time", ns(at))).body()).path("data");
    assertThat(map(without.path("result").get(0).path("metric")))
        .isEqualTo(Map.of("service", "api"));
    assertThat(without.path("result").get(0).path("value").get(1).asText()).isEqualTo("3");

    assertBadRequest(get(FakeLoki.QUERY, params("query", "{service=\"api\"}")), "log queries are not supported as "
        + "an instant query type, please change your query to a range query type");
  }

  @Test
  void aRangeIncludesItsEndAndExcludesItsStartAndOffsetShiftsIt() throws Exception {
    Instant at = T0;
    Map<String, String> s = Map.of("service", "api");
    loki.push(s, Map.of(), at.minus(Duration.ofMinutes(5)), "on the start: out");
    loki.push(s, Map.of(), at.minus(Duration.ofMinutes(5)).plusNanos(1), "just after the start: in");
    loki.push(s, Map.of(), at, "on the end: in");
    loki.push(s, Map.of(), at, "also on the end: in");
    loki.push(s, Map.of(), at.plusNanos(1), "after the end: out");
    assertThat(count("sum(count_over_time({service=\"api\"}[5m]))", at)).isEqualTo("3");
    assertThat(count("sum(count_over_time({service=\"api\"}[5m] offset 1h))", at.plus(Duration.ofHours(1))))
        .isEqualTo("3");
    assertThat(count("sum(count_over_time({service=\"api\"}[5m] offset 1h))", at)).isNull();
    assertThat(count("sum(count_over_time({service=\"api\"}[1h30m]))", at.plusSeconds(1))).isEqualTo("5");
  }

  /** The value of a one-series instant answer, or null when it has no series. */
  private String count(String query, Instant at) throws Exception {
    HttpResponse<String> r = get(FakeLoki.QUERY, params("query", query, "time", ns(at)));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode result = JSON.readTree(r.body()).path("data").path("result");
    return result.isEmpty() ? null : result.get(0).path("value").get(1).asText();
  }

  @Test
  void aMetricQueryRangeIsAMatrixWithAPointPerStepThatHasSamples() throws Exception {
    Map<String, String> s = Map.of("service", "api");
    pushAt(0, s, Map.of(), "a");
    pushAt(30, s, Map.of(), "b");
    pushAt(90, s, Map.of(), "c");
    JsonNode data = range(params("query", "sum(count_over_time({service=\"api\"}[1m]))", "start", ns(T0), "end",
        ns(T0.plusSeconds(180)), "step", "60")).path("data");
    assertThat(data.path("resultType").asText()).isEqualTo("matrix");
    JsonNode values = data.path("result").get(0).path("values");
    assertThat(values.toString()).isEqualTo("[[1700000000,\"1\"],[1700000060,\"1\"],[1700000120,\"1\"]]");
  }

  // ---------------------------------------------------------------- tail

  /** A WebSocket listener that queues text messages and the close. */
  private static final class Listener implements WebSocket.Listener {
    final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
    final CompletableFuture<String> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        messages.add(partial.toString());
        partial.setLength(0);
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
      closed.complete(statusCode + " " + reason);
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      closed.completeExceptionally(error);
    }

    JsonNode next() throws Exception {
      String m = messages.poll(5, TimeUnit.SECONDS);
      assertThat(m).as("a tail message").isNotNull();
      return JSON.readTree(m);
    }
  }

  private WebSocket tail(Listener listener, Map<String, String> params, String... headers) {
    StringBuilder query = new StringBuilder();
    params.forEach((k, v) -> query.append(query.length() == 0 ? "?" : "&")
        .append(URLEncoder.encode(k, StandardCharsets.UTF_8)).append('=')
        .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
    WebSocket.Builder builder = HTTP.newWebSocketBuilder();
    for (int i = 0; i < headers.length; i += 2) {
      builder.header(headers[i], headers[i + 1]);
    }
    return builder.buildAsync(URI.create(loki.url().replace("http:", "ws:") + FakeLoki.TAIL + query), listener)
        .join();
  }

  private static List<String> tailLines(JsonNode message) {
    List<String> out = new ArrayList<>();
    for (JsonNode stream : message.path("streams")) {
      assertThat(stream.path("values")).hasSize(1);
      out.add(stream.path("values").get(0).get(1).asText());
    }
    return out;
  }

  @Test
  void aTailSendsTheNewestBacklogOldestFirstThenLiveEntriesUntilLokiCloses() throws Exception {
    Instant now = Instant.now();
    Map<String, String> api = Map.of("service", "api");
    loki.push(api, Map.of(), now.minusSeconds(40), "b1");
    loki.push(api, Map.of(), now.minusSeconds(30), "b2");
    loki.push(Map.of("service", "web"), Map.of(), now.minusSeconds(25), "other stream");
    loki.push(api, Map.of("requestId", "r3"), now.minusSeconds(20), "b3");
    loki.push(api, Map.of(), now.minus(Duration.ofMinutes(90)), "before the default start");

    Listener listener = new Listener();
    WebSocket ws = tail(listener, params("query", "{service=\"api\"}", "limit", "2"));
    JsonNode backlog = listener.next();
    assertThat(tailLines(backlog)).containsExactly("b2", "b3");
    assertThat(backlog.has("dropped_entries")).isFalse();
    assertThat(backlog.path("streams").get(1).path("stream").path("requestId").asText()).isEqualTo("r3");
    assertThat(backlog.path("streams").get(1).path("values").get(0).get(0).asText())
        .isEqualTo(ns(now.minusSeconds(20)));

    loki.push(Map.of("service", "web"), Map.of(), Instant.now(), "not for this tail");
    loki.push(api, Map.of(), Instant.now(), "live");
    assertThat(tailLines(listener.next())).containsExactly("live");
    assertThat(loki.openTails()).isEqualTo(1);

    loki.closeTails();
    assertThat(listener.closed.get(5, TimeUnit.SECONDS)).isEqualTo("1011 reached tail max duration limit");
    assertThat(listener.messages).isEmpty();
    ws.abort();
    FakeLoki.Request upgrade = loki.requests().get(0);
    assertThat(upgrade.path()).isEqualTo(FakeLoki.TAIL);
    assertThat(upgrade.param("query")).isEqualTo("{service=\"api\"}");
    assertThat(upgrade.header("Upgrade")).isEqualToIgnoringCase("websocket");
  }

  @Test
  void aTailHonoursStartAndCategorizeLabels() throws Exception {
    Instant now = Instant.now();
    Map<String, String> api = Map.of("service", "api");
    loki.push(api, Map.of("trace_id", "t1"), now.minus(Duration.ofHours(3)), "three hours ago");
    loki.push(api, Map.of(), now.minus(Duration.ofHours(4)), "four hours ago");
    Listener listener = new Listener();
    tail(listener, params("query", "{service=\"api\"}", "start", ns(now.minus(Duration.ofHours(3)).minusSeconds(1))),
        "X-Loki-Response-Encoding-Flags", "categorize-labels");
    JsonNode message = listener.next();
    assertThat(tailLines(message)).containsExactly("three hours ago");
    JsonNode stream = message.path("streams").get(0);
    assertThat(map(stream.path("stream"))).isEqualTo(Map.of("service", "api"));
    assertThat(stream.path("values").get(0).get(2).path("structuredMetadata").path("trace_id").asText())
        .isEqualTo("t1");
    assertThat(message.path("encodingFlags").get(0).asText()).isEqualTo("categorize-labels");
  }

  @Test
  void aTailBatchesItsBacklogByHundredAndHoldsEntriesForDelayFor() throws Exception {
    Instant now = Instant.now();
    for (int i = 0; i < 150; i++) {
      loki.push(Map.of("service", "api"), Map.of(), now.minusSeconds(200).plusSeconds(i), "b" + i);
    }
    loki.push(Map.of("service", "api"), Map.of(), Instant.now(), "recent");
    Listener listener = new Listener();
    tail(listener, params("query", "{service=\"api\"}", "limit", "151", "delay_for", "1"));
    assertThat(tailLines(listener.next())).hasSize(100).startsWith("b0");
    assertThat(tailLines(listener.next())).hasSize(50).endsWith("b149");
    // Newer than delay_for: held back, and sent on its own.
    assertThat(tailLines(listener.next())).containsExactly("recent");

    long pushed = System.nanoTime();
    loki.push(Map.of("service", "api"), Map.of(), Instant.now(), "delayed");
    assertThat(tailLines(listener.next())).containsExactly("delayed");
    assertThat(System.nanoTime() - pushed).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(900));
  }

  @Test
  void aBadTailIsRefusedBeforeTheUpgradeWithLokisMessage() throws Exception {
    WebSocketHandshakeException e = handshakeFailure(params("query", "{service=~\".*\"}"));
    assertThat(e.getResponse().statusCode()).isEqualTo(400);
    // The JDK's client keeps the refused upgrade's body (a String): Loki's message.
    assertThat(e.getResponse().body()).isEqualTo("parse error : " + FakeLokiLogQL.EMPTY_COMPATIBLE);
    assertBadRequest(get(FakeLoki.TAIL, params("query", "{service=~\".*\"}")),
        "parse error : " + FakeLokiLogQL.EMPTY_COMPATIBLE);
    assertBadRequest(get(FakeLoki.TAIL, params("query", "{service=\"api\"}", "delay_for", "6")),
        "delay_for can't be greater than 5");
    // A good query that is no WebSocket upgrade gets gorilla/websocket's answer (HTTP/1.1: the JDK's default
    // request asks for an h2c upgrade, which gorilla answers 426 Upgrade Required).
    URI tailUri = URI.create(loki.url() + FakeLoki.TAIL + "?query=" + URLEncoder.encode("{service=\"api\"}",
        StandardCharsets.UTF_8));
    HttpResponse<String> notUpgrade = HTTP.send(HttpRequest.newBuilder(tailUri).version(HttpClient.Version.HTTP_1_1)
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(notUpgrade.statusCode()).isEqualTo(400);
    assertThat(notUpgrade.body()).isEqualTo("Bad Request\n");
    HttpResponse<String> h2c = HTTP.send(HttpRequest.newBuilder(tailUri).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(h2c.statusCode()).isEqualTo(426);
    assertThat(h2c.body()).isEqualTo("Upgrade Required\n");

    // A metric query passes the checks and is closed after the upgrade.
    Listener listener = new Listener();
    tail(listener, params("query", "count_over_time({service=\"api\"}[5m])"));
    assertThat(listener.closed.get(5, TimeUnit.SECONDS)).isEqualTo("1011 only log selector is supported");
  }

  private WebSocketHandshakeException handshakeFailure(Map<String, String> params, String... headers) {
    Throwable e = catchThrowable(() -> tail(new Listener(), params, headers));
    assertThat(e).isInstanceOf(CompletionException.class);
    assertThat(e.getCause()).isInstanceOf(WebSocketHandshakeException.class);
    return (WebSocketHandshakeException) e.getCause();
  }

  // ---------------------------------------------------------------- tenancy, gateway, errors

  @Test
  void tenantsAreIsolatedOnceAuthIsEnabled() throws Exception {
    Map<String, String> s = Map.of("service", "api");
    loki.push("team-a", s, Map.of(), T0, "for a");
    loki.push("team-b", s, Map.of(), T0, "for b");
    loki.push(s, Map.of(), T0, "for fake");
    // Auth disabled: the header is ignored, every query reads tenant "fake".
    assertThat(lines(range(around("{service=\"api\"}"), "X-Scope-OrgID", "team-a"))).containsExactly("for fake");

    loki.authEnabled(true);
    assertThat(lines(range(around("{service=\"api\"}"), "X-Scope-OrgID", "team-a"))).containsExactly("for a");
    assertThat(lines(range(around("{service=\"api\"}"), "X-Scope-OrgID", "team-b"))).containsExactly("for b");
    HttpResponse<String> anonymous = get(FakeLoki.QUERY_RANGE, around("{service=\"api\"}"));
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(anonymous.body()).isEqualTo("no org id\n");
    WebSocketHandshakeException noOrg = handshakeFailure(params("query", "{service=\"api\"}"));
    assertThat(noOrg.getResponse().statusCode()).isEqualTo(401);
    assertThat(noOrg.getResponse().body()).isEqualTo("no org id\n");

    Listener listener = new Listener();
    tail(listener, params("query", "{service=\"api\"}", "start", ns(T0.minusSeconds(1))), "X-Scope-OrgID",
        "team-b");
    assertThat(tailLines(listener.next())).containsExactly("for b");
    loki.push("team-a", s, Map.of(), Instant.now(), "live for a");
    loki.push("team-b", s, Map.of(), Instant.now(), "live for b");
    assertThat(tailLines(listener.next())).containsExactly("live for b");
  }

  @Test
  void aGatewayRequiresItsAuthorization() throws Exception {
    loki.requireAuthorization("Basic dXNlcjpwYXNz");
    HttpResponse<String> refused = get(FakeLoki.QUERY_RANGE, params("query", "{service=\"api\"}"));
    assertThat(refused.statusCode()).isEqualTo(401);
    assertThat(get(FakeLoki.QUERY_RANGE, params("query", "{service=\"api\"}"), "Authorization", "Bearer t")
        .statusCode()).isEqualTo(401);
    range(params("query", "{service=\"api\"}"), "Authorization", "Basic dXNlcjpwYXNz");
    assertThat(handshakeFailure(params("query", "{service=\"api\"}")).getResponse().statusCode()).isEqualTo(401);
    tail(new Listener(), params("query", "{service=\"api\"}"), "Authorization", "Basic dXNlcjpwYXNz").abort();
  }

  @Test
  void otherPathsAre404AndOtherMethods405() throws Exception {
    HttpResponse<String> r = get("/loki/api/v1/labels", Map.of());
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.body()).isEqualTo("404 page not found\n");
    assertThat(contentType(r)).isEqualTo("text/plain;charset=utf-8");
    HttpResponse<String> delete = HTTP.send(HttpRequest.newBuilder(URI.create(loki.url() + FakeLoki.QUERY_RANGE))
        .DELETE().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(delete.statusCode()).isEqualTo(405);
    assertThat(delete.body()).isEmpty();
  }

  @Test
  void failNextAnswersTheNextQueryRequestOnly() throws Exception {
    loki.failNext(502, "upstream gone").failNext(500, "internal");
    HttpResponse<String> first = get(FakeLoki.QUERY_RANGE, params("query", "{service=\"api\"}"));
    assertThat(first.statusCode()).isEqualTo(502);
    assertThat(first.body()).isEqualTo("upstream gone");
    assertThat(get(FakeLoki.QUERY, params("query", "{service=\"api\"}")).statusCode()).isEqualTo(500);
    range(params("query", "{service=\"api\"}"));
  }

  @Test
  void everyRequestIsRecordedDecoded() throws Exception {
    HttpRequest post = HttpRequest.newBuilder(URI.create(loki.url() + FakeLoki.QUERY_RANGE))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("X-Scope-OrgID", "tenant-1")
        .POST(HttpRequest.BodyPublishers.ofString("query=" + URLEncoder.encode("{service=\"api\"} |= \"a b\"",
            StandardCharsets.UTF_8) + "&limit=7"))
        .build();
    assertThat(HTTP.send(post, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    get("/nowhere", params("q", "x y"));
    List<FakeLoki.Request> requests = loki.requests();
    assertThat(requests).hasSize(2);
    assertThat(requests.get(0).method()).isEqualTo("POST");
    assertThat(requests.get(0).path()).isEqualTo(FakeLoki.QUERY_RANGE);
    assertThat(requests.get(0).params()).containsEntry("query", "{service=\"api\"} |= \"a b\"")
        .containsEntry("limit", "7");
    assertThat(requests.get(0).headers()).containsEntry("x-scope-orgid", "tenant-1");
    assertThat(requests.get(1).path()).isEqualTo("/nowhere");
    assertThat(requests.get(1).param("q")).isEqualTo("x y");
  }
}
