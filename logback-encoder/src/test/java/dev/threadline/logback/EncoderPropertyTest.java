package dev.threadline.logback;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import org.slf4j.MarkerFactory;
import org.slf4j.event.KeyValuePair;
import tools.jackson.databind.JsonNode;

/**
 * The encoder's promise, checked on {@value #TRIES} × {@value #EVENTS_PER_TRY} = 1,000,000 generated events: for
 * any content (any Unicode including lone surrogates and control characters, nulls everywhere, values whose
 * {@code toString} throws, cyclic cause chains, deep nesting, huge strings), it never throws and writes exactly one
 * valid JSON line, UTF-8, with unique keys, within the caps. jqwik drives the strings and the seed of each batch;
 * every line is parsed back with Jackson in strict mode.
 */
class EncoderPropertyTest {

  static final int TRIES = 10_000;
  static final int EVENTS_PER_TRY = 100;
  static final int MAX_FIELD = 300;
  static final int MAX_LINE = ThreadlineEncoder.MIN_MAX_LINE_BYTES;
  static final String MARKER = "…[truncated ";

  private static final Lines LINES = new Lines();
  private static final ThreadlineEncoder SMALL_CAPS = LINES.encoder(e -> {
    e.setMaxFieldLength(MAX_FIELD);
    e.setMaxLineBytes(MAX_LINE);
    e.setMaxStackLength(2048);
    e.setService("fuzz");
  });
  private static final ThreadlineEncoder DEFAULTS = LINES.encoder();
  private static final ThreadlineEncoder TO_STRING = LINES.encoder(e -> {
    e.setObjectSerializer("toString");
    e.setFieldNames("ecs");
  });
  private static long linesChecked;

  @AfterContainer
  static void allEventsWereChecked() {
    assertThat(linesChecked).isGreaterThanOrEqualTo((long) TRIES * EVENTS_PER_TRY);
  }

  @Provide
  Arbitrary<String> nasty() {
    return Arbitraries.oneOf(
        Arbitraries.strings().all().ofMaxLength(400),
        Arbitraries.strings().withChars('"', '\\', '\n', '\u0000', '\u001f', '\uD800', '\uDC00', '\u2028', 'é', '€')
            .ofMaxLength(80),
        Arbitraries.strings().ascii().ofMaxLength(40));
  }

  @Property(tries = TRIES)
  void everyEventGivesExactlyOneValidLineWithinTheCaps(
      @ForAll("nasty") String a, @ForAll("nasty") String b, @ForAll long seed) throws Exception {
    Random random = new Random(seed);
    String[] pool = {a, b, "", "plain text", null, "x".repeat(random.nextInt(5_000))};
    for (int i = 0; i < EVENTS_PER_TRY; i++) {
      int which = random.nextInt(10);
      boolean small = which > 1;
      LoggingEvent event = event(random, pool);
      byte[] bytes = (small ? SMALL_CAPS : which == 0 ? DEFAULTS : TO_STRING).encode(event);
      check(bytes, small ? MAX_LINE : ThreadlineEncoder.DEFAULT_MAX_LINE_BYTES, small ? MAX_FIELD : 32 * 1024);
      linesChecked++;
    }
  }

  private static LoggingEvent event(Random random, String[] pool) {
    Level level = List.of(Level.TRACE, Level.DEBUG, Level.INFO, Level.WARN, Level.ERROR).get(random.nextInt(5));
    // Message arguments whose toString throws are left out: Logback itself prints each such failure to stderr.
    Object[] args = random.nextBoolean() ? null : new Object[] {pick(random, pool), random.nextLong()};
    Throwable error = random.nextInt(4) == 0 ? throwable(random, pool) : null;
    String message = random.nextInt(20) == 0 ? null : pick(random, pool) + (args == null ? "" : " {} {}");
    LoggingEvent event = new LoggingEvent(LoggingEvent.class.getName(), LINES.logger, level, message, error, args);
    if (random.nextInt(50) != 0) {
      Map<String, String> mdc = new HashMap<>();
      int entries = random.nextInt(random.nextInt(30) == 0 ? 400 : 8);
      for (int i = 0; i < entries; i++) {
        mdc.put(key(random, pool), pick(random, pool));
      }
      event.setMDCPropertyMap(mdc);
    }
    int pairs = random.nextInt(4);
    for (int i = 0; i < pairs; i++) {
      event.addKeyValuePair(new KeyValuePair(random.nextInt(20) == 0 ? null : key(random, pool),
          value(random, pool, 0)));
    }
    if (random.nextInt(5) == 0) {
      event.addMarker(random.nextBoolean() ? MarkerFactory.getMarker("AUDIT")
          : Fields.marker(key(random, pool), value(random, pool, 0)));
    }
    if (random.nextInt(8) == 0) {
      event.setThreadName(pick(random, pool));
    }
    return event;
  }

  private static String pick(Random random, String[] pool) {
    return pool[random.nextInt(pool.length)];
  }

  private static String key(Random random, String[] pool) {
    String[] keys = {"message", "level", "timestamp", "error", "tags", "requestId", "trace_id", "orderId", "k"};
    String key = random.nextBoolean() ? keys[random.nextInt(keys.length)] : pick(random, pool);
    return key == null ? "null-key" : key;
  }

  private static Object value(Random random, String[] pool, int depth) {
    switch (random.nextInt(depth > 6 ? 9 : 14)) {
      case 0: return null;
      case 1: return random.nextLong();
      case 2: return random.nextDouble() * 1e300;
      case 3: return List.of(Double.NaN, Double.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY).get(random.nextInt(3));
      case 4: return random.nextBoolean();
      case 5: return new BigDecimal(random.nextInt()).movePointLeft(random.nextInt(10));
      case 6: return pick(random, pool);
      case 7: return new Object() {
          @Override
          public String toString() {
            throw new IllegalStateException("toString throws");
          }
        };
      case 8: return Optional.ofNullable(pick(random, pool));
      case 9: {
        Map<Object, Object> map = new HashMap<>();
        map.put(key(random, pool), value(random, pool, depth + 1));
        map.put(random.nextInt(3), value(random, pool, depth + 1));
        return map;
      }
      case 10: {
        List<Object> list = new ArrayList<>();
        for (int i = random.nextInt(4); i > 0; i--) {
          list.add(value(random, pool, depth + 1));
        }
        return list;
      }
      case 11: return new int[] {random.nextInt(), random.nextInt()};
      case 12: {
        List<Object> cyclic = new ArrayList<>();
        cyclic.add(cyclic);
        return cyclic;
      }
      default: return new Object[] {pick(random, pool), value(random, pool, depth + 1)};
    }
  }

  private static Throwable throwable(Random random, String[] pool) {
    Throwable root = new IllegalStateException(pick(random, pool));
    Throwable top = root;
    for (int i = random.nextInt(4); i > 0; i--) {
      top = new RuntimeException(pick(random, pool), top);
    }
    if (random.nextInt(5) == 0) {
      top.addSuppressed(new IllegalArgumentException(pick(random, pool)));
    }
    if (random.nextInt(6) == 0 && root != top) {
      root.initCause(top); // a cycle
    }
    return top;
  }

  private static void check(byte[] bytes, int maxLine, int maxField) throws CharacterCodingException {
    assertThat(bytes.length).isLessThanOrEqualTo(maxLine);
    String text = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(ByteBuffer.wrap(bytes)).toString();
    assertThat(text.indexOf('\n')).isEqualTo(text.length() - 1);
    JsonNode line = Lines.STRICT.readTree(text);
    assertThat(line.isObject()).isTrue();
    String level = line.has("log.level") ? line.get("log.level").asString() : line.get("level").asString();
    assertThat(level).isIn("trace", "debug", "info", "warn", "error");
    assertThat(line.has("timestamp") || line.has("@timestamp")).isTrue();
    if (!line.has("truncated")) {
      checkCaps(line, maxField, 0);
    }
  }

  /** Every string, outside the stack, is at most the cap plus the marker. */
  private static void checkCaps(JsonNode node, int maxField, int depth) {
    if (node.isString()) {
      String s = node.asString();
      if (s.length() > maxField) {
        int marker = s.lastIndexOf(MARKER);
        assertThat(marker).isBetween(maxField - 1, maxField);
      }
    } else if (node.isObject()) {
      for (String key : node.propertyNames()) {
        if (!key.equals("stack") && !key.equals("error.stack_trace")) {
          checkCaps(node.get(key), maxField, depth + 1);
        }
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        checkCaps(node.get(i), maxField, depth + 1);
      }
    }
  }
}
