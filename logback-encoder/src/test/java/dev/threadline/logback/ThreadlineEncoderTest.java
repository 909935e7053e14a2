package dev.threadline.logback;

import static dev.threadline.logback.Lines.keys;
import static dev.threadline.logback.Lines.parse;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.LoggingEvent;
import dev.threadline.core.Correlation;
import dev.threadline.core.CorrelationScope;
import dev.threadline.core.MdcKeys;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MarkerFactory;
import tools.jackson.databind.JsonNode;

class ThreadlineEncoderTest {

  private final Lines lines = new Lines();

  @AfterEach
  void resetKeys() {
    MdcKeys.activate(MdcKeys.threadline());
  }

  @Test
  void plainLine_hasTheSchemaKeysInOrder() {
    ThreadlineEncoder encoder = lines.encoder(e -> {
      e.setService("order-api");
      e.setEnv("prod");
      e.setVersion("1.4.2");
      e.setHost("host-1");
    });
    LoggingEvent event;
    Map<String, String> mdc = new LinkedHashMap<>();
    Correlation c = Correlation.newTrace("req-1");
    mdc.put("requestId", c.requestId());
    mdc.put("trace_id", c.traceId());
    mdc.put("span_id", c.spanId());
    mdc.put("tenant", "acme");
    event = lines.event("order placed");
    event.setMDCPropertyMap(mdc);
    JsonNode line = parse(encoder.encode(event));
    assertThat(keys(line)).containsExactly("timestamp", "level", "service", "env", "version", "host", "logger",
        "thread", "message", "requestId", "trace_id", "span_id", "tenant");
    assertThat(line.get("level").asString()).isEqualTo("info");
    assertThat(line.get("service").asString()).isEqualTo("order-api");
    assertThat(line.get("logger").asString()).isEqualTo("com.acme.OrderService");
    assertThat(line.get("message").asString()).isEqualTo("order placed");
    assertThat(line.get("requestId").asString()).isEqualTo("req-1");
    assertThat(line.get("trace_id").asString()).isEqualTo(c.traceId());
    assertThat(line.get("tenant").asString()).isEqualTo("acme");
  }

  @Test
  void timestamp_isUtcWithMicroseconds() {
    LoggingEvent event = lines.event("x");
    Instant instant = Instant.parse("2026-11-22T03:04:05.123456789Z");
    event.setInstant(instant);
    JsonNode line = parse(lines.encoder().encode(event));
    assertThat(line.get("timestamp").asString()).isEqualTo("2026-11-22T03:04:05.123456Z");
    Instant now = Instant.now();
    LoggingEvent current = lines.event("y");
    current.setInstant(now);
    assertThat(parse(lines.encoder().encode(current)).get("timestamp").asString())
        .matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{6}Z")
        .satisfies(s -> assertThat(Instant.parse(s)).isEqualTo(now.truncatedTo(ChronoUnit.MICROS)));
  }

  @Test
  void levels_areLowercase() {
    ThreadlineEncoder encoder = lines.encoder();
    for (Level level : List.of(Level.TRACE, Level.DEBUG, Level.INFO, Level.WARN, Level.ERROR)) {
      JsonNode line = parse(encoder.encode(lines.event(level, "m", null)));
      assertThat(line.get("level").asString()).isEqualTo(level.toString().toLowerCase());
    }
  }

  @Test
  void correlationFromAnOpenScope_isWrittenInItsPlace_notAsAField() {
    ThreadlineEncoder encoder = lines.encoder();
    Correlation c = Correlation.newTrace("scope-req");
    LoggingEvent event;
    try (CorrelationScope ignored = c.open()) {
      event = new LoggingEvent(getClass().getName(), lines.logger, Level.INFO, "in scope", null, null);
      event.getMDCPropertyMap();
    }
    JsonNode line = parse(encoder.encode(event));
    assertThat(line.get("requestId").asString()).isEqualTo("scope-req");
    assertThat(line.get("trace_id").asString()).isEqualTo(c.traceId());
    assertThat(line.get("span_id").asString()).isEqualTo(c.spanId());
    assertThat(keys(line)).endsWith("requestId", "trace_id", "span_id");
  }

  @Test
  void micrometerKeys_areMappedToTheSchemaKeys() {
    MdcKeys.activate(MdcKeys.micrometer());
    LoggingEvent event = lines.event("m");
    event.setMDCPropertyMap(Map.of("traceId", "4bf92f3577b34da6a3ce929d0e0e4736", "spanId", "00f067aa0ba902b7"));
    JsonNode line = parse(lines.encoder().encode(event));
    assertThat(line.get("trace_id").asString()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(line.get("span_id").asString()).isEqualTo("00f067aa0ba902b7");
    assertThat(line.has("traceId")).isFalse();
  }

  @Test
  void mdcIncludeAndExcludeLists() {
    LoggingEvent event = lines.event("m");
    event.setMDCPropertyMap(Map.of("a", "1", "b", "2", "c", "3"));
    JsonNode included = parse(lines.encoder(e -> {
      e.addIncludeMdcKey("a");
      e.addIncludeMdcKey("b");
      e.addExcludeMdcKey("b");
    }).encode(event));
    assertThat(included.has("a")).isTrue();
    assertThat(included.has("b")).isFalse();
    assertThat(included.has("c")).isFalse();
  }

  @Test
  void keyValuePairs_keepTheirJsonTypes() {
    LoggingEvent event = lines.event("paid");
    event.addKeyValuePair(new org.slf4j.event.KeyValuePair("count", 3));
    event.addKeyValuePair(new org.slf4j.event.KeyValuePair("big", 9_007_199_254_740_993L));
    event.addKeyValuePair(new org.slf4j.event.KeyValuePair("amount", 12.5));
    event.addKeyValuePair(new org.slf4j.event.KeyValuePair("exact", new BigDecimal("0.10")));
    event.addKeyValuePair(new org.slf4j.event.KeyValuePair("ok", true));
    event.addKeyValuePair(new org.slf4j.event.KeyValuePair("none", null));
    event.addKeyValuePair(new org.slf4j.event.KeyValuePair("nan", Double.NaN));
    event.addKeyValuePair(new org.slf4j.event.KeyValuePair("items", List.of(1, "two", Map.of("three", 3))));
    event.addKeyValuePair(new org.slf4j.event.KeyValuePair("ints", new int[] {1, 2}));
    event.addKeyValuePair(new org.slf4j.event.KeyValuePair("nested", Map.of("a", Map.of("b", false))));
    byte[] bytes = lines.encoder().encode(event);
    JsonNode line = parse(bytes);
    assertThat(new String(bytes, StandardCharsets.UTF_8)).contains("\"exact\":0.10,");
    assertThat(line.get("count").isInt()).isTrue();
    assertThat(line.get("big").asLong()).isEqualTo(9_007_199_254_740_993L);
    assertThat(line.get("amount").asDouble()).isEqualTo(12.5);
    assertThat(line.get("ok").isBoolean()).isTrue();
    assertThat(line.get("none").isNull()).isTrue();
    assertThat(line.get("nan").asString()).isEqualTo("NaN");
    assertThat(line.get("items").toString()).isEqualTo("[1,\"two\",{\"three\":3}]");
    assertThat(line.get("ints").toString()).isEqualTo("[1,2]");
    assertThat(line.get("nested").get("a").get("b").asBoolean()).isFalse();
  }

  record Order(String id, int quantity) { }

  @Test
  void arbitraryObjects_areSerializedWithJackson_orToString() {
    LoggingEvent event = lines.event("m");
    event.addKeyValuePair(new org.slf4j.event.KeyValuePair("order", new Order("o-1", 2)));
    JsonNode jackson3 = parse(lines.encoder().encode(event));
    assertThat(jackson3.get("order").get("quantity").asInt()).isEqualTo(2);
    JsonNode jackson2 = parse(lines.encoder(e -> e.setObjectSerializer("jackson2")).encode(event));
    assertThat(jackson2.get("order").get("id").asString()).isEqualTo("o-1");
    JsonNode plain = parse(lines.encoder(e -> e.setObjectSerializer("toString")).encode(event));
    assertThat(plain.get("order").asString()).isEqualTo("Order[id=o-1, quantity=2]");
  }

  @Test
  void structuredArgumentsAndMarkers_becomeFields_plainMarkersBecomeTags() {
    LoggingEvent event = lines.event("order {} placed", Fields.field("orderId", 42));
    event.addMarker(Fields.marker("cart", Map.of("items", 3)));
    event.addMarker(MarkerFactory.getMarker("AUDIT"));
    JsonNode line = parse(lines.encoder().encode(event));
    assertThat(line.get("message").asString()).isEqualTo("order orderId=42 placed");
    assertThat(line.get("orderId").asInt()).isEqualTo(42);
    assertThat(line.get("cart").get("items").asInt()).isEqualTo(3);
    assertThat(line.get("tags").toString()).isEqualTo("[\"AUDIT\"]");
  }

  @Test
  void springsCommonsLoggingMarker_isNoTag_unlessAsked() {
    // spring-jcl puts this marker on every event it forwards: on every Spring line it said nothing.
    LoggingEvent onlyBridge = lines.event("from Spring");
    onlyBridge.addMarker(MarkerFactory.getMarker("COMMONS-LOGGING"));
    assertThat(parse(lines.encoder().encode(onlyBridge)).has("tags")).isFalse();

    LoggingEvent both = lines.event("from Spring, audited");
    both.addMarker(MarkerFactory.getMarker("COMMONS-LOGGING"));
    both.addMarker(MarkerFactory.getMarker("AUDIT"));
    assertThat(parse(lines.encoder().encode(both)).get("tags").toString()).isEqualTo("[\"AUDIT\"]");
    assertThat(parse(lines.encoder(e -> e.setIgnoreMarkers("")).encode(both)).get("tags").toString())
        .isEqualTo("[\"COMMONS-LOGGING\",\"AUDIT\"]");
    assertThat(parse(lines.encoder(e -> e.setIgnoreMarkers("AUDIT, COMMONS-LOGGING")).encode(both)).has("tags"))
        .isFalse();
  }

  @Test
  void collidingFields_areRenamed_neverDuplicated_andReportedOnce() {
    LoggingEvent event = lines.event("real message");
    Map<String, String> mdc = new LinkedHashMap<>();
    mdc.put("message", "from mdc");
    mdc.put("orderId", "mdc-1");
    event.setMDCPropertyMap(mdc);
    event.addKeyValuePair(new org.slf4j.event.KeyValuePair("orderId", "kv-1"));
    event.addKeyValuePair(new org.slf4j.event.KeyValuePair("level", "kv-level"));
    ThreadlineEncoder encoder = lines.encoder();
    JsonNode line = parse(encoder.encode(event));
    parse(encoder.encode(event));
    assertThat(line.get("message").asString()).isEqualTo("real message");
    assertThat(line.get("_message").asString()).isEqualTo("from mdc");
    assertThat(line.get("orderId").asString()).isEqualTo("mdc-1");
    assertThat(line.get("_orderId").asString()).isEqualTo("kv-1");
    assertThat(line.get("level").asString()).isEqualTo("info");
    assertThat(line.get("_level").asString()).isEqualTo("kv-level");
    assertThat(lines.statusMessages().stream().filter(m -> m.startsWith("Field 'orderId'"))).hasSize(1);
  }

  @Test
  void error_hasTypeMessageStackAndFingerprint() {
    Exception cause = new java.io.IOException("disk full");
    IllegalStateException error = new IllegalStateException("could not save", cause);
    error.addSuppressed(new IllegalArgumentException("while closing"));
    JsonNode line = parse(lines.encoder().encode(lines.event(Level.ERROR, "failed", error)));
    assertThat(keys(line)).last().isEqualTo("error");
    JsonNode e = line.get("error");
    assertThat(keys(e)).containsExactly("type", "message", "stack", "fingerprint");
    assertThat(e.get("type").asString()).isEqualTo("java.lang.IllegalStateException");
    assertThat(e.get("message").asString()).isEqualTo("could not save");
    assertThat(e.get("fingerprint").asString()).matches("[0-9a-f]{16}");
    String stack = e.get("stack").asString();
    assertThat(stack).startsWith("java.lang.IllegalStateException: could not save\n\tat ")
        .contains("\n\tSuppressed: java.lang.IllegalArgumentException: while closing\n")
        .contains("\nCaused by: java.io.IOException: disk full\n")
        .contains("common frames omitted")
        .doesNotEndWith("\n");
  }

  @Test
  void error_rootCauseFirst_andDepthCap() {
    Exception error = new IllegalStateException("outer", new java.io.IOException("root"));
    JsonNode line = parse(lines.encoder(e -> {
      e.setRootCauseFirst(true);
      e.setMaxStackDepth(2);
    }).encode(lines.event(Level.ERROR, "failed", error)));
    String stack = line.get("error").get("stack").asString();
    assertThat(stack).startsWith("java.io.IOException: root\n")
        .contains("Wrapped by: java.lang.IllegalStateException: outer")
        .contains("more frames not shown");
  }

  @Test
  void error_cyclicCauseChain_isMarkedAndEnds() {
    Exception a = new IllegalStateException("a");
    Exception b = new IllegalArgumentException("b", a);
    a.initCause(b);
    JsonNode line = parse(lines.encoder().encode(lines.event(Level.ERROR, "cycle", a)));
    assertThat(line.get("error").get("stack").asString()).contains("CIRCULAR REFERENCE");
  }

  @Test
  void longMessage_isCutWithAVisibleMarker() {
    String message = "x".repeat(100);
    JsonNode line = parse(lines.encoder(e -> e.setMaxFieldLength(40)).encode(lines.event(message)));
    assertThat(line.get("message").asString()).isEqualTo("x".repeat(40) + "…[truncated 60 chars]");
  }

  @Test
  void hugeEvent_staysUnderTheLineLimit_andStaysValid() {
    LoggingEvent event = lines.event("m".repeat(10_000_000));
    Map<String, String> mdc = new LinkedHashMap<>();
    for (int i = 0; i < 20_000; i++) {
      mdc.put("key" + i, "value-" + "v".repeat(50));
    }
    event.setMDCPropertyMap(mdc);
    byte[] bytes = lines.encoder().encode(event);
    JsonNode line = parse(bytes);
    assertThat(bytes.length).isLessThanOrEqualTo(ThreadlineEncoder.DEFAULT_MAX_LINE_BYTES);
    assertThat(line.get("message").asString()).contains("truncated");
    assertThat(line.get("truncated").asBoolean()).isTrue();
  }

  @Test
  void anyStringContent_givesValidJsonAndUtf8() throws Exception {
    String nasty = "quote\" backslash\\ nl\n cr\r tab\t nul\u0000 bell\u0007 del\u007f"
        + " lone-high\uD800 lone-low\uDC00 pair\uD83D\uDE00 \u2028 é 中";
    LoggingEvent event = lines.event(nasty);
    event.setMDCPropertyMap(Map.of("weird\"key\n", nasty));
    byte[] bytes = lines.encoder().encode(event);
    JsonNode line = parse(bytes);
    String back = line.get("message").asString();
    assertThat(back).startsWith("quote\" backslash\\ nl\n cr\r tab\t nul\u0000 bell\u0007 del\u007f")
        .contains("lone-high\uFFFD lone-low\uFFFD pair\uD83D\uDE00").endsWith("é 中");
    assertThat(line.get("weird\"key\n").asString()).isEqualTo(back);
    assertThat(StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString()).isNotEmpty();
  }

  @Test
  void presets_switchTheKeyNames() {
    Exception error = new IllegalStateException("boom");
    LoggingEvent event = lines.event(Level.ERROR, "failed", error);
    event.setMDCPropertyMap(Map.of("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736", "span_id", "00f067aa0ba902b7"));
    JsonNode ecs = parse(lines.encoder(e -> {
      e.setFieldNames("ecs");
      e.setService("api");
    }).encode(event));
    assertThat(keys(ecs)).containsExactly("@timestamp", "log.level", "service.name", "host.name", "log.logger",
        "process.thread.name", "message", "trace.id", "span.id", "error.type", "error.message",
        "error.stack_trace", "error.fingerprint");
    JsonNode otel = parse(lines.encoder(e -> {
      e.setFieldNames("OTel");
      e.setService("api");
    }).encode(event));
    assertThat(otel.get("severity_text").asString()).isEqualTo("ERROR");
    assertThat(otel.get("body").asString()).isEqualTo("failed");
    assertThat(otel.get("exception.type").asString()).isEqualTo("java.lang.IllegalStateException");
    assertThat(otel.get("trace_id").asString()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
  }

  @Test
  void unknownPreset_failsAtStartNamingTheSetting_butLinesStillGetWritten() {
    ThreadlineEncoder encoder = lines.encoder(e -> e.setFieldNames("bogus"));
    assertThat(encoder.isStarted()).isFalse();
    assertThat(lines.statusMessages()).anyMatch(m -> m.contains("fieldNames") && m.contains("bogus"));
    assertThat(parse(encoder.encode(lines.event("still logged"))).get("message").asString())
        .isEqualTo("still logged");
  }

  @Test
  void staticFields_andContextProperties() {
    lines.context.putProperty("threadline.service", "from-context");
    JsonNode line = parse(lines.encoder(e -> {
      e.addStaticField("region=eu-west-1");
      e.addStaticField("service=sneaky");
    }).encode(lines.event("m")));
    assertThat(line.get("service").asString()).isEqualTo("from-context");
    assertThat(line.get("region").asString()).isEqualTo("eu-west-1");
    assertThat(line.get("_service").asString()).isEqualTo("sneaky");
  }

  @Test
  void valuesWhoseToStringThrows_neverBreakTheLine() {
    Object evil = new Object() {
      @Override
      public String toString() {
        throw new IllegalStateException("toString failed");
      }
    };
    LoggingEvent event = lines.event("arg {}", evil);
    event.addKeyValuePair(new org.slf4j.event.KeyValuePair("evil", evil));
    JsonNode line = parse(lines.encoder(e -> e.setObjectSerializer("toString")).encode(event));
    assertThat(line.get("evil").asString()).startsWith("[unserializable ");
    assertThat(line.get("message").asString()).contains("arg ");
  }

  @Test
  void anEventThatThrowsEverywhere_stillGivesOneValidLine() {
    LoggingEvent broken = new LoggingEvent(getClass().getName(), lines.logger, Level.WARN, "m", null, null) {
      @Override
      public Map<String, String> getMDCPropertyMap() {
        throw new IllegalStateException("broken MDC");
      }
    };
    JsonNode line = parse(lines.encoder().encode(broken));
    assertThat(line.get("encoder_error").asString()).isEqualTo("java.lang.IllegalStateException");
    assertThat(line.get("message").asString()).isEqualTo("m");
    assertThat(lines.statusMessages()).anyMatch(m -> m.contains("could not encode"));
  }

  @Test
  void encodeIntoATarget_handsOverTheSameBytesAsEncode_includingTheFallbackLine() {
    ThreadlineEncoder encoder = lines.encoder();
    LoggingEvent event = lines.event("order {} placed", "o-17");
    event.addKeyValuePair(new org.slf4j.event.KeyValuePair("items", 3));
    List<byte[]> received = new java.util.ArrayList<>();
    ThreadlineEncoder.LineTarget<List<byte[]>> copy =
        (into, line, offset, length) -> into.add(java.util.Arrays.copyOfRange(line, offset, offset + length));
    encoder.encode(event, copy, received);
    assertThat(received).hasSize(1);
    assertThat(new String(received.get(0), StandardCharsets.UTF_8))
        .isEqualTo(new String(encoder.encode(event), StandardCharsets.UTF_8));
    assertThat(parse(received.get(0)).get("message").asString()).isEqualTo("order o-17 placed");

    LoggingEvent broken = new LoggingEvent(getClass().getName(), lines.logger, Level.WARN, "m", null, null) {
      @Override
      public Map<String, String> getMDCPropertyMap() {
        throw new IllegalStateException("broken MDC");
      }
    };
    encoder.encode(broken, copy, received);
    assertThat(received).hasSize(2);
    assertThat(parse(received.get(1)).get("encoder_error").asString()).isEqualTo("java.lang.IllegalStateException");
  }

  @Test
  void sensitiveFieldsAndSecretsInValues_areRedacted() {
    LoggingEvent event = lines.event("calling with Authorization: Bearer abcdefghijklmnop123");
    event.addKeyValuePair(new org.slf4j.event.KeyValuePair("password", "hunter2"));
    event.addKeyValuePair(new org.slf4j.event.KeyValuePair("user", "bob"));
    JsonNode line = parse(lines.encoder().encode(event));
    assertThat(line.get("password").asString()).isEqualTo("[REDACTED]");
    assertThat(line.get("user").asString()).isEqualTo("bob");
    assertThat(line.get("message").asString()).doesNotContain("abcdefghijklmnop123").contains("Bearer [REDACTED]");
    JsonNode off = parse(lines.encoder(e -> e.setRedact(false)).encode(event));
    assertThat(off.get("password").asString()).isEqualTo("hunter2");
  }

  /** A span id of decimal digits passing Luhn looks like a card number; under an id field it is an id. */
  @Test
  void idFieldsHoldingIdsThatLookLikeCardNumbers_areWrittenAsTheyAre() {
    String spanLikeCard = "6756117719205507"; // 16 digits, Luhn-valid: a real CI run's parent_span_id
    String traceLikeCard = "00000000000000004111111111111111";
    LoggingEvent event = lines.event("hop");
    event.addKeyValuePair(new org.slf4j.event.KeyValuePair("parent_span_id", spanLikeCard));
    event.addKeyValuePair(new org.slf4j.event.KeyValuePair("callee_span_id", spanLikeCard));
    event.addKeyValuePair(new org.slf4j.event.KeyValuePair("linkedTraceId", traceLikeCard));
    event.addKeyValuePair(new org.slf4j.event.KeyValuePair("card", spanLikeCard));
    event.addKeyValuePair(new org.slf4j.event.KeyValuePair("other_span_id", "4111 1111 1111 1111"));
    event.setMDCPropertyMap(java.util.Map.of("caller_request_id", "4111111111111111", "caller_trace_id", traceLikeCard,
        "note", "4111111111111111"));
    JsonNode line = parse(lines.encoder().encode(event));
    assertThat(line.get("parent_span_id").asString()).isEqualTo(spanLikeCard);
    assertThat(line.get("callee_span_id").asString()).isEqualTo(spanLikeCard);
    assertThat(line.get("linkedTraceId").asString()).isEqualTo(traceLikeCard);
    assertThat(line.get("caller_request_id").asString()).isEqualTo("4111111111111111");
    assertThat(line.get("caller_trace_id").asString()).isEqualTo(traceLikeCard);
    // Not an id field, or not of the id's form: the card detector still applies.
    assertThat(line.get("card").asString()).isEqualTo("[REDACTED]");
    assertThat(line.get("note").asString()).isEqualTo("[REDACTED]");
    assertThat(line.get("other_span_id").asString()).isEqualTo("[REDACTED]");
  }

  @Test
  void layout_writesTheSameLine() {
    ThreadlineEncoder encoder = lines.encoder(e -> e.setService("api"));
    ThreadlineLayout layout = new ThreadlineLayout();
    layout.setContext(lines.context);
    layout.setEncoder(encoder);
    layout.start();
    LoggingEvent event = lines.event("same");
    assertThat(layout.doLayout(event)).isEqualTo(new String(encoder.encode(event), StandardCharsets.UTF_8));
  }

  record Login(String user, String password, String email) { }

  @Test
  void objectsSerializedByJackson_areRedactedAndCappedLikeAnyValue() {
    LoggingEvent event = lines.event("m");
    event.addKeyValuePair(new org.slf4j.event.KeyValuePair("login", new Login("bob", "hunter2", "bob@example.com")));
    for (String serializer : List.of("jackson3", "jackson2")) {
      JsonNode login = parse(lines.encoder(e -> e.setObjectSerializer(serializer)).encode(event)).get("login");
      assertThat(login.get("user").asString()).isEqualTo("bob");
      assertThat(login.get("password").asString()).isEqualTo("[REDACTED]");
      assertThat(login.get("email").asString()).isEqualTo("[REDACTED]");
    }
  }

  @Test
  void reducedLine_isRedacted_keepsTheErrorObject_andReservesTruncated() {
    LoggingEvent event = lines.event(Level.ERROR,
        "token Bearer abcdefghijklmnop123 " + "m".repeat(400_000), new IllegalStateException("boom"));
    Map<String, String> mdc = new LinkedHashMap<>();
    for (int i = 0; i < 20_000; i++) {
      mdc.put("key" + i, "v".repeat(60));
    }
    event.setMDCPropertyMap(mdc);
    JsonNode line = parse(lines.encoder().encode(event));
    assertThat(line.get("truncated").asBoolean()).isTrue();
    assertThat(line.get("message").asString()).contains("Bearer [REDACTED]").doesNotContain("abcdefghijklmnop123");
    assertThat(line.get("error").get("type").asString()).isEqualTo("java.lang.IllegalStateException");
    assertThat(line.get("error").get("fingerprint").asString()).matches("[0-9a-f]{16}");

    LoggingEvent userTruncated = lines.event("m");
    userTruncated.addKeyValuePair(new org.slf4j.event.KeyValuePair("truncated", false));
    JsonNode normal = parse(lines.encoder().encode(userTruncated));
    assertThat(normal.has("truncated")).isFalse();
    assertThat(normal.get("_truncated").asBoolean()).isFalse();
  }

  @Test
  void longFieldNames_areCutBeforeTheyAreMadeUnique() {
    LoggingEvent event = lines.event("m");
    String prefix = "k".repeat(300);
    event.addKeyValuePair(new org.slf4j.event.KeyValuePair(prefix + "A", 1));
    event.addKeyValuePair(new org.slf4j.event.KeyValuePair(prefix + "B", 2));
    JsonNode line = parse(lines.encoder().encode(event));
    assertThat(keys(line)).filteredOn(k -> k.contains("kkkk")).hasSize(2).allMatch(k -> k.length() <= 257);
  }

  @Test
  void malformedCorrelationValuesInTheMdc_becomeOrdinaryFields() {
    LoggingEvent event = lines.event("m");
    event.setMDCPropertyMap(Map.of("trace_id", "not-a-trace-id", "requestId", "ok-1"));
    JsonNode line = parse(lines.encoder().encode(event));
    assertThat(line.has("trace_id")).isFalse();
    assertThat(line.get("_trace_id").asString()).isEqualTo("not-a-trace-id");
    assertThat(line.get("requestId").asString()).isEqualTo("ok-1");
  }

  @Test
  void rootCauseFirst_keepsTheRootOfAVeryLongChain() {
    Exception chain = new java.io.IOException("the root");
    for (int i = 0; i < 40; i++) {
      chain = new IllegalStateException("wrapper " + i, chain);
    }
    String stack = parse(lines.encoder(e -> e.setRootCauseFirst(true)).encode(
        lines.event(Level.ERROR, "deep", chain))).get("error").get("stack").asString();
    assertThat(stack).startsWith("java.io.IOException: the root").contains("outer exceptions not shown]");
  }

  @Test
  void longCollections_endWithAMarker() {
    LoggingEvent event = lines.event("m");
    event.addKeyValuePair(new org.slf4j.event.KeyValuePair("ids", java.util.stream.IntStream.range(0, 1500)
        .boxed().toList()));
    JsonNode ids = parse(lines.encoder().encode(event)).get("ids");
    assertThat(ids.size()).isEqualTo(1001);
    assertThat(ids.get(1000).asString()).isEqualTo("…[more items not shown]");
  }

  @Test
  void hugeExceptionMessage_staysWithinTheStackCap() {
    Exception error = new IllegalStateException("x".repeat(100_000));
    JsonNode line = parse(lines.encoder(e -> e.setMaxStackLength(4096)).encode(lines.event(Level.ERROR, "m", error)));
    assertThat(line.get("error").get("stack").asString().length()).isLessThan(4096 + 1024);
  }
}
