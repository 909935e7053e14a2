package dev.threadline.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;
import org.slf4j.MDC;

class ContextExecutorsTest {

  private final List<ExecutorService> pools = new ArrayList<>();

  @AfterEach
  void shutDown() {
    pools.forEach(ExecutorService::shutdownNow);
    MDC.clear();
  }

  private <E extends ExecutorService> E track(E pool) {
    pools.add(pool);
    return pool;
  }

  /** What a task saw: its thread's correlation and the MDC request id. */
  record Seen(Correlation current, String mdcRequestId, String mdcSpanId) {
    static Seen now() {
      return new Seen(Correlation.current().orElse(null), MDC.get("requestId"), MDC.get("span_id"));
    }
  }

  @Test
  void wrappedRunnable_runsWithTheCorrelationCapturedWhenWrapped() throws Exception {
    ExecutorService pool = track(Executors.newSingleThreadExecutor());
    Correlation c = Correlation.newTrace("wrapped");
    AtomicReference<Seen> seen = new AtomicReference<>();
    Runnable task;
    try (CorrelationScope ignored = c.open()) {
      task = ContextExecutors.wrap((Runnable) () -> seen.set(Seen.now()));
    }
    pool.submit(task).get();
    assertThat(seen.get()).isEqualTo(new Seen(c, "wrapped", c.spanId()));
    assertThat(pool.submit(Seen::now).get()).isEqualTo(new Seen(null, null, null));
  }

  @Test
  void wrappedExecutorService_capturesAtSubmit_forEverySubmitKind() throws Exception {
    ExecutorService pool = track(ContextExecutors.wrap(Executors.newFixedThreadPool(2)));
    Correlation c = Correlation.newTrace("submit");
    try (CorrelationScope ignored = c.open()) {
      assertThat(pool.submit(Seen::now).get().current()).isEqualTo(c);
      AtomicReference<Seen> seen = new AtomicReference<>();
      pool.submit(() -> seen.set(Seen.now())).get();
      assertThat(seen.get().mdcRequestId()).isEqualTo("submit");
      CountDownLatch done = new CountDownLatch(1);
      pool.execute(() -> {
        seen.set(Seen.now());
        done.countDown();
      });
      assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(seen.get().current()).isEqualTo(c);
      List<Callable<Seen>> tasks = List.of(Seen::now, Seen::now, Seen::now);
      for (Future<Seen> f : pool.invokeAll(tasks)) {
        assertThat(f.get().current()).isEqualTo(c);
      }
      assertThat(pool.invokeAny(tasks).current()).isEqualTo(c);
    }
  }

  @Test
  void taskSubmittedWithoutCorrelation_runsWithout_evenOnAThreadThatHasOne() throws Exception {
    ExecutorService pool = track(ContextExecutors.wrap(Executors.newSingleThreadExecutor()));
    // Leave a correlation on the worker thread, as careless code might.
    Correlation leaked = Correlation.newTrace("leaked");
    pool.submit(() -> {
      leaked.open();
    }).get();
    assertThat(pool.submit(Seen::now).get()).isEqualTo(new Seen(null, null, null));
  }

  @Test
  void scheduledExecutor_carriesTheContextIntoEveryPeriodicRun() throws Exception {
    ScheduledExecutorService pool = track(ContextExecutors.wrap(Executors.newScheduledThreadPool(1)));
    Correlation c = Correlation.newTrace("periodic");
    Set<Correlation> seen = ConcurrentHashMap.newKeySet();
    AtomicInteger runs = new AtomicInteger();
    CountDownLatch threeRuns = new CountDownLatch(3);
    ScheduledFuture<?> periodic;
    try (CorrelationScope ignored = c.open()) {
      periodic = pool.scheduleAtFixedRate(() -> {
        seen.add(Correlation.current().orElse(Correlation.newTrace("none")));
        runs.incrementAndGet();
        threeRuns.countDown();
      }, 0, 5, TimeUnit.MILLISECONDS);
      assertThat(pool.schedule(Seen::now, 1, TimeUnit.MILLISECONDS).get().current()).isEqualTo(c);
    }
    assertThat(threeRuns.await(10, TimeUnit.SECONDS)).isTrue();
    periodic.cancel(false);
    assertThat(seen).containsExactly(c);
    assertThat(pool.submit(Seen::now).get().current()).isNull();
  }

  @Test
  void completableFutureHelpers_carryTheContextThroughAsyncStages() throws Exception {
    Correlation c = Correlation.newTrace("future");
    CompletableFuture<String> chain;
    try (CorrelationScope ignored = c.open()) {
      chain = ContextExecutors.supplyAsync(() -> MDC.get("requestId"))
          .thenApplyAsync(r -> r + "|" + Correlation.current().map(Correlation::requestId).orElse("none"),
              ContextExecutors.commonPool());
    }
    assertThat(chain.get(10, TimeUnit.SECONDS)).isEqualTo("future|future");

    AtomicReference<Seen> seen = new AtomicReference<>();
    try (CorrelationScope ignored = c.open()) {
      ContextExecutors.runAsync(() -> seen.set(Seen.now())).get(10, TimeUnit.SECONDS);
    }
    assertThat(seen.get().current()).isEqualTo(c);
  }

  @Test
  void wrappedFunctionsAndConsumers_carryTheContextCapturedWhenWrapped() throws Exception {
    Correlation c = Correlation.newTrace("stage");
    CompletableFuture<String> notYet = new CompletableFuture<>();
    AtomicReference<Seen> consumed = new AtomicReference<>();
    CompletableFuture<String> stage;
    CompletableFuture<Void> consumer;
    try (CorrelationScope ignored = c.open()) {
      stage = notYet.thenApplyAsync(ContextExecutors.wrapFunction((String v) -> v + MDC.get("requestId")));
      consumer = notYet.thenAcceptAsync(ContextExecutors.wrapConsumer((String v) -> consumed.set(Seen.now())));
    }
    notYet.complete("x-");
    assertThat(stage.get(10, TimeUnit.SECONDS)).isEqualTo("x-stage");
    consumer.get(10, TimeUnit.SECONDS);
    assertThat(consumed.get().current()).isEqualTo(c);
  }

  @Test
  void supplyAsync_failureCompletesTheFutureExceptionally() {
    CompletableFuture<String> failing = ContextExecutors.supplyAsync(() -> {
      throw new IllegalStateException("boom");
    });
    assertThatThrownBy(() -> failing.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(IllegalStateException.class);
  }

  @Test
  void wrappedTask_restoresTheWorkerEvenWhenItThrows() throws Exception {
    ExecutorService raw = track(Executors.newSingleThreadExecutor());
    ExecutorService pool = ContextExecutors.wrap(raw);
    try (CorrelationScope ignored = Correlation.newTrace("fails").open()) {
      Future<?> failing = pool.submit(() -> {
        throw new IllegalStateException("task failed");
      });
      assertThatThrownBy(failing::get).isInstanceOf(ExecutionException.class);
    }
    assertThat(raw.submit(Seen::now).get()).isEqualTo(new Seen(null, null, null));
  }

  @Test
  void wrappingTwice_returnsTheSameWrapper() {
    ExecutorService pool = track(ContextExecutors.wrap(Executors.newSingleThreadExecutor()));
    assertThat(ContextExecutors.wrap(pool)).isSameAs(pool);
  }

  @Test
  @EnabledForJreRange(min = JRE.JAVA_21)
  void virtualThreadExecutor_carriesTheContext() throws Exception {
    ExecutorService pool = track(ContextExecutors.newVirtualThreadPerTaskExecutor());
    List<Future<Seen>> futures = new ArrayList<>();
    List<Correlation> sent = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      Correlation c = Correlation.newTrace("v" + i);
      sent.add(c);
      try (CorrelationScope ignored = c.open()) {
        futures.add(pool.submit(Seen::now));
      }
    }
    for (int i = 0; i < futures.size(); i++) {
      Seen seen = futures.get(i).get(30, TimeUnit.SECONDS);
      assertThat(seen.current()).isEqualTo(sent.get(i));
      assertThat(seen.mdcRequestId()).isEqualTo("v" + i);
    }
  }

  @Test
  @EnabledForJreRange(max = JRE.JAVA_20)
  void virtualThreadExecutor_explainsWhenTheJdkHasNone() {
    assertThatThrownBy(ContextExecutors::newVirtualThreadPerTaskExecutor)
        .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("Java 21");
  }

  /**
   * 100,000 tasks on a pool of 4, each submitted inside its own correlation, one in seven failing: no task sees
   * another's ids, and every worker thread ends with no correlation and no correlation keys in its MDC.
   */
  @Test
  void leak_100kTasksOnASmallPool_neverSeeAnotherTasksIds() throws Exception {
    int workers = 4;
    int tasks = 100_000;
    ExecutorService raw = track(Executors.newFixedThreadPool(workers));
    ExecutorService pool = ContextExecutors.wrap(raw);
    AtomicInteger mismatches = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    List<Future<?>> futures = new ArrayList<>(tasks);
    for (int i = 0; i < tasks; i++) {
      Correlation mine = Correlation.newTrace("task-" + i);
      String expectedRequestId = "task-" + i;
      boolean fail = i % 7 == 0;
      try (CorrelationScope ignored = mine.open()) {
        futures.add(pool.submit(() -> {
          Correlation seen = Correlation.current().orElse(null);
          if (seen != mine
              || !expectedRequestId.equals(MDC.get("requestId"))
              || !mine.traceId().equals(MDC.get("trace_id"))
              || !mine.spanId().equals(MDC.get("span_id"))) {
            mismatches.incrementAndGet();
          }
          if (fail) {
            throw new IllegalStateException("planned failure");
          }
        }));
      }
    }
    for (Future<?> f : futures) {
      try {
        f.get(60, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        failed.incrementAndGet();
      }
    }
    assertThat(mismatches.get()).isZero();
    assertThat(failed.get()).isEqualTo((tasks + 6) / 7);

    // One unwrapped probe per worker thread, held at a barrier so each thread runs exactly one.
    CyclicBarrier barrier = new CyclicBarrier(workers);
    List<Future<Map<String, String>>> probes = new ArrayList<>();
    for (int i = 0; i < workers; i++) {
      probes.add(raw.submit(() -> {
        barrier.await(10, TimeUnit.SECONDS);
        Map<String, String> state = new java.util.HashMap<>();
        state.put("thread", Thread.currentThread().getName());
        Correlation.current().ifPresent(c -> state.put("current", c.toString()));
        for (String key : List.of("requestId", "trace_id", "span_id")) {
          if (MDC.get(key) != null) {
            state.put(key, MDC.get(key));
          }
        }
        return state;
      }));
    }
    Set<String> threads = ConcurrentHashMap.newKeySet();
    for (Future<Map<String, String>> probe : probes) {
      Map<String, String> state = probe.get(30, TimeUnit.SECONDS);
      threads.add(state.remove("thread"));
      assertThat(state).isEmpty();
    }
    assertThat(threads).hasSize(workers);
  }
}
