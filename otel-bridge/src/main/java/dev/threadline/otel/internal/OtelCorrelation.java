package dev.threadline.otel.internal;

import dev.threadline.core.Correlation;
import dev.threadline.core.RequestIds;
import dev.threadline.otel.ThreadlineOtel;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.TraceStateBuilder;
import io.opentelemetry.context.Context;

/**
 * OpenTelemetry's span context as a Threadline correlation and back: the one translation {@link OtelTraceBridge} and
 * {@link ThreadlineOtel#correlationOf} use.
 */
public final class OtelCorrelation {

  private OtelCorrelation() {
  }

  /** Whether {@code span} and {@code correlation} are the same span (trace id and span id). */
  public static boolean sameSpan(SpanContext span, Correlation correlation) {
    return span.getSpanId().equals(correlation.spanId()) && span.getTraceId().equals(correlation.traceId());
  }

  /**
   * The correlation of a valid span of {@code context}, given the one {@code shown} on this thread: of the same trace,
   * it keeps {@code shown}'s request id (unless the context's baggage names one) and baggage fields.
   */
  public static Correlation of(Context context, SpanContext span, Correlation shown) {
    String baggageId = Baggage.fromContext(context).getEntryValue(ThreadlineOtel.BAGGAGE_KEY);
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
  public static SpanContext spanContextOf(Correlation c, boolean remote) {
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
