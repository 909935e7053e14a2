package dev.threadline.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

class CorrelationScopeTest {

  @AfterEach
  void resetKeysAndMdc() {
    MdcKeys.activate(MdcKeys.threadline());
    MDC.clear();
  }

  @Test
  void openingScope_putsSchemaKeysIntoMdc() {
    Correlation correlation = Correlation.newTrace("req-1");
    try (CorrelationScope ignored = correlation.open()) {
      assertThat(MDC.get("requestId")).isEqualTo("req-1");
      assertThat(MDC.get("trace_id")).isEqualTo(correlation.traceId());
      assertThat(MDC.get("span_id")).isEqualTo(correlation.spanId());
      assertThat(MDC.get("trace_flags")).isNull();
      assertThat(Correlation.current()).contains(correlation);
    }
  }

  @Test
  void closingScope_restoresAbsence() {
    try (CorrelationScope ignored = Correlation.newTrace().open()) {
      assertThat(MDC.get("trace_id")).isNotNull();
    }
    assertThat(MDC.getCopyOfContextMap()).isNullOrEmpty();
    assertThat(Correlation.current()).isEmpty();
  }

  @Test
  void closingScope_restoresPreviousValues() {
    MDC.put("requestId", "set-by-someone-else");
    MDC.put("trace_id", "legacy");
    MDC.put("unrelated", "kept");
    try (CorrelationScope ignored = Correlation.newTrace("mine").open()) {
      assertThat(MDC.get("requestId")).isEqualTo("mine");
      assertThat(MDC.get("unrelated")).isEqualTo("kept");
    }
    assertThat(MDC.get("requestId")).isEqualTo("set-by-someone-else");
    assertThat(MDC.get("trace_id")).isEqualTo("legacy");
    assertThat(MDC.get("span_id")).isNull();
    assertThat(MDC.get("unrelated")).isEqualTo("kept");
  }

  @Test
  void nestedScopes_shadowAndRestoreInOrder() {
    Correlation outer = Correlation.newTrace("outer");
    Correlation inner = outer.newChild();
    try (CorrelationScope o = outer.open()) {
      try (CorrelationScope i = inner.open()) {
        assertThat(MDC.get("span_id")).isEqualTo(inner.spanId());
        assertThat(Correlation.current()).contains(inner);
      }
      assertThat(MDC.get("span_id")).isEqualTo(outer.spanId());
      assertThat(MDC.get("requestId")).isEqualTo("outer");
      assertThat(Correlation.current()).contains(outer);
    }
    assertThat(MDC.get("span_id")).isNull();
    assertThat(Correlation.current()).isEmpty();
  }

  @Test
  void newChild_keepsTraceAndRequestId_andMakesTheCurrentSpanTheParent() {
    Correlation parent = Correlation.newTrace("r").toBuilder().traceState("a=b").baggage("tenant", "acme").build();
    Correlation child = parent.newChild();
    assertThat(child.traceId()).isEqualTo(parent.traceId());
    assertThat(child.requestId()).isEqualTo("r");
    assertThat(child.spanId()).isNotEqualTo(parent.spanId()).matches("[0-9a-f]{16}");
    assertThat(child.parentSpanId()).contains(parent.spanId());
    assertThat(child.traceFlags()).isEqualTo(parent.traceFlags());
    assertThat(child.traceState()).isEqualTo("a=b");
    assertThat(child.baggage()).containsEntry("tenant", "acme");
  }

  @Test
  void newTrace_isSampledAndRandom_withoutParent() {
    Correlation c = Correlation.newTrace();
    assertThat(c.isSampled()).isTrue();
    assertThat(c.isRandom()).isTrue();
    assertThat(c.parentSpanId()).isEmpty();
    assertThat(RequestIds.isValid(c.requestId())).isTrue();
  }

  @Test
  void openTelemetryPreset_writesTraceFlags() {
    MdcKeys.activate(MdcKeys.openTelemetry());
    Correlation c = Correlation.builder().traceFlags(Correlation.FLAG_SAMPLED).build();
    try (CorrelationScope ignored = c.open()) {
      assertThat(MDC.get("trace_id")).isEqualTo(c.traceId());
      assertThat(MDC.get("span_id")).isEqualTo(c.spanId());
      assertThat(MDC.get("trace_flags")).isEqualTo("01");
    }
    assertThat(MDC.get("trace_flags")).isNull();
  }

  @Test
  void micrometerPreset_writesCamelCaseKeys() {
    MdcKeys.activate(MdcKeys.micrometer());
    Correlation c = Correlation.newTrace();
    try (CorrelationScope ignored = c.open()) {
      assertThat(MDC.get("traceId")).isEqualTo(c.traceId());
      assertThat(MDC.get("spanId")).isEqualTo(c.spanId());
      assertThat(MDC.get("trace_id")).isNull();
    }
    assertThat(MDC.get("traceId")).isNull();
  }

  @Test
  void customKeys_canRenameAndLeaveOut() {
    MdcKeys.activate(MdcKeys.builder().requestId("rid").spanId(null).parentSpanId("parent_id").build());
    Correlation parent = Correlation.newTrace("x");
    Correlation c = parent.newChild();
    try (CorrelationScope ignored = c.open()) {
      assertThat(MDC.get("rid")).isEqualTo("x");
      assertThat(MDC.get("span_id")).isNull();
      assertThat(MDC.get("parent_id")).isEqualTo(parent.spanId());
    }
    assertThat(MDC.getCopyOfContextMap()).isNullOrEmpty();
  }

  @Test
  void keyNames_mustBeDistinctAndNotBlank() {
    assertThatThrownBy(() -> MdcKeys.builder().traceId("span_id").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("span_id");
    assertThatThrownBy(() -> MdcKeys.builder().requestId(" ").build())
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void baggage_isPublishedAndRemovedForAnInnerCorrelationWithoutIt() {
    Correlation outer = Correlation.builder().baggage("tenant", "acme").baggage("userId", "u-1").build();
    Correlation other = Correlation.builder().baggage("userId", "u-2").build();
    MDC.put("tenant", "from-before");
    try (CorrelationScope o = outer.open()) {
      assertThat(MDC.get("tenant")).isEqualTo("acme");
      assertThat(MDC.get("userId")).isEqualTo("u-1");
      try (CorrelationScope i = other.open()) {
        assertThat(MDC.get("tenant")).isNull();
        assertThat(MDC.get("userId")).isEqualTo("u-2");
      }
      assertThat(MDC.get("tenant")).isEqualTo("acme");
      assertThat(MDC.get("userId")).isEqualTo("u-1");
    }
    assertThat(MDC.get("tenant")).isEqualTo("from-before");
    assertThat(MDC.get("userId")).isNull();
  }

  @Test
  void baggage_namesAndValuesAreValidated() {
    assertThatThrownBy(() -> Correlation.builder().baggage("trace_id", "x"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Correlation.builder().baggage("1tenant", "x"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Correlation.builder().baggage("tenant", "line\nbreak"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Correlation.builder().baggage("tenant", "x".repeat(257)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void builder_refusesInvalidIds() {
    assertThatThrownBy(() -> Correlation.builder().traceId("0".repeat(32)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Correlation.builder().spanId("ABCDEF0123456789"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Correlation.newTrace("bad id"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void closingTwice_doesNothingTheSecondTime() {
    MDC.put("requestId", "before");
    Correlation outer = Correlation.newTrace("outer");
    try (CorrelationScope o = outer.open()) {
      CorrelationScope inner = Correlation.newTrace("inner").open();
      inner.close();
      inner.close();
      assertThat(MDC.get("requestId")).isEqualTo("outer");
    }
    assertThat(MDC.get("requestId")).isEqualTo("before");
  }

  @Test
  void closingOnAnotherThread_doesNotTouchEitherThread() throws InterruptedException {
    CorrelationScope scope = Correlation.newTrace("mine").open();
    AtomicReference<String> seenThere = new AtomicReference<>("unset");
    Thread other = new Thread(() -> {
      scope.close();
      seenThere.set(MDC.get("requestId"));
    });
    other.start();
    other.join();
    assertThat(seenThere.get()).isNull();
    assertThat(MDC.get("requestId")).isEqualTo("mine");
    scope.close();
    assertThat(MDC.get("requestId")).isNull();
  }

  @Test
  void clearedScope_hidesTheCurrentCorrelationUntilClosed() {
    Correlation c = Correlation.newTrace("req");
    try (CorrelationScope o = c.open()) {
      try (CorrelationScope cleared = CorrelationScope.openCleared()) {
        assertThat(Correlation.current()).isEmpty();
        assertThat(MDC.get("requestId")).isNull();
        assertThat(MDC.get("trace_id")).isNull();
      }
      assertThat(Correlation.current()).contains(c);
      assertThat(MDC.get("requestId")).isEqualTo("req");
    }
  }
}
