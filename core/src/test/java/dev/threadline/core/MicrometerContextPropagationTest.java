package dev.threadline.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadline.core.internal.CorrelationThreadLocalAccessor;
import io.micrometer.context.ContextRegistry;
import io.micrometer.context.ContextSnapshot;
import io.micrometer.context.ContextSnapshotFactory;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/** Micrometer's context propagation finds our accessor through ServiceLoader and carries the correlation. */
class MicrometerContextPropagationTest {

  private final ExecutorService pool = Executors.newSingleThreadExecutor();

  @AfterEach
  void shutDown() {
    pool.shutdownNow();
    MDC.clear();
  }

  @Test
  void accessorIsRegisteredThroughServiceLoader() {
    assertThat(ContextRegistry.getInstance().getThreadLocalAccessors())
        .anyMatch(a -> CorrelationThreadLocalAccessor.KEY.equals(a.key()));
  }

  @Test
  void snapshotWrappedTask_runsWithTheCorrelation_andLeavesTheWorkerClean() throws Exception {
    ContextSnapshotFactory snapshots = ContextSnapshotFactory.builder().build();
    Correlation c = Correlation.newTrace("via-micrometer");
    AtomicReference<String> seen = new AtomicReference<>();
    AtomicReference<Correlation> current = new AtomicReference<>();
    Runnable task;
    try (CorrelationScope ignored = c.open()) {
      task = snapshots.captureAll().wrap(() -> {
        seen.set(MDC.get("requestId"));
        current.set(Correlation.current().orElse(null));
      });
    }
    pool.submit(task).get(10, TimeUnit.SECONDS);
    assertThat(seen.get()).isEqualTo("via-micrometer");
    assertThat(current.get()).isEqualTo(c);
    assertThat(pool.submit(() -> MDC.get("requestId") == null && Correlation.current().isEmpty())
        .get(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void snapshotWithoutCorrelation_withClearMissing_clearsAndRestoresTheThreadsOwn() {
    ContextSnapshot empty = ContextSnapshotFactory.builder().clearMissing(true).build().captureAll();
    Correlation mine = Correlation.newTrace("mine");
    try (CorrelationScope ignored = mine.open()) {
      try (ContextSnapshot.Scope inside = empty.setThreadLocals()) {
        assertThat(Correlation.current()).isEmpty();
        assertThat(MDC.get("requestId")).isNull();
      }
      assertThat(Correlation.current()).contains(mine);
      assertThat(MDC.get("requestId")).isEqualTo("mine");
    }
  }

  @Test
  void nestedSnapshots_restoreInOrder() {
    ContextSnapshotFactory snapshots = ContextSnapshotFactory.builder().build();
    Correlation a = Correlation.newTrace("a");
    Correlation b = Correlation.newTrace("b");
    ContextSnapshot snapA;
    ContextSnapshot snapB;
    try (CorrelationScope ignored = a.open()) {
      snapA = snapshots.captureAll();
    }
    try (CorrelationScope ignored = b.open()) {
      snapB = snapshots.captureAll();
    }
    try (ContextSnapshot.Scope outer = snapA.setThreadLocals()) {
      try (ContextSnapshot.Scope inner = snapB.setThreadLocals()) {
        assertThat(MDC.get("requestId")).isEqualTo("b");
      }
      assertThat(MDC.get("requestId")).isEqualTo("a");
    }
    assertThat(MDC.get("requestId")).isNull();
    assertThat(Correlation.current()).isEmpty();
  }

  @Test
  void settingTheCurrentCorrelationAgain_changesNothing_andItsRestoreLeavesTheOuterScopeOpen() {
    ContextSnapshotFactory snapshots = ContextSnapshotFactory.builder().build();
    Correlation a = Correlation.newTrace("a").toBuilder().baggage("tenant", "acme").build();
    ContextSnapshot snapA;
    try (CorrelationScope ignored = a.open()) {
      snapA = snapshots.captureAll();
    }
    for (int round = 0; round < 2; round++) {
      try (ContextSnapshot.Scope outer = snapA.setThreadLocals()) {
        MDC.put("user", "u1");
        try (ContextSnapshot.Scope again = snapA.setThreadLocals()) {
          assertThat(Correlation.current()).containsSame(a);
          assertThat(MDC.get("requestId")).isEqualTo("a");
        }
        // The inner restore put nothing back: the outer scope, and what was written under it, still hold.
        assertThat(Correlation.current()).containsSame(a);
        assertThat(MDC.get("requestId")).isEqualTo("a");
        assertThat(MDC.get("tenant")).isEqualTo("acme");
        assertThat(MDC.get("user")).isEqualTo("u1");
        MDC.remove("user");
      }
      // Round two runs on the stack the first one left: empty, and kept.
      assertThat(Correlation.current()).isEmpty();
      assertThat(MDC.get("requestId")).isNull();
      assertThat(MDC.get("tenant")).isNull();
    }
  }
}
