package dev.threadline.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadline.web.LogCapture;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.scheduling.annotation.Async;
import org.springframework.scheduling.annotation.EnableAsync;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * {@code @Scheduled} methods on Boot's task scheduler: every run gets a correlation of its own (a request id and a
 * trace no other run shares), and the {@code @Async} work a run hands off carries that run's ids.
 */
@SpringBootTest(classes = ScheduledTasksTest.App.class, webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = "threadline.console.json=false")
class ScheduledTasksTest {

  // Not @SpringBootApplication: a component scan of this package would take in the auto-configuration's nested
  // classes as user configuration, and the other tests' applications.
  @org.springframework.boot.SpringBootConfiguration
  @org.springframework.boot.autoconfigure.EnableAutoConfiguration
  @org.springframework.context.annotation.Import({App.Ticker.class, App.Tocker.class})
  @EnableScheduling
  @EnableAsync
  static class App {

    @Component
    static class Ticker {
      private static final Logger LOG = LoggerFactory.getLogger("jobs.ticker");
      private final AtomicInteger runs = new AtomicInteger();
      private final Tocker tocker;

      Ticker(Tocker tocker) {
        this.tocker = tocker;
      }

      @Scheduled(fixedDelay = 30)
      void tick() {
        int run = runs.incrementAndGet();
        LOG.info("tick {}", run);
        tocker.tock(run);
      }
    }

    @Component
    static class Tocker {
      private static final Logger LOG = LoggerFactory.getLogger("jobs.tocker");

      @Async
      public void tock(int run) {
        LOG.info("tock {}", run);
      }
    }
  }

  /** Each captured tock with the tick that handed it off. */
  private static List<List<Map<String, Object>>> handedOff(LogCapture capture) {
    List<Map<String, Object>> ticks = capture.byLogger("jobs.ticker");
    return capture.byLogger("jobs.tocker").stream().flatMap(tock -> {
      String run = ((String) tock.get("message")).substring("tock ".length());
      Optional<Map<String, Object>> tick = ticks.stream().filter(t -> t.get("message").equals("tick " + run))
          .findFirst();
      return tick.stream().map(t -> List.of(t, tock));
    }).toList();
  }

  @Test
  void everyRunHasItsOwnIds_andItsAsyncWorkCarriesThem() {
    try (LogCapture capture = LogCapture.capture()) {
      // The first tick may have been logged just before the capture started: its tock is not checked.
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20))
          .until(() -> handedOff(capture).size() >= 4);
      List<Map<String, Object>> ticks = capture.byLogger("jobs.ticker");
      assertThat(ticks).allSatisfy(tick -> assertThat(tick).containsKeys("requestId", "trace_id", "span_id"));
      assertThat(ticks.stream().map(tick -> tick.get("requestId")).distinct()).hasSameSizeAs(ticks);
      assertThat(ticks.stream().map(tick -> tick.get("trace_id")).distinct()).hasSameSizeAs(ticks);
      assertThat(handedOff(capture)).allSatisfy(pair -> {
        Map<String, Object> tick = pair.get(0);
        Map<String, Object> tock = pair.get(1);
        assertThat(tock.get("thread")).isNotEqualTo(tick.get("thread"));
        assertThat(tock).containsEntry("requestId", tick.get("requestId"))
            .containsEntry("trace_id", tick.get("trace_id"));
      });
    }
  }
}
