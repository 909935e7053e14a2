package dev.threadline.core.internal;

import dev.threadline.core.CarrierGetter;
import dev.threadline.core.Correlation;
import java.util.Optional;

/**
 * Reads Zipkin B3 headers, for callers that predate W3C Trace Context. Threadline reads B3 and writes W3C.
 *
 * <ul>
 *   <li>Single header {@code b3: {traceId}-{spanId}[-{sampling}[-{parentSpanId}]]}. A value that is only a sampling
 *       decision ({@code 0}, {@code 1}, {@code d}) carries no ids and gives no parent.
 *   <li>Multiple headers {@code X-B3-TraceId}, {@code X-B3-SpanId}, {@code X-B3-Sampled} ({@code 1}/{@code 0}, or
 *       the legacy {@code true}/{@code false}), {@code X-B3-Flags} ({@code 1}: debug). Used when there is no valid
 *       {@code b3} header.
 * </ul>
 * Trace ids are 16 or 32 lowercase hex characters; a 16-character id is left-padded with zeros to the W3C size, as
 * Zipkin and OpenTelemetry do. Ids must not be all zeros. {@code sampled} or debug set the W3C {@code sampled} flag;
 * an absent (deferred) decision leaves it clear. Invalid values give no parent; nothing here throws on input.
 */
public final class B3 {

  /** The single-header form. */
  public static final String B3_SINGLE = "b3";
  /** Multi-header trace id. */
  public static final String TRACE_ID = "X-B3-TraceId";
  /** Multi-header span id. */
  public static final String SPAN_ID = "X-B3-SpanId";
  /** Multi-header sampling decision. */
  public static final String SAMPLED = "X-B3-Sampled";
  /** Multi-header debug flag. */
  public static final String FLAGS = "X-B3-Flags";

  private static final String PADDING = "0000000000000000";

  private B3() {}

  /** Reads the caller's span from B3 headers in {@code carrier}; empty when there is no valid one. */
  public static <C> Optional<RemoteParent> extract(C carrier, CarrierGetter<C> getter) {
    return Optional.ofNullable(extractOrNull(carrier, getter));
  }

  /** As {@link #extract}, without the {@code Optional}: {@code null} when there is no valid B3 span. */
  public static <C> RemoteParent extractOrNull(C carrier, CarrierGetter<C> getter) {
    try {
      String single = getter.get(carrier, B3_SINGLE);
      if (single != null) {
        RemoteParent parent = parseSingle(HeaderValues.trimOws(single));
        if (parent != null) {
          return parent;
        }
      }
      return parseMulti(
          getter.get(carrier, TRACE_ID),
          getter.get(carrier, SPAN_ID),
          getter.get(carrier, SAMPLED),
          getter.get(carrier, FLAGS));
    } catch (RuntimeException badCarrier) {
      return null;
    }
  }

  static RemoteParent parseSingle(String value) {
    int firstDash = value.indexOf('-');
    if (firstDash != 16 && firstDash != 32) {
      return null;
    }
    String traceId = padTraceId(value.substring(0, firstDash));
    int spanEnd = firstDash + 1 + 16;
    if (traceId == null || value.length() < spanEnd) {
      return null;
    }
    String spanId = value.substring(firstDash + 1, spanEnd);
    if (!Ids.isValidSpanId(spanId)) {
      return null;
    }
    int flags = 0;
    if (value.length() > spanEnd) {
      if (value.charAt(spanEnd) != '-') {
        return null;
      }
      int samplingEnd = value.indexOf('-', spanEnd + 1);
      String sampling = value.substring(spanEnd + 1, samplingEnd < 0 ? value.length() : samplingEnd);
      if (sampling.equals("1") || sampling.equals("d")) {
        flags = Correlation.FLAG_SAMPLED;
      } else if (!sampling.equals("0")) {
        return null;
      }
      if (samplingEnd >= 0 && !Ids.isValidSpanId(value.substring(samplingEnd + 1))) {
        return null;
      }
    }
    return new RemoteParent(traceId, spanId, flags, "");
  }

  static RemoteParent parseMulti(String traceIdValue, String spanIdValue, String sampled, String debug) {
    if (traceIdValue == null || spanIdValue == null) {
      return null;
    }
    String traceId = padTraceId(HeaderValues.trimOws(traceIdValue));
    String spanId = HeaderValues.trimOws(spanIdValue);
    if (traceId == null || !Ids.isValidSpanId(spanId)) {
      return null;
    }
    boolean isSampled = "1".equals(debug) || "1".equals(sampled) || "true".equalsIgnoreCase(sampled);
    return new RemoteParent(traceId, spanId, isSampled ? Correlation.FLAG_SAMPLED : 0, "");
  }

  private static String padTraceId(String id) {
    if (id.length() == 16) {
      return Ids.isValidSpanId(id) ? PADDING + id : null;
    }
    return Ids.isValidTraceId(id) ? id : null;
  }
}
