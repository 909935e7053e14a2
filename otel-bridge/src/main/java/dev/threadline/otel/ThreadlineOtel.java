package dev.threadline.otel;

import dev.threadline.core.Correlation;
import dev.threadline.core.RequestIds;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.TraceStateBuilder;
import io.opentelemetry.context.Context;

/**
 * Threadline under OpenTelemetry: when a valid span is current, every log line carries that span's trace id, span id
 * and flags, and Threadline's own integrations start no spans.
 *
 * <p>The line follows OpenTelemetry's context at log time: before each log call, on the calling thread, the turbo
 * filter Threadline's encoder and Loki appender install ({@code dev.threadline.logback.ActiveSpanFilter}) asks
 * {@code Span.current()} through the API and brings the MDC up to date when the span differs from the one it shows.
 * Nothing is wrapped around OpenTelemetry's context storage, so a {@code makeCurrent()} costs what it costs without
 * Threadline, and the same mechanism works under the Java agent, whose context storage no wrapper would see.
 *
 * <p>The request id travels as W3C baggage under {@value #BAGGAGE_KEY} (OpenTelemetry's baggage propagator takes it
 * to the next service) and is set on the server span as the attribute {@value #BAGGAGE_KEY}, so a trace leads to its
 * log lines and a log line to its trace. A span whose context carries no request id gets its trace id as request id.
 */
public final class ThreadlineOtel {

  /** The baggage key, and the span attribute, of the request id. */
  public static final String BAGGAGE_KEY = "request.id";

  /** The request id as a span attribute. */
  public static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey(BAGGAGE_KEY);

  private ThreadlineOtel() {
  }

  /**
   * The correlation of {@code context}'s span, or {@code null} when it has no valid span. The request id is the
   * context's baggage entry {@value #BAGGAGE_KEY} when valid, else the one already current on this thread for the
   * same trace, else the trace id.
   */
  public static Correlation correlationOf(Context context) {
    SpanContext span = Span.fromContext(context).getSpanContext();
    if (!span.isValid()) {
      return null;
    }
    return correlationOf(context, span, Correlation.current().orElse(null));
  }

  /** Whether {@code span} and {@code correlation} are the same span (trace id and span id). */
  static boolean sameSpan(SpanContext span, Correlation correlation) {
    return span.getSpanId().equals(correlation.spanId()) && span.getTraceId().equals(correlation.traceId());
  }

  /**
   * The correlation of a valid span of {@code context}, given the one {@code shown} on this thread: of the same trace,
   * it keeps {@code shown}'s request id (unless the context's baggage names one) and baggage fields.
   */
  static Correlation correlationOf(Context context, SpanContext span, Correlation shown) {
    String baggageId = Baggage.fromContext(context).getEntryValue(BAGGAGE_KEY);
    boolean sameTrace = shown != null && shown.traceId().equals(span.getTraceId());
    if (sameTrace && !shown.baggage().isEmpty()) {
      Correlation.Builder b = shown.toBuilder().spanId(span.getSpanId()).parentSpanId(null)
          .traceFlags(span.getTraceFlags().asByte() & 0xFF).traceState(traceState(span));
      if (baggageId != null && RequestIds.isValid(baggageId)) {
        b.requestId(baggageId);
      }
      return b.build();
    }
    // The same span is made current again and again (nested scopes, every task OpenTelemetry carries to another
    // thread): the correlation built last time is reused when span and baggage value are the very same objects.
    Last last = LAST;
    if (last != null && last.span == span && last.baggageId == baggageId && baggageId != null) {
      return last.correlation;
    }
    Correlation built = build(span, baggageId, sameTrace ? shown.requestId() : null);
    if (baggageId != null && built.requestId() == baggageId) {
      // Only when the result depends on nothing but the span and the baggage (a valid request id in it).
      LAST = new Last(span, baggageId, built);
    }
    return built;
  }

  /** OpenTelemetry's span context for a correlation: the same ids, flags and trace state. */
  static SpanContext spanContextOf(Correlation c, boolean remote) {
    TraceFlags flags = TraceFlags.fromByte((byte) c.traceFlags());
    TraceState state = TraceState.getDefault();
    if (!c.traceState().isEmpty()) {
      TraceStateBuilder b = TraceState.builder();
      for (String member : c.traceState().split(",")) {
        int eq = member.indexOf('=');
        if (eq > 0) {
          b.put(member.substring(0, eq).trim(), member.substring(eq + 1).trim());
        }
      }
      state = b.build();
    }
    return remote ? SpanContext.createFromRemoteParent(c.traceId(), c.spanId(), flags, state)
        : SpanContext.create(c.traceId(), c.spanId(), flags, state);
  }

  /** The last correlation built from a span and a baggage request id; immutable, shared by all threads. */
  private static final class Last {
    final SpanContext span;
    final String baggageId;
    final Correlation correlation;

    Last(SpanContext span, String baggageId, Correlation correlation) {
      this.span = span;
      this.baggageId = baggageId;
      this.correlation = correlation;
    }
  }

  private static volatile Last LAST;

  private static Correlation build(SpanContext span, String baggageId, String sameTraceRequestId) {
    String requestId = baggageId;
    if (requestId == null || !RequestIds.isValid(requestId)) {
      requestId = sameTraceRequestId != null ? sameTraceRequestId : span.getTraceId();
    }
    int flags = span.getTraceFlags().asByte() & 0xFF;
    if (span.getTraceState().isEmpty()) {
      return Correlation.ofSpan(requestId, span.getTraceId(), span.getSpanId(), flags);
    }
    return Correlation.builder().requestId(requestId).traceId(span.getTraceId()).spanId(span.getSpanId())
        .traceFlags(flags).traceState(traceState(span)).build();
  }

  private static String traceState(SpanContext span) {
    StringBuilder s = new StringBuilder();
    span.getTraceState().forEach((key, value) -> {
      if (s.length() > 0) {
        s.append(',');
      }
      s.append(key).append('=').append(value);
    });
    return s.toString();
  }
}
