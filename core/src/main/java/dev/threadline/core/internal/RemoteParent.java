package dev.threadline.core.internal;

import dev.threadline.core.Correlation;

/**
 * The caller's span as read from incoming headers: what a new span on this side becomes the child of (which
 * {@link dev.threadline.core.CorrelationPropagator#extract} makes).
 *
 * <p>Only the codecs in this package make one, and only from headers they validated, so every instance holds a
 * valid trace id and span id.
 */
public final class RemoteParent {

  private final String traceId;
  private final String spanId;
  private final int traceFlags;
  private final String traceState;

  RemoteParent(String traceId, String spanId, int traceFlags, String traceState) {
    this.traceId = traceId;
    this.spanId = spanId;
    this.traceFlags = traceFlags & (Correlation.FLAG_SAMPLED | Correlation.FLAG_RANDOM);
    this.traceState = traceState;
  }

  /** The trace id, 32 lowercase hex characters. */
  public String traceId() {
    return traceId;
  }

  /** The caller's span id, 16 lowercase hex characters. */
  public String spanId() {
    return spanId;
  }

  /** The received trace flags, reduced to {@code sampled} and {@code random}. */
  public int traceFlags() {
    return traceFlags;
  }

  /** The normalised {@code tracestate}; empty when there was none or it was invalid. */
  public String traceState() {
    return traceState;
  }

  @Override
  public String toString() {
    return "RemoteParent{traceId=" + traceId + ", spanId=" + spanId + ", traceFlags="
        + Hex.byteToString(traceFlags) + (traceState.isEmpty() ? "" : ", traceState=" + traceState) + "}";
  }
}
