package dev.threadline.logback;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.threadline.core.Correlation;
import dev.threadline.core.MdcKeys;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.Marker;
import org.slf4j.MarkerFactory;
import org.slf4j.event.KeyValuePair;

/**
 * The log-line schema as a contract ({@code docs/schema.md}): the example lines in {@code docs/schema/examples/}
 * are exactly what the encoder writes for the events built here, and {@code docs/schema.md} shows them as committed;
 * every line the encoder writes, examples and a varied generated batch alike, is valid against
 * {@code docs/schema/threadline-log-line-1.0.0.schema.json}. Either side changing without the other fails here.
 *
 * <p>When an example no longer matches, the line the encoder wrote is left in {@code target/schema-examples/} to
 * review and, if the change is meant, to copy over the committed one (and to bump the schema version if it is not
 * a compatible change).
 */
class SchemaContractTest {

  /** Surefire runs in the module directory; the docs live beside the modules. */
  static final Path SCHEMA = Path.of("..", "docs", "schema", "threadline-log-line-1.0.0.schema.json");
  static final Path EXAMPLES = Path.of("..", "docs", "schema", "examples");
  static final Path SCHEMA_PAGE = Path.of("..", "docs", "schema.md");
  static final Path ACTUAL_EXAMPLES = Path.of("target", "schema-examples");

  static final Instant AT = Instant.parse("2026-03-14T09:26:53.589793238Z");
  static final String THREAD = "http-nio-8080-exec-7";
  static final String REQUEST_ID = "01kkp3m9z8r5w2f7c0x4";
  static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final String SPAN_ID = "00f067aa0ba902b7";

  private static final ObjectMapper JACKSON2 = new ObjectMapper();
  private static final JsonSchema SCHEMA_VALIDATOR = loadSchema();

  private final Lines lines = new Lines();

  private static JsonSchema loadSchema() {
    try {
      return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(Files.readString(SCHEMA));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + SCHEMA.toAbsolutePath(), e);
    }
  }

  @BeforeEach
  @AfterEach
  void threadlineMdcKeys() {
    MdcKeys.activate(MdcKeys.threadline());
  }

  // ---- (a) The committed examples are real encoder output. ----

  @ParameterizedTest
  @ValueSource(strings = {"plain", "fields", "error", "access"})
  void exampleFile_isExactlyWhatTheEncoderWrites(String name) throws IOException {
    byte[] actual = exampleEncoder().encode(example(name));
    byte[] committed = Files.readAllBytes(EXAMPLES.resolve(name + ".json"));
    if (!Arrays.equals(actual, committed)) {
      Files.createDirectories(ACTUAL_EXAMPLES);
      Files.write(ACTUAL_EXAMPLES.resolve(name + ".json"), actual);
    }
    assertThat(new String(actual, StandardCharsets.UTF_8))
        .as("docs/schema/examples/%s.json (the encoder's line is in %s)", name,
            ACTUAL_EXAMPLES.resolve(name + ".json"))
        .isEqualTo(new String(committed, StandardCharsets.UTF_8));
    assertThat(actual).isEqualTo(committed);
    Lines.parse(committed);
    assertValid(committed);
  }

  @Test
  void schemaPage_showsTheCommittedExamplesAndStackText() throws IOException {
    String page = Files.readString(SCHEMA_PAGE);
    for (String name : List.of("plain", "fields", "error", "access")) {
      String line = Files.readString(EXAMPLES.resolve(name + ".json")).stripTrailing();
      assertThat(page).as("docs/schema.md shows %s.json", name).contains("\n" + line + "\n");
    }
    String stack = JACKSON2.readTree(EXAMPLES.resolve("error.json").toFile()).get("error").get("stack").asText();
    assertThat(page).as("docs/schema.md shows the error example's stack text").contains("\n" + stack + "\n");
  }

  @Test
  void schemaId_carriesTheVersionOfItsFileName() throws IOException {
    String id = JACKSON2.readTree(SCHEMA.toFile()).get("$id").asText();
    assertThat(id).endsWith("/" + SCHEMA.getFileName()).contains("-1.0.0.");
  }

  private ThreadlineEncoder exampleEncoder() {
    return lines.encoder(e -> {
      e.setService("order-api");
      e.setEnv("prod");
      e.setVersion("1.4.2");
      e.setHost("order-api-7c9f8d6b5-x2klq");
    });
  }

  private LoggingEvent example(String name) {
    switch (name) {
      case "plain":
        return fixed(event("com.acme.orders.OrderService", Level.INFO, "Order o-1042 placed", null),
            correlation());
      case "fields": {
        Map<String, String> mdc = correlation();
        mdc.put("tenant", "acme");
        LoggingEvent event = fixed(event("com.acme.orders.OrderService", Level.INFO, "Order {} placed", null,
            Fields.field("orderId", "o-1042")), mdc);
        Map<String, Object> customer = new LinkedHashMap<>();
        customer.put("tier", "gold");
        customer.put("since", 2019);
        event.addKeyValuePair(new KeyValuePair("items", 3));
        event.addKeyValuePair(new KeyValuePair("amount", new BigDecimal("59.90")));
        event.addKeyValuePair(new KeyValuePair("currency", "EUR"));
        event.addKeyValuePair(new KeyValuePair("express", true));
        event.addKeyValuePair(new KeyValuePair("coupon", null));
        event.addKeyValuePair(new KeyValuePair("skus", List.of("SKU-1001", "SKU-2002")));
        event.addKeyValuePair(new KeyValuePair("customer", customer));
        event.addKeyValuePair(new KeyValuePair("paymentToken", "tok_4f9a8b7c6d5e"));
        event.addKeyValuePair(new KeyValuePair("service", "payment-gateway"));
        event.addMarker(Fields.marker("warehouse", "FRA-2"));
        event.addMarker(MarkerFactory.getMarker("AUDIT"));
        return event;
      }
      case "error": {
        LoggingEvent event = fixed(event("com.acme.orders.OrderService", Level.ERROR,
            "Payment failed for order o-1042", paymentFailure()), correlation());
        event.addKeyValuePair(new KeyValuePair("orderId", "o-1042"));
        return event;
      }
      case "access": {
        LoggingEvent event = fixed(event("dev.threadline.access", Level.INFO, "POST /api/orders 201 48 ms", null),
            correlation());
        event.addKeyValuePair(new KeyValuePair("method", "POST"));
        event.addKeyValuePair(new KeyValuePair("path", "/api/orders"));
        event.addKeyValuePair(new KeyValuePair("status", 201));
        event.addKeyValuePair(new KeyValuePair("duration_ms", 48));
        event.addKeyValuePair(new KeyValuePair("user_agent", "okhttp/4.12.0"));
        event.addKeyValuePair(new KeyValuePair("client_ip", "203.0.113.42"));
        return event;
      }
      default:
        throw new IllegalArgumentException(name);
    }
  }

  private LoggingEvent event(String loggerName, Level level, String message, Throwable error, Object... args) {
    Logger logger = lines.context.getLogger(loggerName);
    return new LoggingEvent(Logger.class.getName(), logger, level, message, error, args);
  }

  /** The fixed instant and thread that make the line the same on every run and machine. */
  private static LoggingEvent fixed(LoggingEvent event, Map<String, String> mdc) {
    event.setInstant(AT);
    event.setThreadName(THREAD);
    event.setMDCPropertyMap(mdc);
    return event;
  }

  private static Map<String, String> correlation() {
    Map<String, String> mdc = new LinkedHashMap<>();
    mdc.put("requestId", REQUEST_ID);
    mdc.put("trace_id", TRACE_ID);
    mdc.put("span_id", SPAN_ID);
    return mdc;
  }

  /** A payment failure with a cause and a suppressed exception, its frames fixed so the stack text is stable. */
  private static Exception paymentFailure() {
    StackTraceElement[] caller = {
        frame("com.acme.orders.OrderService", "placeOrder", "OrderService.java", 57),
        frame("com.acme.orders.OrderController", "create", "OrderController.java", 41),
        frame("jdk.internal.reflect.DirectMethodHandleAccessor", "invoke", "DirectMethodHandleAccessor.java", 103),
        frame("java.lang.reflect.Method", "invoke", "Method.java", 580),
        frame("org.springframework.web.method.support.InvocableHandlerMethod", "doInvoke",
            "InvocableHandlerMethod.java", 258),
        frame("org.springframework.web.servlet.FrameworkServlet", "service", "FrameworkServlet.java", 885),
        frame("java.lang.Thread", "run", "Thread.java", 1583)};
    SocketTimeoutException cause = new SocketTimeoutException("Read timed out");
    cause.setStackTrace(stack(caller,
        frame("sun.nio.ch.NioSocketImpl", "timedRead", "NioSocketImpl.java", 278),
        frame("java.net.Socket$SocketInputStream", "read", "Socket.java", 1099),
        frame("com.acme.payments.PaymentClient", "charge", "PaymentClient.java", 84)));
    IllegalStateException failure = new IllegalStateException("Payment declined for order o-1042", cause);
    failure.setStackTrace(stack(caller, frame("com.acme.payments.PaymentClient", "charge", "PaymentClient.java", 88)));
    IOException closing = new IOException("Connection pool shut down");
    closing.setStackTrace(stack(caller,
        frame("com.acme.payments.PaymentClient", "close", "PaymentClient.java", 120),
        frame("com.acme.payments.PaymentClient", "charge", "PaymentClient.java", 90)));
    failure.addSuppressed(closing);
    return failure;
  }

  private static StackTraceElement frame(String className, String method, String file, int line) {
    return new StackTraceElement(className, method, file, line);
  }

  private static StackTraceElement[] stack(StackTraceElement[] caller, StackTraceElement... top) {
    StackTraceElement[] all = Arrays.copyOf(top, top.length + caller.length);
    System.arraycopy(caller, 0, all, top.length, caller.length);
    return all;
  }

  // ---- (b) Every line the encoder writes is valid against the committed schema. ----

  @Test
  void generatedEvents_allGiveLinesValidAgainstTheSchema() {
    Random random = new Random(20_261_122L);
    List<ThreadlineEncoder> encoders = List.of(
        exampleEncoder(),
        lines.encoder(e -> { }),
        lines.encoder(e -> {
          e.setService("tiny");
          e.setMaxLineBytes(ThreadlineEncoder.MIN_MAX_LINE_BYTES);
          e.setMaxFieldLength(200);
          e.setMaxStackDepth(3);
          e.setMaxStackLength(512);
          e.setRootCauseFirst(true);
        }),
        lines.encoder(e -> {
          e.setService("static");
          e.addStaticField("region=eu-west-1");
          e.addStaticField("level=static-level");
          e.setObjectSerializer("toString");
          e.addExcludeFrame("org.junit.");
        }),
        lines.encoder(e -> {
          e.setObjectSerializer("jackson2");
          e.addSensitiveName("iban");
          e.addRedactPattern("ACME-[0-9]{6}");
        }));
    int events = 200;
    int truncated = 0;
    int errors = 0;
    int tagged = 0;
    for (int i = 0; i < events; i++) {
      LoggingEvent event = randomEvent(random, i);
      byte[] line = encoders.get(i % encoders.size()).encode(event);
      Lines.parse(line);
      assertValid(line);
      String text = new String(line, StandardCharsets.UTF_8);
      truncated += text.contains("\"truncated\":true") ? 1 : 0;
      errors += event.getThrowableProxy() != null ? 1 : 0;
      tagged += text.contains("\"tags\":[") ? 1 : 0;
    }
    // The batch must reach the rare shapes too, or passing says little about them.
    assertThat(truncated).as("core-keys-only lines in the batch").isGreaterThanOrEqualTo(2);
    assertThat(errors).as("error lines in the batch").isGreaterThanOrEqualTo(40);
    assertThat(tagged).as("lines with tags in the batch").isGreaterThanOrEqualTo(10);
  }

  @Test
  void theSchema_rejectsLinesThatBreakTheContract() throws IOException {
    byte[] valid = exampleEncoder().encode(example("error"));
    assertValid(valid);
    List<Consumer<ObjectNode>> breaks = List.of(
        line -> line.put("level", "INFO"),
        line -> line.put("timestamp", "2026-03-14T09:26:53.589Z"),
        line -> line.put("timestamp", "2026-03-14T09:26:53.589793+00:00"),
        line -> line.remove("message"),
        line -> line.remove("thread"),
        line -> line.put("trace_id", TRACE_ID.toUpperCase(java.util.Locale.ROOT)),
        line -> line.put("span_id", TRACE_ID),
        line -> line.put("truncated", false),
        line -> line.put("tags", "AUDIT"),
        line -> line.put("service", 7),
        line -> ((ObjectNode) line.get("error")).remove("stack"),
        line -> ((ObjectNode) line.get("error")).put("fingerprint", "XYZ"));
    for (Consumer<ObjectNode> breakIt : breaks) {
      ObjectNode broken = (ObjectNode) JACKSON2.readTree(valid);
      breakIt.accept(broken);
      assertThat(SCHEMA_VALIDATOR.validate(broken)).as("validation of %s", broken).isNotEmpty();
    }
  }

  private static void assertValid(byte[] line) {
    String text = new String(line, StandardCharsets.UTF_8);
    Set<ValidationMessage> problems;
    try {
      problems = SCHEMA_VALIDATOR.validate(JACKSON2.readTree(text));
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + text, e);
    }
    assertThat(problems).as("schema validation of %s", text).isEmpty();
  }

  // ---- The generated batch. ----

  enum Status { ACTIVE, SUSPENDED }

  record Order(String id, int quantity, List<String> skus) { }

  private static final Level[] LEVELS = {Level.TRACE, Level.DEBUG, Level.INFO, Level.WARN, Level.ERROR};
  private static final String[] LOGGERS = {
      "com.acme.orders.OrderService", "dev.threadline.access", "org.hibernate.SQL", "ROOT", "a.b.C$Inner"};
  /** Names that collide with schema keys, with each other, or that must be redacted. */
  private static final String[] FIELD_NAMES = {
      "orderId", "amount", "message", "level", "error", "tags", "trace_id", "requestId", "timestamp", "_message",
      "password", "db.password", "X-Api-Key", "user", "nested", "weird \"key\"\n", "ключ", "orderId"};
  private static final List<Function<Random, Object>> VALUES = List.of(
      r -> r.nextInt(),
      r -> r.nextLong(),
      r -> r.nextDouble() * 1e6,
      r -> (float) r.nextGaussian(),
      r -> Double.NaN,
      r -> Double.NEGATIVE_INFINITY,
      r -> Float.POSITIVE_INFINITY,
      r -> new BigDecimal("12345678901234567890.000001"),
      r -> new BigInteger("-98765432109876543210"),
      r -> r.nextBoolean(),
      r -> null,
      r -> "plain text",
      r -> "Bearer abcdefghijklmnop123 and alice@example.com and 4111 1111 1111 1111",
      r -> "quote\" backslash\\ nl\n tab\t nul\u0000 lone\uD800 pair\uD83D\uDE00 \u2028",
      r -> "x".repeat(r.nextInt(600)),
      r -> 'c',
      r -> Status.SUSPENDED,
      r -> Optional.of(42),
      r -> Optional.empty(),
      r -> List.of(1, "two", 3.5, false),
      r -> new int[] {1, 2, 3},
      r -> new byte[] {-1, 0, 1},
      r -> new String[] {"a", null, "c"},
      r -> Map.of("password", "hunter2", "k", List.of(Map.of("deep", true))),
      r -> nested(12),
      r -> java.util.stream.IntStream.range(0, 1200).boxed().toList(),
      r -> new Order("o-" + r.nextInt(1000), r.nextInt(9), List.of("SKU-1")),
      r -> UUID.nameUUIDFromBytes(new byte[] {(byte) r.nextInt()}),
      r -> Duration.ofMillis(r.nextInt(10_000)),
      r -> Instant.ofEpochSecond(1_700_000_000L + r.nextInt(1_000_000)),
      r -> new Object() {
        @Override
        public String toString() {
          throw new IllegalStateException("toString failed");
        }
      });

  private static Object nested(int depth) {
    Object value = "bottom";
    for (int i = 0; i < depth; i++) {
      value = i % 2 == 0 ? Map.of("level" + i, value) : List.of(value);
    }
    return value;
  }

  private LoggingEvent randomEvent(Random r, int i) {
    String message = switch (r.nextInt(6)) {
      case 0 -> "plain message " + i;
      case 1 -> "order {} placed";
      case 2 -> "secret Basic dXNlcjpwYXNzd29yZA== to redis://:hunter2@cache:6379 for ACME-123456";
      case 3 -> "m".repeat(r.nextInt(5000));
      case 4 -> i % 20 == 4 ? null : "{} and {}";
      default -> "unicode é 中 \uD83D\uDE00 \u0007 " + i;
    };
    Object[] args = r.nextBoolean()
        ? new Object[] {Fields.field(FIELD_NAMES[r.nextInt(FIELD_NAMES.length)], value(r)), value(r)}
        : null;
    Throwable error = r.nextInt(3) == 0 || LEVELS[i % LEVELS.length] == Level.ERROR ? randomError(r) : null;
    LoggingEvent event = event(LOGGERS[r.nextInt(LOGGERS.length)], LEVELS[i % LEVELS.length], message, error, args);
    event.setInstant(Instant.ofEpochSecond(r.nextInt(2_000_000_000), r.nextInt(1_000_000_000)));
    event.setThreadName(r.nextBoolean() ? "main" : "worker-" + r.nextInt(64));

    Map<String, String> mdc = new LinkedHashMap<>();
    if (r.nextInt(4) != 0) {
      Correlation c = Correlation.newTrace();
      mdc.put("requestId", c.requestId());
      mdc.put("trace_id", c.traceId());
      mdc.put("span_id", c.spanId());
    }
    for (int k = r.nextInt(4); k > 0; k--) {
      String name = FIELD_NAMES[r.nextInt(FIELD_NAMES.length)];
      // The correlation keys are Threadline's scopes' to write (valid ids only); the encoder copies them as is.
      if (!MdcKeys.active().contains(name)) {
        mdc.put(name, text(value(r)));
      }
    }
    if (i % 67 == 3) {
      // Far past any line limit: forces the shrunk line, and then the core-keys-only line.
      for (int k = 0; k < 3000; k++) {
        mdc.put("bulk" + k, "v".repeat(100));
      }
    }
    event.setMDCPropertyMap(mdc);

    for (int k = r.nextInt(7); k > 0; k--) {
      event.addKeyValuePair(new KeyValuePair(FIELD_NAMES[r.nextInt(FIELD_NAMES.length)], value(r)));
    }
    if (r.nextInt(4) == 0) {
      Marker audit = MarkerFactory.getDetachedMarker("AUDIT");
      audit.add(MarkerFactory.getMarker("SECURITY"));
      event.addMarker(audit);
      event.addMarker(Fields.marker(FIELD_NAMES[r.nextInt(FIELD_NAMES.length)], value(r)));
    } else if (r.nextInt(4) == 0) {
      event.addMarker(Fields.marker("cart", Map.of("items", r.nextInt(5))));
    }
    return event;
  }

  private static Object value(Random r) {
    return VALUES.get(r.nextInt(VALUES.size())).apply(r);
  }

  /** An MDC value: the MDC holds strings only. */
  private static String text(Object value) {
    try {
      return String.valueOf(value);
    } catch (RuntimeException e) {
      return "[toString failed]";
    }
  }

  private static Throwable randomError(Random r) {
    Supplier<Throwable> root = () -> new IOException("disk full at alice@example.com");
    switch (r.nextInt(5)) {
      case 0:
        return new IllegalStateException("could not save", root.get());
      case 1: {
        IllegalStateException e = new IllegalStateException("outer", new RuntimeException("middle", root.get()));
        e.addSuppressed(new IllegalArgumentException("while closing"));
        return e;
      }
      case 2: {
        Exception a = new IllegalStateException("a");
        Exception b = new IllegalArgumentException("b", a);
        a.initCause(b);
        return a;
      }
      case 3: {
        Throwable t = root.get();
        for (int k = 0; k < 40; k++) {
          t = new RuntimeException("level " + k, t);
        }
        return t;
      }
      default:
        return new UnsupportedOperationException();
    }
  }
}
