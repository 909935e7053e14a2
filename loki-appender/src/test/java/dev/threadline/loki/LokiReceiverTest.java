package dev.threadline.loki;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.DynamicMessage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Loki stand-in decodes and judges pushes as Loki does, built with an independent protobuf encoder
 * (protobuf-java's DynamicMessage over push.proto's descriptor) and snappy-java, sent with the JDK HttpClient.
 */
class LokiReceiverTest {

  private static final String PROTOBUF = "application/x-protobuf";
  private static final String JSON = "application/json";
  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  private static final long NOW_NANOS = NOW.getEpochSecond() * 1_000_000_000L;

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private LokiReceiver loki;

  @BeforeEach
  void start() {
    loki = LokiReceiver.start(LokiReceiverRules.DEFAULT_MAX_LINE_BYTES, Clock.fixed(NOW, ZoneOffset.UTC));
  }

  @AfterEach
  void stop() {
    loki.close();
  }

  // --- decoding -----------------------------------------------------------------------------------------------

  @Test
  void protobufPush_isDecodedIntoLabelsTimestampLineMetadataAndTenant() throws Exception {
    DynamicMessage request = LokiReceiverProto.pushRequest(
        LokiReceiverProto.stream("{service=\"api\", env=\"prod\"}",
            LokiReceiverProto.entry(NOW_NANOS + 123, "first", Map.of("trace_id", "4bf92f3577b34da6")),
            LokiReceiverProto.entry(NOW_NANOS + 456, "second ünïcode", Map.of())),
        LokiReceiverProto.stream("{service=\"worker\"}",
            LokiReceiverProto.entry(NOW_NANOS - 1, "third", Map.of("a", "1"))));
    byte[] body = snappy(request);

    HttpResponse<String> response = post(body, "Content-Type", PROTOBUF, "X-Scope-OrgID", "team-a",
        "Authorization", "Basic dXNlcjpwYXNz");

    assertThat(response.statusCode()).isEqualTo(204);
    assertThat(response.body()).isEmpty();
    assertThat(loki.entries()).containsExactly(
        new LokiReceiver.Entry("team-a", Map.of("env", "prod", "service", "api"), NOW_NANOS + 123, "first",
            Map.of("trace_id", "4bf92f3577b34da6")),
        new LokiReceiver.Entry("team-a", Map.of("env", "prod", "service", "api"), NOW_NANOS + 456, "second ünïcode",
            Map.of()),
        new LokiReceiver.Entry("team-a", Map.of("service", "worker"), NOW_NANOS - 1, "third", Map.of("a", "1")));
    assertThat(loki.entries().get(0).labels().keySet()).containsExactly("env", "service");
    assertThat(loki.acceptedBatches()).isEqualTo(1);
    LokiReceiver.Request recorded = loki.requests().get(0);
    assertThat(recorded.method()).isEqualTo("POST");
    assertThat(recorded.path()).isEqualTo(LokiReceiver.PUSH_PATH);
    assertThat(recorded.status()).isEqualTo(204);
    assertThat(recorded.bodyBytes()).isEqualTo(body.length);
    assertThat(recorded.decodedBytes()).isEqualTo(request.getSerializedSize());
    assertThat(recorded.entries()).isEqualTo(3);
    assertThat(recorded.header("authorization")).isEqualTo("Basic dXNlcjpwYXNz");
    assertThat(recorded.headers().get("X-Scope-OrgID")).containsExactly("team-a");
  }

  @Test
  void protobufPush_withoutTenantHeader_belongsToFake() throws Exception {
    assertThat(post(snappy(oneEntry("{service=\"api\"}", "x")), "Content-Type", PROTOBUF).statusCode())
        .isEqualTo(204);

    assertThat(loki.entries()).extracting(LokiReceiver.Entry::tenant).containsExactly("fake");
  }

  @Test
  void protobufPush_gzippedOverSnappy_isAcceptedAsByLoki() throws Exception {
    HttpResponse<String> response = post(gzip(snappy(oneEntry("{service=\"api\"}", "zipped"))),
        "Content-Type", PROTOBUF, "Content-Encoding", "gzip");

    assertThat(response.statusCode()).isEqualTo(204);
    assertThat(loki.entries()).extracting(LokiReceiver.Entry::line).containsExactly("zipped");
  }

  @Test
  void protobufPush_withAnyOtherMediaType_isStillProtobuf() throws Exception {
    assertThat(post(snappy(oneEntry("{service=\"api\"}", "x")), "Content-Type", "application/octet-stream")
        .statusCode()).isEqualTo(204);
  }

  @Test
  void pushWithoutContentType_isRefusedLikeGoMimeParsing() throws Exception {
    HttpResponse<String> response = post(snappy(oneEntry("{service=\"api\"}", "x")));

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).isEqualTo("mime: no media type\n");
    assertThat(loki.entries()).isEmpty();
  }

  @Test
  void protobufPush_notSnappyCompressed_is400() throws Exception {
    HttpResponse<String> response = post(oneEntry("{service=\"api\"}", "raw").toByteArray(),
        "Content-Type", PROTOBUF);

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).startsWith("snappy: corrupt input");
  }

  @Test
  void pushWithUnsupportedContentEncoding_is400() throws Exception {
    HttpResponse<String> response = post(snappy(oneEntry("{service=\"api\"}", "x")),
        "Content-Type", PROTOBUF, "Content-Encoding", "br");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).isEqualTo("Content-Encoding \"br\" not supported\n");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "gzip", "deflate"})
  void jsonPush_plainOrCompressed_isAccepted(String encoding) throws Exception {
    String json = "{\"streams\":[{\"stream\":{\"service\":\"api\",\"env\":\"prod\"},\"values\":["
        + "[\"" + NOW_NANOS + "\",\"plain line\"],"
        + "[\"" + (NOW_NANOS + 1) + "\",\"with metadata \\\"quoted\\\"\",{\"trace_id\":\"abc\",\"span_id\":\"def\"}]"
        + "]}]}";
    byte[] body = switch (encoding) {
      case "gzip" -> gzip(json.getBytes(UTF_8));
      case "deflate" -> rawDeflate(json.getBytes(UTF_8));
      default -> json.getBytes(UTF_8);
    };
    List<String> headers = new ArrayList<>(List.of("Content-Type", "application/json; charset=utf-8"));
    if (!encoding.isEmpty()) {
      headers.addAll(List.of("Content-Encoding", encoding));
    }

    HttpResponse<String> response = post(body, headers.toArray(String[]::new));

    assertThat(response.statusCode()).isEqualTo(204);
    Map<String, String> labels = Map.of("env", "prod", "service", "api");
    assertThat(loki.entries()).containsExactly(
        new LokiReceiver.Entry("fake", labels, NOW_NANOS, "plain line", Map.of()),
        new LokiReceiver.Entry("fake", labels, NOW_NANOS + 1, "with metadata \"quoted\"",
            Map.of("trace_id", "abc", "span_id", "def")));
    assertThat(loki.entries().get(1).structuredMetadata().keySet()).containsExactly("trace_id", "span_id");
    assertThat(loki.requests().get(0).decodedBytes()).isEqualTo(json.getBytes(UTF_8).length);
  }

  @Test
  void jsonPush_withNumericTimestamp_is400() throws Exception {
    String json = "{\"streams\":[{\"stream\":{\"service\":\"api\"},\"values\":[[" + NOW_NANOS + ",\"line\"]]}]}";

    HttpResponse<String> response = post(json.getBytes(UTF_8), "Content-Type", JSON);

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).contains("ReadString");
    assertThat(loki.entries()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "[[\"1.5e18\",\"line\"]]",
      "[[\"%d\",\"line\",{\"n\":1}]]",
      "[[\"%d\",\"line\",{},\"fourth\"]]",
      "[[\"%d\",42]]",
      "[\"%d\",\"not nested\"]"})
  void jsonPush_malformedValues_is400(String values) throws Exception {
    String json = "{\"streams\":[{\"stream\":{\"service\":\"api\"},\"values\":" + values.replace("%d",
        Long.toString(NOW_NANOS)) + "}]}";

    HttpResponse<String> response = post(json.getBytes(UTF_8), "Content-Type", JSON);

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(loki.entries()).isEmpty();
  }

  @Test
  void jsonPush_invalidLabelName_failsInTheSameParserAsProtobuf() throws Exception {
    String json = "{\"streams\":[{\"stream\":{\"service-name\":\"api\"},\"values\":[[\"" + NOW_NANOS + "\",\"x\"]]}]}";

    HttpResponse<String> response = post(json.getBytes(UTF_8), "Content-Type", JSON);

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).startsWith("Error parsing labels '{service-name=\"api\"}' with error: ");
  }

  // --- Loki's rules -------------------------------------------------------------------------------------------

  static Stream<Arguments> invalidLabelSets() {
    String sixteen = IntStream.range(0, 16).mapToObj(i -> "l" + i + "=\"v\"")
        .collect(Collectors.joining(", ", "{", "}"));
    return Stream.of(
        Arguments.of("{1abc=\"v\"}", "Error parsing labels '{1abc=\"v\"}' with error: "),
        Arguments.of("{a-b=\"v\"}", "Error parsing labels '{a-b=\"v\"}' with error: "),
        Arguments.of("{a.b=\"v\"}", "Error parsing labels '{a.b=\"v\"}' with error: "),
        Arguments.of("{service=\"api\"", "Error parsing labels '{service=\"api\"' with error: "),
        Arguments.of("{service!=\"api\"}", "Error parsing labels '{service!=\"api\"}' with error: "),
        Arguments.of("{service=api}", "Error parsing labels '{service=api}' with error: "),
        Arguments.of("{a=\"\\q\"}", "Error parsing labels '{a=\"\\q\"}' with error: "),
        Arguments.of("", "Error parsing labels '' with error: "),
        Arguments.of("{__reserved=\"v\"}", "names starting with __ are reserved"),
        Arguments.of("{a=\"1\", a=\"2\"}", "stream '{a=\"1\", a=\"2\"}' has duplicate label name: 'a'"),
        Arguments.of("{}", "error at least one label pair is required per stream"),
        Arguments.of("{a=\"\"}", "error at least one label pair is required per stream"),
        Arguments.of(sixteen, "entry for stream '" + sixteen + "' has 16 label names; limit 15"),
        Arguments.of("{" + "n".repeat(1025) + "=\"v\"}", "has label name too long: 'nnn"),
        Arguments.of("{a=\"" + "v".repeat(2049) + "\"}", "has label value too long: 'vvv"));
  }

  @ParameterizedTest
  @MethodSource("invalidLabelSets")
  void invalidLabelSet_is400WithLokisMessage(String labels, String message) throws Exception {
    HttpResponse<String> response = post(snappy(oneEntry(labels, "line")), "Content-Type", PROTOBUF);

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).contains(message).endsWith("\n");
    assertThat(loki.entries()).isEmpty();
    assertThat(loki.acceptedBatches()).isZero();
  }

  @Test
  void labelText_isParsedWithEscapesQuotesAndNormalized() throws Exception {
    String labels = "{ z = \"x\\\"y\\\\z\\nw\", a='single \\' quote', m=`raw \\n`, empty=\"\", u=\"\\u00e9\\x41\", }";

    assertThat(post(snappy(oneEntry(labels, "x")), "Content-Type", PROTOBUF).statusCode()).isEqualTo(204);

    Map<String, String> parsed = loki.entries().get(0).labels();
    assertThat(parsed).containsExactly(Map.entry("a", "single ' quote"), Map.entry("m", "raw \\n"),
        Map.entry("u", "éA"), Map.entry("z", "x\"y\\z\nw"));
  }

  @Test
  void labelLimits_areInclusive_andServiceNameIsNotCounted() throws Exception {
    String fifteenAndServiceName = IntStream.range(0, 15).mapToObj(i -> "l" + i + "=\"v\"")
        .collect(Collectors.joining(", ", "{service_name=\"api\", ", "}"));
    String longest = "{" + "n".repeat(1024) + "=\"" + "v".repeat(2048) + "\"}";

    assertThat(post(snappy(oneEntry(fifteenAndServiceName, "x")), "Content-Type", PROTOBUF).statusCode())
        .isEqualTo(204);
    assertThat(post(snappy(oneEntry(longest, "y")), "Content-Type", PROTOBUF).statusCode()).isEqualTo(204);
    assertThat(loki.entries()).hasSize(2);
  }

  @Test
  void lineOverMaxLineBytes_is400WithLokisText_countingUtf8Bytes() throws Exception {
    try (LokiReceiver small = LokiReceiver.start(1000, Clock.fixed(NOW, ZoneOffset.UTC))) {
      String exactly = "é".repeat(500); // 1000 bytes in UTF-8, 500 chars
      String over = exactly + "x";

      assertThat(post(small, snappy(oneEntry("{service=\"api\"}", exactly)), "Content-Type", PROTOBUF).statusCode())
          .isEqualTo(204);
      HttpResponse<String> response = post(small, snappy(oneEntry("{service=\"api\"}", over)),
          "Content-Type", PROTOBUF);

      assertThat(response.statusCode()).isEqualTo(400);
      assertThat(response.body()).isEqualTo("Max entry size '1000' bytes exceeded for stream '{service=\"api\"}' "
          + "while adding an entry with length '1001' bytes\n");
      assertThat(small.entries()).extracting(LokiReceiver.Entry::line).containsExactly(exactly);
    }
  }

  @Test
  void lineOverDefault256KiB_is400() throws Exception {
    HttpResponse<String> response = post(snappy(oneEntry("{service=\"api\"}", "x".repeat(256 * 1024 + 1))),
        "Content-Type", PROTOBUF);

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).startsWith("Max entry size '262144' bytes exceeded for stream '{service=\"api\"}' "
        + "while adding an entry with length '262145' bytes");
  }

  @Test
  void decodedMessageOver4MiB_is500LikeGrpcsLimit_andStoresNothing() throws Exception {
    String line = "x".repeat(200 * 1024);
    DynamicMessage[] entries = IntStream.range(0, 21)
        .mapToObj(i -> LokiReceiverProto.entry(NOW_NANOS + i, line, Map.of())).toArray(DynamicMessage[]::new);
    DynamicMessage request = LokiReceiverProto.pushRequest(LokiReceiverProto.stream("{service=\"api\"}", entries));
    assertThat(request.getSerializedSize()).isGreaterThan(LokiReceiver.MAX_RECV_MSG_SIZE);

    HttpResponse<String> response = post(snappy(request), "Content-Type", PROTOBUF);

    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(response.body()).contains("grpc: received message larger than max");
    assertThat(loki.entries()).isEmpty();
  }

  @Test
  void structuredMetadata_over128PairsOr64KiB_is400_atTheLimitsAccepted() throws Exception {
    Map<String, String> pairs128 = metadata(128, 1);
    Map<String, String> pairs129 = metadata(129, 1);
    Map<String, String> bytes64k = Map.of("k", "v".repeat(64 * 1024 - 1));
    Map<String, String> bytesOver = Map.of("k", "v".repeat(64 * 1024));

    assertThat(post(snappy(oneEntry("{service=\"api\"}", "a", pairs128)), "Content-Type", PROTOBUF).statusCode())
        .isEqualTo(204);
    assertThat(post(snappy(oneEntry("{service=\"api\"}", "b", bytes64k)), "Content-Type", PROTOBUF).statusCode())
        .isEqualTo(204);
    HttpResponse<String> tooMany = post(snappy(oneEntry("{service=\"api\"}", "c", pairs129)),
        "Content-Type", PROTOBUF);
    HttpResponse<String> tooLarge = post(snappy(oneEntry("{service=\"api\"}", "d", bytesOver)),
        "Content-Type", PROTOBUF);

    assertThat(tooMany.statusCode()).isEqualTo(400);
    assertThat(tooMany.body()).contains("has too many structured metadata labels: '129', limit: '128'");
    assertThat(tooLarge.statusCode()).isEqualTo(400);
    assertThat(tooLarge.body()).contains("has structured metadata too large: '65537' bytes, limit: '65536' bytes");
    assertThat(loki.entries()).extracting(LokiReceiver.Entry::line).containsExactly("a", "b");
  }

  @Test
  void timestamps_olderThan168hOrMoreThan10MinAhead_are400_boundariesAccepted() throws Exception {
    long oldest = NOW_NANOS - Duration.ofHours(168).toNanos();
    long newest = NOW_NANOS + Duration.ofMinutes(10).toNanos();

    assertThat(post(snappy(at(oldest, "oldest")), "Content-Type", PROTOBUF).statusCode()).isEqualTo(204);
    assertThat(post(snappy(at(newest, "newest")), "Content-Type", PROTOBUF).statusCode()).isEqualTo(204);
    HttpResponse<String> tooOld = post(snappy(at(oldest - 1, "too old")), "Content-Type", PROTOBUF);
    HttpResponse<String> tooNew = post(snappy(at(newest + 1, "too new")), "Content-Type", PROTOBUF);

    assertThat(tooOld.statusCode()).isEqualTo(400);
    assertThat(tooOld.body()).isEqualTo("entry for stream '{service=\"api\"}' has timestamp too old: "
        + "2026-02-22T11:59:59Z, oldest acceptable timestamp is: 2026-02-22T12:00:00Z\n");
    assertThat(tooNew.statusCode()).isEqualTo(400);
    assertThat(tooNew.body()).isEqualTo("entry for stream '{service=\"api\"}' has timestamp too new: "
        + "2026-03-01T12:10:00Z\n");
    assertThat(loki.entries()).extracting(LokiReceiver.Entry::line).containsExactly("oldest", "newest");
  }

  @Test
  void partlyInvalidPush_storesTheValidEntries_andAnswers400WithTheErrorsGroupedAsLokiGroupsThem() throws Exception {
    DynamicMessage request = LokiReceiverProto.pushRequest(
        LokiReceiverProto.stream("{service=\"api\"}",
            LokiReceiverProto.entry(NOW_NANOS, "kept", Map.of()),
            LokiReceiverProto.entry(NOW_NANOS + Duration.ofHours(1).toNanos(), "too new", Map.of())),
        LokiReceiverProto.stream("{bad-name=\"x\"}", LokiReceiverProto.entry(NOW_NANOS, "bad stream", Map.of())),
        LokiReceiverProto.stream("{bad-but-empty=\"x\"}"),
        LokiReceiverProto.stream("{service=\"worker\"}", LokiReceiverProto.entry(NOW_NANOS, "also kept", Map.of())));

    HttpResponse<String> response = post(snappy(request), "Content-Type", PROTOBUF);

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).startsWith("1 errors like: entry for stream '{service=\"api\"}' has timestamp too new")
        .contains("; 1 errors like: Error parsing labels '{bad-name=\"x\"}'");
    assertThat(loki.entries()).extracting(LokiReceiver.Entry::line).containsExactly("kept", "also kept");
    assertThat(loki.acceptedBatches()).isZero();
    assertThat(loki.requests().get(0).entries()).isEqualTo(4);
  }

  @Test
  void emptyPush_isAccepted() throws Exception {
    assertThat(post(snappy(LokiReceiverProto.pushRequest()), "Content-Type", PROTOBUF).statusCode()).isEqualTo(204);
    assertThat(post("{\"streams\":[]}".getBytes(UTF_8), "Content-Type", JSON).statusCode()).isEqualTo(204);
  }

  @ParameterizedTest
  @ValueSource(strings = {"a|b", "has space", "..", "x/y"})
  void invalidTenant_is400(String tenant) throws Exception {
    HttpResponse<String> response = post(snappy(oneEntry("{service=\"api\"}", "x")),
        "Content-Type", PROTOBUF, "X-Scope-OrgID", tenant);

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(loki.entries()).isEmpty();
  }

  @Test
  void onlyPostToThePushPath_isServed() throws Exception {
    HttpResponse<String> otherPath = client.send(HttpRequest.newBuilder(URI.create(loki.url() + "/loki/api/v1/pushx"))
        .POST(HttpRequest.BodyPublishers.ofByteArray(snappy(oneEntry("{service=\"api\"}", "x"))))
        .header("Content-Type", PROTOBUF).build(), HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> get = client.send(HttpRequest.newBuilder(pushUri(loki)).GET().build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(otherPath.statusCode()).isEqualTo(404);
    assertThat(get.statusCode()).isEqualTo(405);
    assertThat(loki.entries()).isEmpty();
    assertThat(loki.requests()).extracting(LokiReceiver.Request::path, LokiReceiver.Request::status)
        .containsExactly(tuple("/loki/api/v1/pushx", 404),
            tuple(LokiReceiver.PUSH_PATH, 405));
  }

  // --- faults -------------------------------------------------------------------------------------------------

  @Test
  void respondNextWith429_answersTheConfiguredTimes_thenLokiAnswersAgain() throws Exception {
    loki.respondNextWith(429, "Ingestion rate limit exceeded", Map.of("Retry-After", "1"), 2);
    byte[] body = snappy(oneEntry("{service=\"api\"}", "retried"));

    List<HttpResponse<String>> responses = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      responses.add(post(body, "Content-Type", PROTOBUF));
    }

    assertThat(responses).extracting(HttpResponse::statusCode).containsExactly(429, 429, 204);
    assertThat(responses.get(0).headers().firstValue("Retry-After")).contains("1");
    assertThat(responses.get(0).body()).isEqualTo("Ingestion rate limit exceeded");
    assertThat(loki.entries()).extracting(LokiReceiver.Entry::line).containsExactly("retried");
    assertThat(loki.acceptedBatches()).isEqualTo(1);
    assertThat(loki.requests()).extracting(LokiReceiver.Request::status, LokiReceiver.Request::entries)
        .containsExactly(tuple(429, 1), tuple(429, 1),
            tuple(204, 1));
  }

  @Test
  void queuedFaults_fireInOrder() throws Exception {
    loki.respondNextWith(500, "", Map.of(), 1);
    loki.respondNextWith(400, "bad batch", Map.of(), 1);
    byte[] body = snappy(oneEntry("{service=\"api\"}", "x"));

    assertThat(post(body, "Content-Type", PROTOBUF).statusCode()).isEqualTo(500);
    HttpResponse<String> second = post(body, "Content-Type", PROTOBUF);
    assertThat(second.statusCode()).isEqualTo(400);
    assertThat(second.body()).isEqualTo("bad batch");
    assertThat(post(body, "Content-Type", PROTOBUF).statusCode()).isEqualTo(204);
  }

  @Test
  void latency_delaysEveryResponse() throws Exception {
    loki.latency(Duration.ofMillis(300));
    long started = System.nanoTime();

    assertThat(post(snappy(oneEntry("{service=\"api\"}", "slow")), "Content-Type", PROTOBUF).statusCode())
        .isEqualTo(204);

    assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
  }

  @Test
  void latency_doesNotSerializeConcurrentRequests() throws Exception {
    loki.latency(Duration.ofSeconds(1));
    byte[] body = snappy(oneEntry("{service=\"api\"}", "parallel"));
    long started = System.nanoTime();

    List<CompletableFuture<HttpResponse<String>>> inFlight = IntStream.range(0, 4)
        .mapToObj(i -> client.sendAsync(pushRequest(loki, body, "Content-Type", PROTOBUF),
            HttpResponse.BodyHandlers.ofString()))
        .toList();

    assertThat(inFlight).allSatisfy(f -> assertThat(f.get().statusCode()).isEqualTo(204));
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(3500));
  }

  @Test
  void resetNextConnections_failsTheSendWithAnIOException_andRecordsNoEntry() throws Exception {
    byte[] body = snappy(oneEntry("{service=\"api\"}", "x"));
    assertThat(post(body, "Content-Type", PROTOBUF).statusCode()).isEqualTo(204); // a pooled connection to reuse
    loki.clear();
    loki.resetNextConnections(2);

    assertThatThrownBy(() -> post(body, "Content-Type", PROTOBUF))
        .isInstanceOf(IOException.class).isNotInstanceOf(ConnectException.class);
    assertThatThrownBy(() -> post(body, "Content-Type", PROTOBUF))
        .isInstanceOf(IOException.class).isNotInstanceOf(ConnectException.class);
    assertThat(post(body, "Content-Type", PROTOBUF).statusCode()).isEqualTo(204);

    assertThat(loki.requests()).extracting(LokiReceiver.Request::status).containsExactly(0, 0, 204);
    assertThat(loki.entries()).hasSize(1);
  }

  @Test
  void goDown_refusesConnections_comeUp_servesAgainOnTheSameUrl() throws Exception {
    byte[] body = snappy(oneEntry("{service=\"api\"}", "x"));
    String url = loki.url();
    assertThat(post(body, "Content-Type", PROTOBUF).statusCode()).isEqualTo(204);

    loki.goDown();

    assertThatThrownBy(() -> post(body, "Content-Type", PROTOBUF)).isInstanceOf(ConnectException.class);
    loki.comeUp();
    assertThat(loki.url()).isEqualTo(url);
    assertThat(post(body, "Content-Type", PROTOBUF).statusCode()).isEqualTo(204);
    assertThat(loki.entries()).hasSize(2);
  }

  @Test
  void downFor_comesBackByItself() throws Exception {
    byte[] body = snappy(oneEntry("{service=\"api\"}", "x"));

    loki.downFor(Duration.ofMillis(500));

    assertThatThrownBy(() -> post(body, "Content-Type", PROTOBUF)).isInstanceOf(ConnectException.class);
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
        .until(() -> post(body, "Content-Type", PROTOBUF).statusCode() == 204);
  }

  @Test
  void clear_forgetsEntriesRequestsAndBatches() throws Exception {
    post(snappy(oneEntry("{service=\"api\"}", "x")), "Content-Type", PROTOBUF);

    loki.clear();

    assertThat(loki.entries()).isEmpty();
    assertThat(loki.requests()).isEmpty();
    assertThat(loki.acceptedBatches()).isZero();
  }

  // --- helpers ------------------------------------------------------------------------------------------------

  private static DynamicMessage oneEntry(String labels, String line) {
    return oneEntry(labels, line, Map.of());
  }

  private static DynamicMessage oneEntry(String labels, String line, Map<String, String> metadata) {
    return LokiReceiverProto.pushRequest(
        LokiReceiverProto.stream(labels, LokiReceiverProto.entry(NOW_NANOS, line, metadata)));
  }

  private static DynamicMessage at(long nanos, String line) {
    return LokiReceiverProto.pushRequest(
        LokiReceiverProto.stream("{service=\"api\"}", LokiReceiverProto.entry(nanos, line, Map.of())));
  }

  private static Map<String, String> metadata(int pairs, int valueLength) {
    Map<String, String> metadata = new LinkedHashMap<>();
    for (int i = 0; i < pairs; i++) {
      metadata.put("k" + i, "v".repeat(valueLength));
    }
    return metadata;
  }

  private static byte[] snappy(DynamicMessage message) throws IOException {
    return org.xerial.snappy.Snappy.compress(message.toByteArray());
  }

  private static byte[] gzip(byte[] bytes) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream gzip = new GZIPOutputStream(out)) {
      gzip.write(bytes);
    }
    return out.toByteArray();
  }

  private static byte[] rawDeflate(byte[] bytes) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
    try (OutputStream deflate = new DeflaterOutputStream(out, deflater)) {
      deflate.write(bytes);
    } finally {
      deflater.end();
    }
    return out.toByteArray();
  }

  private HttpResponse<String> post(byte[] body, String... headers) throws IOException, InterruptedException {
    return post(loki, body, headers);
  }

  private HttpResponse<String> post(LokiReceiver receiver, byte[] body, String... headers)
      throws IOException, InterruptedException {
    return client.send(pushRequest(receiver, body, headers), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpRequest pushRequest(LokiReceiver receiver, byte[] body, String... headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(pushUri(receiver))
        .timeout(Duration.ofSeconds(10))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return request.build();
  }

  private static URI pushUri(LokiReceiver receiver) {
    return URI.create(receiver.url() + LokiReceiver.PUSH_PATH);
  }
}
