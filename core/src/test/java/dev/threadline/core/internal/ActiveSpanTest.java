package dev.threadline.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadline.core.Correlation;
import dev.threadline.core.CorrelationScope;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/**
 * Log time against a tracer that changes its span where no bridge sees it ({@link ScriptedTracer}, found as a real
 * bridge is): the MDC shows the tracer's span, is put back when it ends, and never disturbs the application's own
 * scopes, whichever order they close in.
 */
class ActiveSpanTest {

  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

  @BeforeEach
  @AfterEach
  void clean() {
    ScriptedTracer.makeCurrentUnseen(null);
    ActiveSpan.publish();
    MDC.clear();
  }

  private static Correlation span(String spanId) {
    return Correlation.ofSpan(TRACE, TRACE, spanId, 1);
  }

  @Test
  void theBridgeIsTheScriptedTracer() {
    assertThat(TraceBridges.get()).isInstanceOf(ScriptedTracer.class);
  }

  @Test
  void aTracerSpanNoBridgeSaw_isShownAtLogTime_andPutBackWhenItEnds() {
    Correlation server = Correlation.builder().requestId("req-1").traceId(TRACE).spanId("00f067aa0ba902b7").build();
    try (CorrelationScope s = server.open()) {
      // The scope made Threadline's span the tracer's current span too.
      assertThat(ScriptedTracer.current().spanId()).isEqualTo("00f067aa0ba902b7");
      ActiveSpan.publish();
      assertThat(Correlation.current()).containsSame(server);

      ScriptedTracer.makeCurrentUnseen(span("b7ad6b7169203331"));
      assertThat(MDC.get("span_id")).isEqualTo("00f067aa0ba902b7");
      ActiveSpan.publish();
      assertThat(MDC.get("span_id")).isEqualTo("b7ad6b7169203331");
      assertThat(MDC.get("requestId")).isEqualTo("req-1");
      Correlation shown = Correlation.current().orElseThrow();
      ActiveSpan.publish();
      assertThat(Correlation.current()).as("the same span again changes nothing").containsSame(shown);

      ScriptedTracer.makeCurrentUnseen(server);
      ActiveSpan.publish();
      assertThat(Correlation.current()).containsSame(server);
      assertThat(MDC.get("span_id")).isEqualTo("00f067aa0ba902b7");
    }
    assertThat(ScriptedTracer.current()).as("the tracer's context as it was before the scope").isNull();
    assertThat(MDC.get("span_id")).isNull();
  }

  @Test
  void aScopeTheApplicationOpensInsideAPublishedSpan_closesUndisturbed() {
    Correlation server = Correlation.builder().requestId("req-2").traceId(TRACE).spanId("00f067aa0ba902b7").build();
    try (CorrelationScope s = server.open()) {
      ScriptedTracer.makeCurrentUnseen(span("b7ad6b7169203331"));
      ActiveSpan.publish();
      Correlation published = Correlation.current().orElseThrow();
      Correlation child = published.newChild();
      try (CorrelationScope c = child.open()) {
        ActiveSpan.publish();
        assertThat(Correlation.current()).as("the application's newer scope wins").containsSame(child);
        assertThat(MDC.get("span_id")).isEqualTo(child.spanId());
      }
      assertThat(Correlation.current()).containsSame(published);
      ScriptedTracer.makeCurrentUnseen(null);
      ActiveSpan.publish();
      assertThat(Correlation.current()).containsSame(server);
      assertThat(MDC.get("span_id")).isEqualTo("00f067aa0ba902b7");
    }
    assertThat(MDC.get("span_id")).isNull();
  }

  @Test
  void whenTheScopeAroundAPublishedSpanClosesFirst_laterLogCallsLeaveTheNextScopeAlone() {
    Correlation first = Correlation.builder().requestId("req-3").traceId(TRACE).spanId("00f067aa0ba902b7").build();
    try (CorrelationScope s = first.open()) {
      ScriptedTracer.makeCurrentUnseen(span("b7ad6b7169203331"));
      ActiveSpan.publish();
      assertThat(MDC.get("span_id")).isEqualTo("b7ad6b7169203331");
    }
    // The request's scope put back what was there before it, under the published span too.
    assertThat(MDC.get("span_id")).isNull();
    assertThat(Correlation.current()).isEmpty();

    ScriptedTracer.makeCurrentUnseen(null);
    Correlation next = Correlation.builder().requestId("req-4").build();
    try (CorrelationScope s = next.open()) {
      ActiveSpan.publish();
      assertThat(Correlation.current()).containsSame(next);
      assertThat(MDC.get("requestId")).isEqualTo("req-4");
      assertThat(MDC.get("span_id")).isEqualTo(next.spanId());
    }
    assertThat(MDC.get("requestId")).isNull();
  }

  @Test
  void aTracerSpanOfAnotherTrace_outsideAnyScope_isShownAndThenCleared() {
    Correlation other = Correlation.ofSpan("ffe4e2a0b1c94d1e9a1b3c5d7e9f0a1b", "ffe4e2a0b1c94d1e9a1b3c5d7e9f0a1b",
        "1111111111111111", 1);
    ScriptedTracer.makeCurrentUnseen(other);
    ActiveSpan.publish();
    assertThat(MDC.get("trace_id")).isEqualTo("ffe4e2a0b1c94d1e9a1b3c5d7e9f0a1b");
    ScriptedTracer.makeCurrentUnseen(null);
    ActiveSpan.publish();
    assertThat(MDC.get("trace_id")).isNull();
    assertThat(Correlation.current()).isEmpty();
  }
}
