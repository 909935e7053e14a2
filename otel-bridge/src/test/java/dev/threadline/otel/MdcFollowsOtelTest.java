package dev.threadline.otel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadline.core.Correlation;
import dev.threadline.web.LogCapture;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * With the real SDK: every line, and the MDC from the first line logged in a span on, follow OpenTelemetry's current
 * span, across nesting and threads.
 */
class MdcFollowsOtelTest {

  private static final Logger LOG = LoggerFactory.getLogger("app");

  private static Map<String, Object> line(LogCapture capture, String message) {
    List<Map<String, Object>> lines = capture.lines(l -> message.equals(l.get("message")));
    assertThat(lines).as(message).hasSize(1);
    return lines.get(0);
  }

  @Test
  void theBridgeWorksWithoutAnyCode_theMdcIsUpToDateFromTheFirstLineInASpan() {
    // Nothing installed by hand: the encoder put the log-time filter on the context when it started.
    try (LogCapture capture = LogCapture.capture()) {
      Span span = Otel.TRACER.spanBuilder("plain").startSpan();
      try (Scope s = span.makeCurrent()) {
        LOG.info("in the span");
        assertThat(MDC.get("trace_id")).isEqualTo(span.getSpanContext().getTraceId());
        assertThat(MDC.get("span_id")).isEqualTo(span.getSpanContext().getSpanId());
      } finally {
        span.end();
      }
      LOG.info("after the span");
      assertThat(MDC.get("trace_id")).isNull();
      assertThat(line(capture, "in the span")).containsEntry("span_id", span.getSpanContext().getSpanId());
      assertThat(line(capture, "after the span")).doesNotContainKeys("trace_id", "span_id");
    }
  }

  @Test
  void linesInNestedSpansCarryExactlyThatSpansIds_andClosingRestores() {
    try (LogCapture capture = LogCapture.capture()) {
      Span outer = Otel.TRACER.spanBuilder("outer").startSpan();
      String mdcInOuter;
      String mdcInInner;
      try (Scope o = outer.makeCurrent()) {
        LOG.info("in outer");
        mdcInOuter = MDC.get("span_id");
        Span inner = Otel.TRACER.spanBuilder("inner").startSpan();
        try (Scope i = inner.makeCurrent()) {
          LOG.info("in inner");
          mdcInInner = MDC.get("span_id");
        } finally {
          inner.end();
        }
        LOG.info("back in outer");
      } finally {
        outer.end();
      }
      LOG.info("outside");

      List<SpanData> spans = Otel.SPANS.getFinishedSpanItems();
      SpanData outerData = spans.stream().filter(s -> s.getName().equals("outer")).findFirst().orElseThrow();
      SpanData innerData = spans.stream().filter(s -> s.getName().equals("inner")).findFirst().orElseThrow();
      assertThat(line(capture, "in outer")).containsEntry("trace_id", outerData.getTraceId())
          .containsEntry("span_id", outerData.getSpanId()).containsEntry("requestId", outerData.getTraceId());
      assertThat(line(capture, "in inner")).containsEntry("trace_id", innerData.getTraceId())
          .containsEntry("span_id", innerData.getSpanId());
      assertThat(line(capture, "back in outer")).containsEntry("span_id", outerData.getSpanId());
      assertThat(line(capture, "outside")).doesNotContainKeys("trace_id", "span_id", "requestId");
      // Application code reads the ids from the MDC itself, unlike OpenTelemetry's own Logback MDC integration.
      assertThat(mdcInOuter).isEqualTo(outerData.getSpanId());
      assertThat(mdcInInner).isEqualTo(innerData.getSpanId());
      assertThat(MDC.get("trace_id")).isNull();
      assertThat(Correlation.current()).isEmpty();
    }
  }

  @Test
  void openTelemetrysOwnTaskWrappingCarriesTheIdsToAnotherThread() throws Exception {
    ExecutorService pool = Context.taskWrapping(Executors.newSingleThreadExecutor());
    try (LogCapture capture = LogCapture.capture()) {
      Span span = Otel.TRACER.spanBuilder("job").startSpan();
      try (Scope s = span.makeCurrent()) {
        pool.submit(() -> LOG.info("on the worker")).get(10, TimeUnit.SECONDS);
      } finally {
        span.end();
      }
      pool.submit(() -> LOG.info("worker afterwards")).get(10, TimeUnit.SECONDS);
      Map<String, Object> worker = line(capture, "on the worker");
      assertThat(worker).containsEntry("trace_id", span.getSpanContext().getTraceId())
          .containsEntry("span_id", span.getSpanContext().getSpanId());
      assertThat(worker.get("thread")).isNotEqualTo(Thread.currentThread().getName());
      assertThat(line(capture, "worker afterwards")).doesNotContainKeys("trace_id", "span_id");
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void theRequestIdComesFromBaggage() {
    try (LogCapture capture = LogCapture.capture()) {
      Span span = Otel.TRACER.spanBuilder("with baggage").startSpan();
      Context context = Context.current().with(span)
          .with(Baggage.builder().put(ThreadlineOtel.BAGGAGE_KEY, "req-from-baggage").build());
      try (Scope s = context.makeCurrent()) {
        LOG.info("with a request id");
        Span child = Otel.TRACER.spanBuilder("child").startSpan();
        try (Scope c = child.makeCurrent()) {
          LOG.info("child keeps it");
        } finally {
          child.end();
        }
      } finally {
        span.end();
      }
      assertThat(line(capture, "with a request id")).containsEntry("requestId", "req-from-baggage");
      assertThat(line(capture, "child keeps it")).containsEntry("requestId", "req-from-baggage");
    }
  }
}
