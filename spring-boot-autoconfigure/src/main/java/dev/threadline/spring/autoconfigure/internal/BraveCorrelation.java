package dev.threadline.spring.autoconfigure.internal;

import brave.baggage.BaggageField;
import brave.propagation.TraceContext;
import dev.threadline.core.Correlation;
import dev.threadline.core.RequestIds;

/** Brave's trace context as a Threadline correlation: the one translation both Brave adapters use. */
final class BraveCorrelation {

  /** The baggage field (and span tag) that carries the request id, the name OpenTelemetry's bridge uses too. */
  static final String REQUEST_ID_FIELD = "request.id";

  private static final String ZEROS = "0000000000000000";

  private BraveCorrelation() {
  }

  /**
   * {@code context} as a correlation; its request id is the {@code request.id} baggage value when Brave carries one,
   * else the request id of {@code open} (the correlation open on this thread) when it is in the same trace, else the
   * trace id; the baggage fields of {@code open} when it is in the same trace. {@code null} for no context, or ids
   * Threadline cannot represent.
   */
  static Correlation of(TraceContext context, Correlation open) {
    if (context == null) {
      return null;
    }
    String traceId = traceId(context);
    String requestId = baggageRequestId(context);
    if (requestId == null) {
      requestId = open != null && open.traceId().equals(traceId) ? open.requestId() : traceId;
    }
    int flags = Boolean.TRUE.equals(context.sampled()) ? Correlation.FLAG_SAMPLED : 0;
    try {
      Correlation span = Correlation.ofSpan(requestId, traceId, context.spanIdString(), flags);
      if (open != null && !open.baggage().isEmpty() && open.traceId().equals(traceId)) {
        // Threadline's baggage fields (a tenant) stay with every span of the same trace.
        Correlation.Builder b = span.toBuilder();
        open.baggage().forEach(b::baggage);
        span = b.build();
      }
      return span;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** Whether {@code open} is already the correlation of {@code context}'s span. */
  static boolean isOpen(TraceContext context, Correlation open) {
    return open != null && open.spanId().equals(context.spanIdString()) && open.traceId().equals(traceId(context));
  }

  /** Brave's trace id in W3C's form: a 64-bit id is left-padded with zeros. */
  private static String traceId(TraceContext context) {
    String traceId = context.traceIdString();
    return traceId.length() == 16 ? ZEROS + traceId : traceId;
  }

  private static String baggageRequestId(TraceContext context) {
    BaggageField field = BaggageField.getByName(context, REQUEST_ID_FIELD);
    String value = field == null ? null : field.getValue(context);
    return value != null && RequestIds.isValid(value) ? value : null;
  }
}
