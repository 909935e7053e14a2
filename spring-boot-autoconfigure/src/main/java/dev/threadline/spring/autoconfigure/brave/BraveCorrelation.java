package dev.threadline.spring.autoconfigure.brave;

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
   * else the request id of the correlation already open on this thread in the same trace, else the trace id.
   * {@code null} for no context, or ids Threadline cannot represent.
   */
  static Correlation of(TraceContext context) {
    if (context == null) {
      return null;
    }
    String traceId = context.traceIdString();
    if (traceId.length() == 16) {
      // A 64-bit Brave trace id: W3C's form of it is left-padded with zeros.
      traceId = ZEROS + traceId;
    }
    String requestId = baggageRequestId(context);
    if (requestId == null) {
      Correlation open = Correlation.current().orElse(null);
      requestId = open != null && open.traceId().equals(traceId) ? open.requestId() : traceId;
    }
    int flags = Boolean.TRUE.equals(context.sampled()) ? Correlation.FLAG_SAMPLED : 0;
    try {
      return Correlation.ofSpan(requestId, traceId, context.spanIdString(), flags);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static String baggageRequestId(TraceContext context) {
    BaggageField field = BaggageField.getByName(context, REQUEST_ID_FIELD);
    String value = field == null ? null : field.getValue(context);
    return value != null && RequestIds.isValid(value) ? value : null;
  }
}
