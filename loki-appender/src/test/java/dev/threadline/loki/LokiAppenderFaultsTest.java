package dev.threadline.loki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.encoder.EncoderBase;
import ch.qos.logback.core.status.Status;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/**
 * The faults #13 found, one test each, against the Loki-faithful receiver. Every test checks the whole account:
 * appended = sent + dropped (by cause) + unconfirmed + pending, exactly, and what the receiver stored.
 */
class LokiAppenderFaultsTest {

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

  private Logger logger(Consumer<LokiAppender> settings) {
    return logger(new LokiAppender(), settings);
  }

  private Logger logger(LokiAppender loki, Consumer<LokiAppender> settings) {
    context.setMDCAdapter(MDC.getMDCAdapter());
    appender = loki;
    appender.setContext(context);
    appender.setName("faults");
    appender.setUrl(this.loki.url());
    appender.setService("order-api");
    appender.setEnv("test");
    appender.setJmx(false);
    appender.setShutdownHook(false);
    appender.setBatchMaxWait(ms(100));
    appender.setMinBackoff(ms(50));
    appender.setMaxBackoff(ms(200));
    settings.accept(appender);
    appender.start();
    assertThat(appender.isStarted()).isTrue();
    Logger logger = context.getLogger("com.acme.Orders");
    logger.setAdditive(false);
    logger.addAppender(appender);
    logger.setLevel(Level.DEBUG);
    return logger;
  }

  private static ch.qos.logback.core.util.Duration ms(long millis) {
    return ch.qos.logback.core.util.Duration.buildByMilliseconds(millis);
  }

  private List<String> statuses() {
    return context.getStatusManager().getCopyOfStatusList().stream().map(Status::getMessage).toList();
  }

  /** appended = sent + dropped + unconfirmed + pending, exactly; read when nothing moves. */
  private static LokiStats accounted(LokiStats s) {
    assertThat(s.appended()).as(s.toString()).isEqualTo(s.sent() + s.dropped() + s.unconfirmed() + s.pending());
    return s;
  }

  private void awaitSettled(long appended) {
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      LokiStats s = appender.stats();
      return s.pending() == 0 && s.appended() == appended;
    });
  }

  // 1. No batch blocks the ones after it.

  @Test
  void largestBatchLimit_withFourKilobyteLines_staysUnderLokisMessageLimit_andEverythingArrives() {
    Logger log = logger(a -> a.setBatchMaxBytes(4 * 1024 * 1024));
    String body = "x".repeat(4_000);
    for (int i = 0; i < 1_201; i++) {
      log.info("large {} {}", i, body);
    }
    awaitSettled(1_201);
    LokiStats s = accounted(appender.stats());
    assertThat(s.sent()).isEqualTo(1_201);
    assertThat(loki.entries()).hasSize(1_201);
    assertThat(loki.requests()).allSatisfy(r -> {
      assertThat(r.status()).isEqualTo(204);
      assertThat(r.decodedBytes()).isLessThanOrEqualTo(LokiReceiver.MAX_RECV_MSG_SIZE);
    });
  }

  @Test
  void aPushLokiFindsTooLarge_isSplit_untilEveryPartPasses() {
    loki.respondNextWith(413, "request body too large", Map.of(), 2);
    Logger log = logger(a -> a.setBatchMaxWait(ms(2_000)));
    for (int i = 0; i < 100; i++) {
      log.info("split me {}", i);
    }
    awaitSettled(100);
    LokiStats s = accounted(appender.stats());
    assertThat(s.sent()).isEqualTo(100);
    assertThat(loki.entries()).hasSize(100);
    assertThat(loki.requests()).hasSizeGreaterThanOrEqualTo(4);
  }

  @Test
  void anEventThatCanNeverFit_isDroppedAndCounted_andTheNextOneArrives() {
    Logger log = logger(a -> {
      a.setMaxRequestBytes(64 * 1024);
      dev.threadline.logback.ThreadlineEncoder encoder = new dev.threadline.logback.ThreadlineEncoder();
      encoder.setContext(context);
      encoder.setMaxFieldLength(200_000);
      a.setEncoder(encoder);
    });
    log.info("huge {}", "y".repeat(100_000));
    log.info("small after it");
    awaitSettled(2);
    LokiStats s = accounted(appender.stats());
    assertThat(s.droppedTooLarge()).isEqualTo(1);
    assertThat(s.sent()).isEqualTo(1);
    assertThat(loki.entries()).singleElement().satisfies(e -> assertThat(e.line()).contains("small after it"));
    assertThat(statuses()).anyMatch(m -> m.contains("can never fit"));
  }

  @Test
  void aBatchThatKeepsFailingWith5xx_isGivenUpAfterMaxRetries_andTheNextBatchGoes() {
    loki.respondNextWith(500, "internal error", Map.of(), 3);
    Logger log = logger(a -> a.setMaxRetries(2));
    log.info("doomed");
    await().atMost(Duration.ofSeconds(20)).until(() -> appender.stats().droppedRetriesExhausted() == 1);
    log.info("next");
    awaitSettled(2);
    LokiStats s = accounted(appender.stats());
    assertThat(s.droppedRetriesExhausted()).isEqualTo(1);
    assertThat(s.sent()).isEqualTo(1);
    assertThat(loki.entries()).singleElement().satisfies(e -> assertThat(e.line()).contains("next"));
    assertThat(statuses()).anyMatch(m -> m.contains("gave up on a batch of 1 events after 3 attempts"));
  }

  @Test
  void anEncoderThatThrows_countsTheEventAsFailed_notAsQueueFull_andNeverThrowsIntoTheCaller() {
    AtomicInteger calls = new AtomicInteger();
    Logger log = logger(a -> a.setEncoder(new EncoderBase<>() {
      @Override
      public byte[] headerBytes() {
        return null;
      }

      @Override
      public byte[] encode(ch.qos.logback.classic.spi.ILoggingEvent event) {
        if (calls.incrementAndGet() == 1) {
          throw new IllegalStateException("encoder bug");
        }
        return ("{\"message\":\"" + event.getFormattedMessage() + "\"}\n").getBytes(StandardCharsets.UTF_8);
      }

      @Override
      public byte[] footerBytes() {
        return null;
      }
    }));
    log.info("first");
    log.info("second");
    awaitSettled(2);
    LokiStats s = accounted(appender.stats());
    assertThat(s.droppedFailed()).isEqualTo(1);
    assertThat(s.droppedQueueFull()).isZero();
    assertThat(s.sent()).isEqualTo(1);
  }

  // 4. The sender is supervised.

  @Test
  void anErrorInTheSender_isReported_andSendingGoesOn() {
    AtomicInteger sends = new AtomicInteger();
    LokiAppender faulty = new LokiAppender() {
      @Override
      LokiClient newClient(URI pushUri, boolean json, boolean gzip, Map<String, String> headers,
          Duration connectTimeout, javax.net.ssl.SSLContext ssl) {
        return new LokiClient(pushUri, json, gzip, headers, connectTimeout, ssl) {
          @Override
          Result send(Duration timeout) {
            if (sends.incrementAndGet() == 1) {
              throw new AssertionError("an Error in the sender");
            }
            return super.send(timeout);
          }
        };
      }
    };
    Logger log = logger(faulty, a -> { });
    log.info("lost to the failure");
    await().atMost(Duration.ofSeconds(10)).until(() -> appender.stats().droppedFailed() == 1);
    log.info("after the failure");
    awaitSettled(2);
    LokiStats s = accounted(appender.stats());
    assertThat(s.sent()).isEqualTo(1);
    assertThat(s.senderRunning()).isTrue();
    assertThat(loki.entries()).singleElement().satisfies(e -> assertThat(e.line()).contains("after the failure"));
    assertThat(statuses()).anyMatch(m -> m.contains("the sender failed") && m.contains("AssertionError"));
  }

  @Test
  void anInterruptedSender_neitherSpinsNorStops() throws Exception {
    Logger log = logger(a -> { });
    log.info("one");
    awaitSettled(1);
    Thread sender = Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("threadline-loki-sender-faults")).findFirst().orElseThrow();
    sender.interrupt();
    java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
    await().atMost(Duration.ofSeconds(5)).until(() -> sender.getState() == Thread.State.WAITING);
    long cpu = threads.getThreadCpuTime(sender.getId());
    Thread.sleep(500);
    // A busy loop would burn the whole 500 ms; a parked thread uses next to nothing.
    assertThat(threads.getThreadCpuTime(sender.getId()) - cpu).isLessThan(50_000_000L);
    log.info("two");
    awaitSettled(2);
    assertThat(accounted(appender.stats()).sent()).isEqualTo(2);
  }

  @Test
  void anInterruptedCaller_underBlockPolicy_givesUpAtOnce_andKeepsItsInterrupt() {
    loki.goDown();
    Logger log = logger(a -> {
      a.setMaxQueueBytes(2 * 1024);
      a.setOverflowPolicy("block");
      a.setBlockTimeout(ms(60_000));
    });
    Thread.currentThread().interrupt();
    long start = System.nanoTime();
    for (int i = 0; i < 20; i++) {
      log.info("would block for a minute {} {}", i, "z".repeat(200));
    }
    assertThat(Thread.interrupted()).isTrue();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    assertThat(appender.stats().droppedQueueFull()).isPositive();
    appender.stop();
    accounted(appender.stats());
    appender = null;
  }

  // 5 and 10. Stop is quick when Loki refuses connections, bounded when it hangs, and its counters are final.

  @Test
  void stopIsQuick_whenLokiRefusesConnections_evenWithTheDefaultTimeout() {
    loki.goDown();
    Logger log = logger(a -> a.setShutdownTimeout(ch.qos.logback.core.util.Duration.buildBySeconds(10)));
    for (int i = 0; i < 300; i++) {
      log.info("never delivered {}", i);
    }
    long start = System.nanoTime();
    appender.stop();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    LokiStats s = accounted(appender.stats());
    assertThat(s.droppedAtShutdown()).isEqualTo(300);
    assertThat(s.pending()).isZero();
    appender = null;
  }

  @Test
  void stopWithLokiHanging_returnsWithinItsBudget_withFinalCounters_andWhatWasOnTheWireCountedUnconfirmed()
      throws Exception {
    Logger log = logger(a -> {
      a.setShutdownTimeout(ms(1_000));
      a.setBatchMaxItems(100);
    });
    loki.latency(Duration.ofSeconds(20));
    for (int i = 0; i < 1_000; i++) {
      log.info("while Loki hangs {}", i);
    }
    Thread.sleep(300); // the first batch (full at 100 events) is on the wire; the receiver holds it for 20 s
    long start = System.nanoTime();
    appender.stop();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2_500));
    LokiStats atStop = accounted(appender.stats());
    assertThat(atStop.pending()).isZero();
    assertThat(atStop.unconfirmed()).isEqualTo(100);
    assertThat(atStop.droppedAtShutdown()).isEqualTo(900);
    Thread.sleep(1_500);
    assertThat(appender.stats()).isEqualTo(atStop);
    appender = null;
  }

  /** Found by the end-to-end benchmark: a stop() that lands while a batch is being encoded must flush it all. */
  @Test
  void stopWhileBatchesAreBeingSent_sendsEverything() {
    for (int round = 0; round < 10; round++) {
      loki.clear();
      Logger log = logger(a -> a.setBatchMaxWait(ms(1)));
      for (int i = 0; i < 5_000; i++) {
        log.info("round {} event {} {}", round, i, "w".repeat(300));
      }
      appender.stop();
      LokiStats s = accounted(appender.stats());
      assertThat(s.sent()).as(s.toString()).isEqualTo(5_000);
      assertThat(loki.entries()).hasSize(5_000);
      appender = null;
    }
  }

  // 11. A partly refused push is counted as Loki counted it.

  @Test
  void aPartlyRefusedPush_isCountedAsLokiCountedIt() {
    Logger log = logger(a -> a.setBatchMaxWait(ms(1_000)));
    for (int i = 0; i < 998; i++) {
      log.info("fresh {}", i);
    }
    for (Duration age : new Duration[] {Duration.ofDays(8), Duration.ofDays(9)}) {
      LoggingEvent old = new LoggingEvent("x", log, Level.INFO, "from " + age.toDays() + " days back", null, null);
      old.setInstant(Instant.now().minus(age));
      appender.doAppend(old);
    }
    awaitSettled(1_000);
    LokiStats s = accounted(appender.stats());
    assertThat(loki.entries()).hasSize(998);
    assertThat(s.sent()).isEqualTo(998);
    assertThat(s.droppedRejected()).isEqualTo(2);
    assertThat(loki.requests()).anyMatch(r -> r.status() == 400);
    assertThat(statuses()).anyMatch(m -> m.contains("2 of 1000 entries refused"));
  }

  // 12. A retry after a timeout may duplicate; it is counted.

  @Test
  void aRetryAfterATimeout_isCountedAsPossiblyDuplicated() {
    loki.latency(Duration.ofMillis(1_500));
    Logger log = logger(a -> a.setRequestTimeout(ms(500)));
    log.info("slow to confirm");
    await().atMost(Duration.ofSeconds(10)).until(() -> appender.stats().retries() >= 1);
    loki.latency(Duration.ZERO);
    awaitSettled(1);
    LokiStats s = accounted(appender.stats());
    assertThat(s.sent()).isEqualTo(1);
    assertThat(s.retriedAfterTimeout()).isEqualTo(1);
    // Loki stored the first copy after the client stopped waiting: exactly the duplicate the counter warns of.
    await().atMost(Duration.ofSeconds(5)).until(() -> loki.entries().size() >= 2);
  }

  // 13. Recovery after an outage is prompt even after long backoff.

  @Test
  void afterAnOutage_deliveryResumesWithinSecondsOfLokiComingBack_withTheDefaultBackoff() throws Exception {
    loki.goDown();
    LokiAppender a = new LokiAppender();
    Logger log = logger(a, x -> {
      x.setMinBackoff(ms(500));
      x.setMaxBackoff(ch.qos.logback.core.util.Duration.buildBySeconds(5)); // the default
    });
    for (int i = 0; i < 20; i++) {
      log.info("during the outage {}", i);
      Thread.sleep(400);
    }
    long back = System.nanoTime();
    loki.comeUp();
    await().atMost(Duration.ofSeconds(20)).until(() -> loki.entries().size() == 20);
    assertThat(Duration.ofNanos(System.nanoTime() - back)).isLessThan(Duration.ofSeconds(7));
    awaitSettled(20);
    accounted(appender.stats());
    assertThat(statuses()).anyMatch(m -> m.contains("cannot reach Loki")).anyMatch(m -> m.contains("answers again"));
  }

  // 9. Smaller defects.

  @Test
  void toStringAndStatusesNeverShowTheUrlsUserInfo() {
    LokiAppender a = new LokiAppender();
    a.setUrl("http://admin:s3cret@127.0.0.1:1");
    assertThat(a.toString()).doesNotContain("s3cret").contains("http://127.0.0.1:1");
  }

  @Test
  void lastError_isAShortSummary_withoutLokisText() {
    loki.respondNextWith(400, "stream '{service=\"order-api\", secret=\"leaked-value\"}' is bad", Map.of(), 1);
    Logger log = logger(a -> { });
    log.info("refused");
    awaitSettled(1);
    LokiStats s = accounted(appender.stats());
    assertThat(s.droppedRejected()).isEqualTo(1);
    assertThat(s.lastError()).contains("400").doesNotContain("leaked-value");
  }

  @Test
  void distinctValuesPerMdcLabel_areCapped_andTheRestGoAsStructuredMetadata() {
    Logger log = logger(a -> {
      a.addMdcLabel("tenant");
      a.setMaxValuesPerMdcLabel(3);
    });
    for (int i = 0; i < 10; i++) {
      MDC.put("tenant", "t" + i);
      try {
        log.info("tenant {}", i);
      } finally {
        MDC.remove("tenant");
      }
    }
    awaitSettled(10);
    LokiStats s = accounted(appender.stats());
    assertThat(s.mdcLabelOverflow()).isEqualTo(7);
    assertThat(loki.entries()).hasSize(10);
    assertThat(loki.entries().stream().map(e -> e.labels().get("tenant")).distinct().filter(v -> v != null))
        .containsExactlyInAnyOrder("t0", "t1", "t2");
    assertThat(loki.entries()).filteredOn(e -> !e.labels().containsKey("tenant"))
        .hasSize(7).allSatisfy(e -> assertThat(e.structuredMetadata()).containsKey("tenant"));
  }

  // 8. Configuration mistakes get clear messages; a blank url means off.

  @Test
  void aBlankUrl_meansOff_saidOnceAtInfo() {
    LokiAppender a = new LokiAppender();
    a.setContext(context);
    a.setName("off");
    a.setUrl("  ");
    a.start();
    assertThat(a.isStarted()).isTrue();
    assertThat(a.isOff()).isTrue();
    a.doAppend(new LoggingEvent("x", context.getLogger("x"), Level.INFO, "nowhere", null, null));
    assertThat(a.stats().appended()).isZero();
    assertThat(context.getStatusManager().getCopyOfStatusList())
        .filteredOn(st -> st.getMessage().contains("Loki is off")).singleElement()
        .satisfies(st -> assertThat(st.getLevel()).isEqualTo(Status.INFO));
    assertThat(context.getStatusManager().getCopyOfStatusList()).noneMatch(st -> st.getLevel() >= Status.WARN);
    a.stop();
  }

  @Test
  void urlMistakes_areNamedClearly() {
    assertThat(problem("http//loki:3100")).contains("lacks the ':'").contains("http://loki:3100");
    assertThat(problem("localhost:3100")).contains("has no scheme").contains("http://localhost:3100");
    assertThat(problem("ftp://loki")).contains("must start with http:// or https://");
    assertThat(problem("http://user:pw@/x")).doesNotContain("pw");
  }

  private static String problem(String url) {
    List<String> problems = new java.util.ArrayList<>();
    assertThat(LokiUrl.pushUri(url, problems)).isNull();
    assertThat(problems).hasSize(1);
    return problems.get(0);
  }

  @Test
  void noServiceName_isAWarningNamingTheSetting() {
    LokiAppender a = new LokiAppender();
    a.setContext(context);
    a.setName("nameless");
    a.setUrl(loki.url());
    a.setJmx(false);
    a.setShutdownHook(false);
    a.start();
    try {
      assertThat(statuses()).anyMatch(m -> m.contains("no service name") && m.contains("service=\"unknown\""));
    } finally {
      a.stop();
    }
  }
}
