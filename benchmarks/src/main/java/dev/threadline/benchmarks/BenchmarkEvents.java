package dev.threadline.benchmarks;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.slf4j.event.KeyValuePair;

/**
 * The log events of issue #3's encoder benchmark, built once and then encoded many times.
 *
 * <ul>
 *   <li>{@code lite}: a message only, at INFO, with an empty MDC.</li>
 *   <li>{@code typical}: a message pattern with 3 arguments, 5 MDC entries plus the 3 correlation keys every
 *       Threadline line carries ({@code requestId}, {@code trace_id}, {@code span_id}), and 2 SLF4J key-value pairs.
 *   </li>
 *   <li>{@code error}: {@code typical} at ERROR, with a 3-level cause chain of {@value #ERROR_FRAMES} distinct
 *       frames.</li>
 *   <li>{@code typical-cold}: {@code typical} in {@value #COLD_COPIES} copies whose MDC and key-value strings are
 *       distinct instances of the same content.</li>
 *   <li>{@code typical-fresh}: {@code typical} in {@value #COLD_COPIES} copies as real traffic makes them: the keys
 *       (MDC keys, key-value keys) are the literal constants of the code, the values (request, trace and span ids,
 *       user, order and customer ids, the carrier) are built for each copy, with their own content, so neither an
 *       identity cache nor a content cache can serve them.</li>
 * </ul>
 *
 * <p>Each event is prepared the way an appender leaves it before its encoder runs: message formatted, throwable
 * proxy made, MDC and thread name captured. Logback caches all of these on the event, so no encoder pays for them
 * during measurement.
 */
final class BenchmarkEvents {

  /** Distinct frames in the error profile's stack: the frames of the deepest cause, which holds all the others. */
  static final int ERROR_FRAMES = 60;

  static final String LOGGER = "com.example.orders.ShippingService";
  static final String THREAD = "http-nio-8080-exec-7";
  static final String PATTERN = "Shipping order {} for customer {} took {} ms";
  static final String LITE_MESSAGE = "Order queue drained, waiting for new work";
  static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final String ROOT_CAUSE_MESSAGE = "Read timed out after 5000 ms";

  /** A fixed instant, so that every encoder writes the same timestamp in every run. */
  private static final Instant TIMESTAMP = Instant.parse("2026-03-14T09:26:53.589793Z");

  private BenchmarkEvents() {
  }

  /** Copies of the cold profile; a power of two, so the benchmark can cycle with a mask. */
  static final int COLD_COPIES = 4096;

  /**
   * The events to cycle through for {@code profile}: one event, except for {@code typical-cold} and
   * {@code typical-fresh}, which are {@value #COLD_COPIES} typical events each.
   */
  static ILoggingEvent[] createMany(String profile, LoggerContext context) {
    boolean cold = profile.equals("typical-cold");
    if (!cold && !profile.equals("typical-fresh")) {
      return new ILoggingEvent[] {create(profile, context)};
    }
    SplittableRandom random = new SplittableRandom(19);
    ILoggingEvent[] events = new ILoggingEvent[COLD_COPIES];
    for (int i = 0; i < COLD_COPIES; i++) {
      LoggingEvent event = cold
          ? detailed(context.getLogger(LOGGER), Level.INFO, null, true)
          : fresh(context.getLogger(LOGGER), random, i);
      event.setInstant(TIMESTAMP);
      event.setThreadName(THREAD);
      event.getFormattedMessage();
      events[i] = event;
    }
    return events;
  }

  /** The event of {@code profile} ({@code lite}, {@code typical} or {@code error}), logged through {@code context}. */
  static ILoggingEvent create(String profile, LoggerContext context) {
    Logger logger = context.getLogger(LOGGER);
    LoggingEvent event;
    switch (profile) {
      case "lite":
        event = new LoggingEvent(Logger.class.getName(), logger, Level.INFO, LITE_MESSAGE, null, null);
        event.setMDCPropertyMap(Collections.emptyMap());
        break;
      case "typical":
        event = detailed(logger, Level.INFO, null, false);
        break;
      case "error":
        event = detailed(logger, Level.ERROR, errorChain(ERROR_FRAMES), false);
        break;
      default:
        throw new IllegalArgumentException("Unknown profile: " + profile);
    }
    event.setInstant(TIMESTAMP);
    event.setThreadName(THREAD);
    // Cached on the event from here on, as they are once an appender has touched it.
    event.getFormattedMessage();
    event.getThrowableProxy();
    return event;
  }

  /** A typical event; with {@code fresh}, every string in its MDC and key-value pairs is a new instance. */
  private static LoggingEvent detailed(Logger logger, Level level, Throwable throwable, boolean fresh) {
    java.util.function.UnaryOperator<String> s = fresh ? String::new : v -> v;
    Object[] arguments = {"ord-20260314-0042", "cust-7781", 37};
    LoggingEvent event = new LoggingEvent(Logger.class.getName(), logger, level, PATTERN, throwable, arguments);
    Map<String, String> mdc = new HashMap<>();
    mdc.put("userId", s.apply("u-1842"));
    mdc.put("tenant", s.apply("acme-eu"));
    mdc.put("region", s.apply("eu-west-1"));
    mdc.put("httpMethod", s.apply("POST"));
    mdc.put("httpPath", s.apply("/api/orders/42/ship"));
    mdc.put("requestId", s.apply("req-7f3a9c2e5b1d4e08"));
    mdc.put("trace_id", s.apply(TRACE_ID));
    mdc.put("span_id", s.apply("00f067aa0ba902b7"));
    // What LogbackMDCAdapter hands an event: a read-only HashMap.
    event.setMDCPropertyMap(Collections.unmodifiableMap(mdc));
    event.addKeyValuePair(new KeyValuePair("carrier", s.apply("DHL Express")));
    event.addKeyValuePair(new KeyValuePair("items", 3));
    return event;
  }

  /**
   * A typical event as one request of real traffic logs it: the same keys as {@link #detailed}, written as the
   * literals they are in code, and values of the same shape built for this copy ({@code i}) from {@code random}; the
   * values whose content repeats in real traffic (tenant, HTTP method, carrier) are new instances all the same, as
   * a parsed request makes them.
   */
  private static LoggingEvent fresh(Logger logger, SplittableRandom random, int i) {
    Object[] arguments = {"ord-20260314-" + (1000 + i), "cust-" + (1000 + random.nextInt(9000)),
        10 + random.nextInt(90)};
    LoggingEvent event = new LoggingEvent(Logger.class.getName(), logger, Level.INFO, PATTERN, null, arguments);
    Map<String, String> mdc = new HashMap<>();
    mdc.put("userId", "u-" + (1000 + random.nextInt(9000)));
    mdc.put("tenant", new String("acme-eu"));
    mdc.put("region", "eu-west-" + (1 + i % 3));
    mdc.put("httpMethod", new String(i % 4 == 0 ? "GET" : "POST"));
    mdc.put("httpPath", "/api/orders/" + (10 + i % 90) + "/ship");
    mdc.put("requestId", "req-" + hex(random, 16));
    mdc.put("trace_id", hex(random, 32));
    mdc.put("span_id", hex(random, 16));
    event.setMDCPropertyMap(Collections.unmodifiableMap(mdc));
    event.addKeyValuePair(new KeyValuePair("carrier", new String(i % 3 == 0 ? "DHL Express" : "UPS Standard")));
    event.addKeyValuePair(new KeyValuePair("items", 1 + i % 5));
    return event;
  }

  /** {@code digits} random lower-case hex digits, the first never 0 (so the id is never all zeros). */
  private static String hex(SplittableRandom random, int digits) {
    StringBuilder s = new StringBuilder(digits);
    s.append(Character.forDigit(1 + random.nextInt(15), 16));
    for (int k = 1; k < digits; k++) {
      s.append(Character.forDigit(random.nextInt(16), 16));
    }
    return s.toString();
  }

  /**
   * An exception with two causes, as a service, a repository and a driver would throw it, whose deepest cause has
   * exactly {@code frames} frames. The callers' frames (JMH's, here) are counted and each layer recurses for a share
   * of the rest, so the depth does not depend on how deep the caller is.
   */
  static Throwable errorChain(int frames) {
    int below = new Throwable().getStackTrace().length;
    int rest = frames - below;
    if (rest < 3) {
      throw new IllegalStateException("The caller is already " + below + " frames deep; cannot build " + frames);
    }
    int perLayer = rest / 3;
    try {
      service(perLayer + rest % 3, perLayer, perLayer);
    } catch (IllegalStateException e) {
      Throwable root = e.getCause().getCause();
      if (root.getStackTrace().length != frames) {
        throw new IllegalStateException("Built " + root.getStackTrace().length + " frames, not " + frames, e);
      }
      return e;
    }
    throw new AssertionError("service() did not throw");
  }

  private static void service(int depth, int repositoryDepth, int driverDepth) {
    if (depth > 1) {
      service(depth - 1, repositoryDepth, driverDepth);
      return;
    }
    try {
      repository(repositoryDepth, driverDepth);
    } catch (UncheckedIOException e) {
      throw new IllegalStateException("Could not ship order ord-20260314-0042", e);
    }
  }

  private static void repository(int depth, int driverDepth) {
    if (depth > 1) {
      repository(depth - 1, driverDepth);
      return;
    }
    try {
      driver(driverDepth);
    } catch (SocketTimeoutException e) {
      throw new UncheckedIOException("Query failed: SELECT * FROM shipments WHERE order_id = ?", e);
    }
  }

  private static void driver(int depth) throws SocketTimeoutException {
    if (depth > 1) {
      driver(depth - 1);
      return;
    }
    throw new SocketTimeoutException(ROOT_CAUSE_MESSAGE);
  }
}
