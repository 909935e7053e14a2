package dev.threadline.loki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.status.Status;
import dev.threadline.core.Correlation;
import dev.threadline.core.CorrelationScope;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The appender against a Loki-faithful receiver: delivery, labels, metadata, faults, shutdown. */
class LokiAppenderTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final LokiReceiver loki = LokiReceiver.start();
  private final LoggerContext context = new LoggerContext();
  private LokiAppender appender;

  @AfterEach
  void tearDown() {
    if (appender != null) {
      appender.stop();
    }
    loki.close();
  }

  private Logger logger(java.util.function.Consumer<LokiAppender> settings) {
    context.setMDCAdapter(MDC.getMDCAdapter());
    appender = new LokiAppender();
    appender.setContext(context);
    appender.setName("loki");
    appender.setUrl(loki.url());
    appender.setService("order-api");
    appender.setEnv("test");
    appender.setBatchMaxWait(ch.qos.logback.core.util.Duration.buildByMilliseconds(100));
    appender.setMinBackoff(ch.qos.logback.core.util.Duration.buildByMilliseconds(50));
    appender.setMaxBackoff(ch.qos.logback.core.util.Duration.buildByMilliseconds(200));
    settings.accept(appender);
    appender.start();
    Logger logger = context.getLogger("com.acme.Orders");
    logger.setAdditive(false);
    logger.addAppender(appender);
    logger.setLevel(Level.DEBUG);
    return logger;
  }

  private Logger logger() {
    return logger(a -> { });
  }

  /** appended = sent + dropped + unconfirmed + pending, exactly, once nothing is pending. */
  private LokiStats accounted() {
    await().atMost(Duration.ofSeconds(20)).until(() -> appender.stats().pending() == 0);
    LokiStats s = appender.stats();
    assertThat(s.appended()).as(s.toString()).isEqualTo(s.sent() + s.dropped() + s.unconfirmed() + s.pending());
    assertThat(s.sent()).isEqualTo(loki.entries().size());
    return s;
  }

  private List<String> statuses() {
    return context.getStatusManager().getCopyOfStatusList().stream().map(Status::getMessage).toList();
  }

  @Test
  void everyEventArrivesExactlyOnce_withLabelsAndStructuredMetadata() {
    Logger log = logger();
    Correlation c = Correlation.newTrace("req-loki-1");
    try (CorrelationScope ignored = c.open()) {
      for (int i = 0; i < 2_000; i++) {
        if (i % 2 == 0) {
          log.info("event {}", i);
        } else {
          log.warn("event {}", i);
        }
      }
      log.error("failed", new IllegalStateException("boom"));
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> loki.entries().size() >= 2_001);
    List<LokiReceiver.Entry> entries = loki.entries();
    assertThat(entries).hasSize(2_001);
    Set<String> messages = new HashSet<>();
    for (LokiReceiver.Entry e : entries) {
      JsonNode line = JSON.readTree(e.line());
      messages.add(line.get("message").asString());
      assertThat(e.labels()).containsEntry("service", "order-api").containsEntry("env", "test")
          .containsEntry("level", line.get("level").asString()).hasSize(3);
      assertThat(e.structuredMetadata()).containsEntry("requestId", "req-loki-1")
          .containsEntry("trace_id", c.traceId()).containsEntry("span_id", c.spanId());
      assertThat(e.tenant()).isEqualTo("fake");
    }
    assertThat(messages).hasSize(2_001);
    LokiReceiver.Entry error = entries.get(entries.size() - 1);
    assertThat(error.structuredMetadata().get("error_fingerprint"))
        .isEqualTo(JSON.readTree(error.line()).get("error").get("fingerprint").asString());
    // The receiver records entries before its answer reaches the sender, which counts them then.
    await().atMost(Duration.ofSeconds(10)).until(() -> appender.stats().sent() == 2_001);
    assertThat(appender.stats().dropped()).isZero();
  }

  @Test
  void structuredMetadataCanBeSwitchedOffForLoki2() {
    Logger log = logger(a -> a.setStructuredMetadata(false));
    try (CorrelationScope ignored = Correlation.newTrace().open()) {
      log.info("no metadata");
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> loki.entries().size() == 1);
    assertThat(loki.entries().get(0).structuredMetadata()).isEmpty();
  }

  @Test
  void tenantAndBearerTokenAreSent_andNeverShownInToString() {
    logger(a -> {
      a.setTenant("team-a");
      a.setBearerToken("s3cr3t-token");
    }).info("hello");
    await().atMost(Duration.ofSeconds(10)).until(() -> loki.entries().size() == 1);
    assertThat(loki.entries().get(0).tenant()).isEqualTo("team-a");
    assertThat(loki.requests().get(0).headers().get("Authorization")).containsExactly("Bearer s3cr3t-token");
    assertThat(appender.toString()).doesNotContain("s3cr3t-token");
    assertThat(statuses()).noneMatch(s -> s.contains("s3cr3t-token"));
  }

  @Test
  void highCardinalityAndInvalidLabels_areRefusedAtStartNamingThem() {
    logger(a -> a.setLabels("service,requestId"));
    assertThat(appender.isStarted()).isFalse();
    assertThat(statuses()).anyMatch(s -> s.contains("requestId") && s.contains("high-cardinality"));
    appender = null;
    LokiAppender invalid = new LokiAppender();
    invalid.setContext(context);
    invalid.setUrl(loki.url());
    invalid.addStaticLabel("__reserved=x");
    invalid.addStaticLabel("bad-name=x");
    invalid.start();
    assertThat(invalid.isStarted()).isFalse();
    assertThat(statuses()).anyMatch(s -> s.contains("'__reserved'")).anyMatch(s -> s.contains("'bad-name'"));
  }

  @Test
  void a400IsNotRetried_theBatchIsDroppedAndCounted_andLokisTextReported() {
    loki.respondNextWith(400, "entry too far behind", Map.of(), 1);
    Logger log = logger();
    log.info("rejected");
    await().atMost(Duration.ofSeconds(10)).until(() -> appender.stats().droppedRejected() == 1);
    log.info("accepted");
    await().atMost(Duration.ofSeconds(10)).until(() -> loki.entries().size() == 1);
    assertThat(loki.requests()).hasSize(2);
    assertThat(appender.stats().retries()).isZero();
    assertThat(statuses()).anyMatch(s -> s.contains("400") && s.contains("entry too far behind"));
    assertThat(accounted().droppedRejected()).isEqualTo(1);
  }

  @Test
  void a429HonoursRetryAfter_and5xxAndResetsAreRetried() {
    loki.respondNextWith(429, "rate limited", Map.of("Retry-After", "1"), 1);
    loki.respondNextWith(500, "ingester down", Map.of(), 2);
    loki.resetNextConnections(1);
    Logger log = logger();
    long start = System.nanoTime();
    log.info("persistent");
    await().atMost(Duration.ofSeconds(20)).until(() -> loki.entries().size() == 1);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
    assertThat(appender.stats().retries()).isGreaterThanOrEqualTo(4);
    assertThat(loki.entries()).hasSize(1);
    assertThat(accounted().dropped()).isZero();
  }

  @Test
  void eventsSurviveAnOutageWithinTheBudget() {
    loki.goDown();
    Logger log = logger();
    for (int i = 0; i < 500; i++) {
      log.info("during outage {}", i);
    }
    await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
        .until(() -> appender.stats().retries() > 0);
    loki.comeUp();
    await().atMost(Duration.ofSeconds(20)).until(() -> loki.entries().size() == 500);
    assertThat(accounted().dropped()).isZero();
  }

  @Test
  void beyondTheBudget_theDropCountIsExact_andTheCallerNeverBlocks() {
    loki.goDown();
    Logger log = logger(a -> a.setMaxQueueBytes(64 * 1024));
    long slowest = 0;
    for (int i = 0; i < 5_000; i++) {
      long t = System.nanoTime();
      log.info("filler {} {}", i, "x".repeat(100));
      slowest = Math.max(slowest, System.nanoTime() - t);
    }
    LokiStats stats = appender.stats();
    assertThat(stats.droppedQueueFull()).isPositive();
    assertThat(stats.queuedBytes()).isLessThanOrEqualTo(64 * 1024);
    loki.comeUp();
    await().atMost(Duration.ofSeconds(20)).until(() -> appender.stats().queuedBytes() == 0);
    assertThat(loki.entries().size() + appender.stats().droppedQueueFull()).isEqualTo(5_000);
    assertThat(accounted().appended()).isEqualTo(5_000);
    // Thousands of drops, one warning: at most one a minute.
    assertThat(statuses().stream().filter(s -> s.contains("dropping events"))).hasSize(1);
    // Not a timing assertion: an append that blocked on I/O would take the 5 s connect timeout.
    assertThat(Duration.ofNanos(slowest)).isLessThan(Duration.ofSeconds(1));
  }

  @Test
  void shutdownIsBoundedWithLokiDown_andCountsWhatItCouldNotSend() {
    loki.goDown();
    Logger log = logger(a -> a.setShutdownTimeout(ch.qos.logback.core.util.Duration.buildByMilliseconds(500)));
    for (int i = 0; i < 100; i++) {
      log.info("never delivered {}", i);
    }
    long start = System.nanoTime();
    appender.stop();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    assertThat(appender.stats().droppedAtShutdown()).isEqualTo(100);
    accounted();
    appender = null;
  }

  @Test
  void startingWithLokiUnreachable_neverFails() {
    loki.goDown();
    logger();
    assertThat(appender.isStarted()).isTrue();
  }

  @Test
  void shutdownFlushesWhatIsQueued() {
    Logger log = logger(a -> a.setBatchMaxWait(ch.qos.logback.core.util.Duration.buildBySeconds(30)));
    for (int i = 0; i < 10; i++) {
      log.info("flushed {}", i);
    }
    appender.stop();
    assertThat(loki.entries()).hasSize(10);
    appender = null;
  }

  @Test
  void jsonFormat_plainAndGzip_deliversTheSameEntries() {
    for (boolean gzip : new boolean[] {true, false}) {
      loki.clear();
      Logger log = logger(a -> {
        a.setFormat("json");
        a.setGzip(gzip);
      });
      try (CorrelationScope ignored = Correlation.newTrace("json-req").open()) {
        log.info("over json \"quoted\" é");
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> loki.entries().size() == 1);
      LokiReceiver.Entry entry = loki.entries().get(0);
      assertThat(JSON.readTree(entry.line()).get("message").asString()).isEqualTo("over json \"quoted\" é");
      assertThat(entry.labels()).containsEntry("service", "order-api");
      assertThat(entry.structuredMetadata()).containsEntry("requestId", "json-req");
      assertThat(loki.requests().get(loki.requests().size() - 1).header("Content-Encoding"))
          .isEqualTo(gzip ? "gzip" : null);
      appender.stop();
      appender = null;
    }
  }

  @Test
  void countersAreOnJmx_whileTheAppenderRuns() throws Exception {
    logger(a -> a.setName("jmx-test")).info("counted");
    await().atMost(Duration.ofSeconds(10)).until(() -> loki.entries().size() == 1);
    javax.management.ObjectName name =
        new javax.management.ObjectName("dev.threadline:type=LokiAppender,name=\"jmx-test\"");
    javax.management.MBeanServer server = java.lang.management.ManagementFactory.getPlatformMBeanServer();
    // The receiver records the entry before its answer reaches the sender, which counts it then.
    await().atMost(Duration.ofSeconds(10)).until(() -> Long.valueOf(1L).equals(server.getAttribute(name, "Sent")));
    assertThat(server.getAttribute(name, "Appended")).isEqualTo(1L);
    appender.stop();
    appender = null;
    assertThat(server.isRegistered(name)).isFalse();
  }

  @Test
  void anUnreadableTrustStore_failsStartNamingTheSetting_withoutThePassword() {
    logger(a -> {
      a.setTrustStore("/nonexistent/truststore.p12");
      a.setTrustStorePassword("very-secret-password");
    });
    assertThat(appender.isStarted()).isFalse();
    assertThat(statuses()).anyMatch(s -> s.contains("trustStore") && s.contains("/nonexistent/truststore.p12"))
        .noneMatch(s -> s.contains("very-secret-password"));
    appender = null;
  }

  @Test
  void anIdleSender_isParkedWithoutATimeout() {
    logger().info("one");
    await().atMost(Duration.ofSeconds(10)).until(() -> loki.entries().size() == 1);
    Thread sender = Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("threadline-loki-sender-loki")).findFirst().orElseThrow();
    // Parked with no timeout (WAITING, not TIMED_WAITING): no wake-ups, no polling, while nothing is logged.
    await().atMost(Duration.ofSeconds(5)).until(() -> sender.getState() == Thread.State.WAITING);
    java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
    long cpuBefore = threads.getThreadCpuTime(sender.getId());
    await().pollDelay(Duration.ofMillis(500)).until(() -> true);
    assertThat(sender.getState()).isEqualTo(Thread.State.WAITING);
    assertThat(threads.getThreadCpuTime(sender.getId()) - cpuBefore).isLessThan(5_000_000L);
  }

  @Test
  void blockPolicy_waitsAtMostItsTimeoutThenDrops_countingExactly() {
    loki.goDown();
    Logger log = logger(a -> {
      a.setMaxQueueBytes(8 * 1024);
      a.setOverflowPolicy("block");
      a.setBlockTimeout(ch.qos.logback.core.util.Duration.buildByMilliseconds(20));
    });
    for (int i = 0; i < 200; i++) {
      log.info("blocking filler {} {}", i, "y".repeat(100));
    }
    LokiStats stats = appender.stats();
    assertThat(stats.droppedQueueFull()).isPositive();
    loki.comeUp();
    await().atMost(Duration.ofSeconds(20)).until(() -> appender.stats().queuedBytes() == 0);
    assertThat(loki.entries().size() + appender.stats().droppedQueueFull()).isEqualTo(200);
    assertThat(accounted().appended()).isEqualTo(200);
  }

  /** The scenario: Loki down for 30 seconds while the service keeps logging; nothing is lost. */
  @Test
  void eventsSurviveAThirtySecondOutage_withinTheBudget() {
    loki.downFor(Duration.ofSeconds(30));
    Logger log = logger(a -> a.setMaxBackoff(ch.qos.logback.core.util.Duration.buildBySeconds(2)));
    long end = System.nanoTime() + Duration.ofSeconds(25).toNanos();
    int logged = 0;
    while (System.nanoTime() < end) {
      for (int i = 0; i < 50; i++) {
        log.info("during a long outage {}", logged++);
      }
      await().pollDelay(Duration.ofMillis(100)).until(() -> true);
    }
    int total = logged;
    assertThat(loki.entries()).isEmpty();
    await().atMost(Duration.ofSeconds(30)).until(() -> loki.entries().size() == total);
    assertThat(accounted().dropped()).isZero();
    assertThat(appender.stats().retries()).isPositive();
  }

  /** A slow Loki (3 s per push) never shows on the application thread: appends do no I/O. */
  @Test
  void aSlowLoki_neverSlowsTheApplicationThread() {
    loki.latency(Duration.ofSeconds(3));
    Logger log = logger(a -> a.setBatchMaxItems(10));
    long slowest = 0;
    for (int i = 0; i < 200; i++) {
      long t = System.nanoTime();
      log.info("while Loki is slow {}", i);
      slowest = Math.max(slowest, System.nanoTime() - t);
    }
    assertThat(Duration.ofNanos(slowest)).isLessThan(Duration.ofSeconds(1));
    loki.latency(Duration.ZERO);
    await().atMost(Duration.ofSeconds(30)).until(() -> loki.entries().size() == 200);
  }

  /**
   * A sender waiting for a partial batch to fill is woken as soon as a full batch is queued, not at the end of
   * batchMaxWait: otherwise a burst fills the budget while the sender sleeps, and events are dropped.
   */
  @Test
  void aFullBatchWakesTheSender_withoutWaitingForTheBatchTimer() {
    Logger log = logger(a -> {
      a.setBatchMaxWait(ch.qos.logback.core.util.Duration.buildBySeconds(60));
      a.setBatchMaxItems(100);
    });
    log.info("first, alone");
    await().pollDelay(Duration.ofMillis(200)).until(() -> true);
    for (int i = 0; i < 1_000; i++) {
      log.info("burst {}", i);
    }
    await().atMost(Duration.ofSeconds(15)).until(() -> loki.entries().size() >= 1_000);
    assertThat(appender.stats().dropped()).isZero();
  }
}
