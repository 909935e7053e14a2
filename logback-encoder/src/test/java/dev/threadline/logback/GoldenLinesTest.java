package dev.threadline.logback;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxy;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.slf4j.MarkerFactory;
import org.slf4j.event.KeyValuePair;

/**
 * The lines of a fixed corpus of events, byte for byte as the encoder wrote them when the corpus was recorded
 * ({@code golden-lines.txt}), so that a change made for speed cannot change a line unnoticed. Each event is encoded
 * three times with the same string instances (the first sight, the second, then from the encoder's caches) and once
 * more with every string a new instance, and all four lines must be the recorded one.
 *
 * <p>To record the corpus again after a deliberate change of the lines: run this test with
 * {@code -Dgolden.write=<path of src/test/resources/golden-lines.txt>}, and review the difference.
 */
class GoldenLinesTest {

  private static final int EVENTS = 300;
  private static final Instant TIMESTAMP = Instant.parse("2026-03-14T09:26:53.589793Z");

  private final Lines lines = new Lines();

  @Test
  void everyLineIsTheRecordedOne_whetherItsStringsAreSeenForTheFirstTimeOrCached() throws IOException {
    List<String> written = new ArrayList<>();
    List<Consumer<ThreadlineEncoder>> settings = List.of(
        e -> { },
        e -> e.setMaxFieldLength(16),
        e -> e.setFieldNames("otel"));
    for (Consumer<ThreadlineEncoder> setting : settings) {
      ThreadlineEncoder encoder = lines.encoder(e -> {
        e.setService("golden");
        e.setHost("golden-host");
        setting.accept(e);
      });
      SplittableRandom random = new SplittableRandom(19);
      for (int i = 0; i < EVENTS; i++) {
        long seed = random.nextLong();
        String first = text(encoder.encode(event(new SplittableRandom(seed), false)));
        for (int again = 0; again < 2; again++) {
          // The same event object: the very same instances, as the lines of one request carry them.
          assertThat(text(encoder.encode(lastEvent))).as("event %d, again", i).isEqualTo(first);
        }
        assertThat(text(encoder.encode(event(new SplittableRandom(seed), true)))).as("event %d, fresh", i)
            .isEqualTo(first);
        Lines.parse(first.getBytes(StandardCharsets.UTF_8));
        written.add(first);
      }
    }
    String all = String.join("", written);
    String target = System.getProperty("golden.write");
    if (target != null) {
      Files.writeString(Path.of(target), all, StandardCharsets.UTF_8);
    }
    assertThat(written).hasSize(3 * EVENTS);
    assertThat(all).isEqualTo(recorded());
  }

  private static String recorded() throws IOException {
    try (InputStream in = GoldenLinesTest.class.getResourceAsStream("/golden-lines.txt")) {
      assertThat(in).as("golden-lines.txt").isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static String text(byte[] line) {
    return new String(line, StandardCharsets.UTF_8);
  }

  private LoggingEvent lastEvent;

  /** A random event of the corpus; with {@code fresh}, every string is a new instance of the same content. */
  private LoggingEvent event(SplittableRandom random, boolean fresh) {
    Object[] arguments = {value(random, fresh), value(random, fresh), random.nextInt(1000),
        random.nextInt(4) == 0 ? Fields.field("orderId", value(random, fresh)) : value(random, fresh)};
    String pattern = PATTERNS[random.nextInt(PATTERNS.length)];
    Level level = random.nextInt(5) == 0 ? Level.ERROR : Level.INFO;
    Throwable throwable = random.nextInt(6) == 0 ? failure(value(random, fresh)) : null;
    LoggingEvent event = lines.event(level, pattern, throwable, arguments);
    event.setInstant(TIMESTAMP);
    event.setThreadName("golden-thread");
    Map<String, String> mdc = new HashMap<>();
    int entries = random.nextInt(8);
    for (int k = 0; k < entries; k++) {
      String key = MDC_KEYS[random.nextInt(MDC_KEYS.length)];
      mdc.put(key, random.nextInt(12) == 0 ? null : key.contains("trace") || key.contains("span")
          || key.contains("equest") ? id(random, key, fresh) : value(random, fresh));
    }
    event.setMDCPropertyMap(mdc);
    int pairs = random.nextInt(4);
    for (int k = 0; k < pairs; k++) {
      String key = KV_KEYS[random.nextInt(KV_KEYS.length)];
      Object value = random.nextInt(5) == 0 ? (Object) random.nextLong() : value(random, fresh);
      event.addKeyValuePair(new KeyValuePair(key, value));
    }
    if (random.nextInt(5) == 0) {
      event.addMarker(random.nextBoolean() ? MarkerFactory.getMarker("AUDIT")
          : Fields.marker("cart", value(random, fresh)));
    }
    lastEvent = event;
    return event;
  }

  private static Throwable failure(String message) {
    IllegalStateException e = new IllegalStateException(message);
    e.setStackTrace(new StackTraceElement[] {
        new StackTraceElement("com.acme.OrderService", "ship", "OrderService.java", 42),
        new StackTraceElement("com.acme.OrderController", "post", "OrderController.java", 17)});
    return e;
  }

  private static final String[] PATTERNS = {
      "Shipping order {} for customer {} took {} ms",
      "no arguments here",
      "{} {} {} {}",
      "escaped \\{} and {} then {}",
      "card {} and mail {}",
  };

  private static final String[] MDC_KEYS = {
      "requestId", "trace_id", "span_id", "userId", "tenant", "region", "httpPath", "parent_span_id",
      "password", "callee_span_id", "caller_request_id", "note",
  };

  private static final String[] KV_KEYS = {"carrier", "items", "apiKey", "orderId", "trace_id", "note", "level"};

  private static final String[] VALUES = {
      "u-1842", "acme-eu", "eu-west-1", "POST", "/api/orders/42/ship", "DHL Express", "jane@example.com",
      "4111 1111 1111 1111", "4111111111111111", "Bearer abcdefgh12345678", "password=hunter2", "pwd:x",
      "https://user:secret@example.com/x", "eyJhbGciOiJIUzI1.eyJzdWIiOiIxMjM0.c2lnbmF0dXJl", "a@b", "x=1",
      "12:30", "tab\there", "quote\"and\\slash", "naïve café", "日本語のテキスト", "emoji \uD83D\uDE00 here",
      "lone \uD800 surrogate", "", " ", "AKIAABCDEFGHIJKLMNOP", "1234567890123", "123456789012",
      "line\nbreak", "ctrl\u0001char", "sk_live_0123456789abcdefgh",
  };

  private static String value(SplittableRandom random, boolean fresh) {
    String value;
    if (random.nextInt(8) == 0) {
      StringBuilder s = new StringBuilder();
      int n = 1 + random.nextInt(60);
      for (int k = 0; k < n; k++) {
        s.append(VALUES[random.nextInt(VALUES.length)]).append(random.nextBoolean() ? ' ' : '-');
      }
      value = s.toString();
    } else {
      value = VALUES[random.nextInt(VALUES.length)];
    }
    return fresh ? new String(value.toCharArray()) : value;
  }

  private static String id(SplittableRandom random, String key, boolean fresh) {
    String value;
    switch (random.nextInt(6)) {
      case 0:
        value = "00f067aa0ba902b7";
        break;
      case 1:
        value = "4bf92f3577b34da6a3ce929d0e0e4736";
        break;
      case 2:
        value = "req-7f3a9c2e5b1d4e08";
        break;
      case 3:
        value = "4111111111111111"; // a valid span id that passes Luhn
        break;
      case 4:
        value = "not an id \"at all\"";
        break;
      default:
        value = "0000000000000000";
    }
    return fresh ? new String(value.toCharArray()) : value;
  }
}
