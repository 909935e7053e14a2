package dev.threadline.core;

import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * The MDC key names under which an open {@link CorrelationScope} publishes the correlation.
 *
 * <p>The default, {@link #threadline()}, uses the keys of Threadline's JSON schema: {@code requestId},
 * {@code trace_id}, {@code span_id}. Two presets match other ecosystems: {@link #openTelemetry()} (adds
 * {@code trace_flags}) and {@link #micrometer()} ({@code traceId}, {@code spanId}, as Micrometer Tracing and Brave
 * write them). A key set to {@code null} is not written. Baggage fields are always published under their own names.
 *
 * <p>The key names in effect for the process are chosen once at start-up with {@link #activate(MdcKeys)}, by the
 * application: no Threadline module calls it, the Spring Boot starter included, so without that call every scope
 * uses {@link #threadline()}. Whatever names are active, Threadline's encoder reads the ids under them and writes them
 * under its own field names. Under Micrometer Tracing the starter does not switch to {@link #micrometer()} either:
 * Spring Boot writes its own {@code traceId}/{@code spanId} entries, and the encoders the starter makes leave those
 * out of the lines.
 *
 * @since 0.1.0
 */
public final class MdcKeys {

  private static final MdcKeys THREADLINE = builder().build();
  private static final MdcKeys OPEN_TELEMETRY = builder().traceFlags("trace_flags").build();
  private static final MdcKeys MICROMETER = builder().traceId("traceId").spanId("spanId").build();

  private static volatile MdcKeys active = THREADLINE;

  private final String requestId;
  private final String traceId;
  private final String spanId;
  private final String parentSpanId;
  private final String traceFlags;
  /** The non-null names in slot order, for the scope's save-and-restore loop. */
  final String[] names;
  /** For each entry of {@link #names}, which correlation value it carries (see {@link Correlation#slot}). */
  final int[] slots;

  private MdcKeys(Builder b) {
    this.requestId = b.requestId;
    this.traceId = b.traceId;
    this.spanId = b.spanId;
    this.parentSpanId = b.parentSpanId;
    this.traceFlags = b.traceFlags;
    String[] all = {requestId, traceId, spanId, parentSpanId, traceFlags};
    int count = 0;
    for (String name : all) {
      if (name != null) {
        count++;
      }
    }
    this.names = new String[count];
    this.slots = new int[count];
    int i = 0;
    for (int slot = 0; slot < all.length; slot++) {
      if (all[slot] != null) {
        names[i] = all[slot];
        slots[i++] = slot;
      }
    }
  }

  /** Threadline's schema keys: {@code requestId}, {@code trace_id}, {@code span_id}. The default. */
  public static MdcKeys threadline() {
    return THREADLINE;
  }

  /** OpenTelemetry's logging keys: {@code requestId}, {@code trace_id}, {@code span_id}, {@code trace_flags}. */
  public static MdcKeys openTelemetry() {
    return OPEN_TELEMETRY;
  }

  /** Micrometer Tracing's and Brave's keys: {@code requestId}, {@code traceId}, {@code spanId}. */
  public static MdcKeys micrometer() {
    return MICROMETER;
  }

  /** A builder starting from Threadline's keys. */
  public static Builder builder() {
    return new Builder();
  }

  /** The key names scopes use in this process. */
  public static MdcKeys active() {
    return active;
  }

  /**
   * Makes {@code keys} the names that scopes opened from now on use. Call it once, at start-up, before any scope
   * is open: a scope restores the keys it wrote, so switching with scopes open leaves nothing behind, but lines
   * logged meanwhile carry the old names.
   */
  public static void activate(MdcKeys keys) {
    active = Objects.requireNonNull(keys, "keys");
  }

  /** The key for the request id, or {@code null} when it is not written. */
  public String requestId() {
    return requestId;
  }

  /** The key for the trace id, or {@code null} when it is not written. */
  public String traceId() {
    return traceId;
  }

  /** The key for the span id, or {@code null} when it is not written. */
  public String spanId() {
    return spanId;
  }

  /** The key for the parent span id, or {@code null} (the default) when it is not written. */
  public String parentSpanId() {
    return parentSpanId;
  }

  /** The key for the two-hex-digit trace flags, or {@code null} when they are not written. */
  public String traceFlags() {
    return traceFlags;
  }

  /** Whether {@code name} is one of these correlation keys. */
  public boolean contains(String name) {
    for (String n : names) {
      if (n.equals(name)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MdcKeys other
        && Objects.equals(requestId, other.requestId)
        && Objects.equals(traceId, other.traceId)
        && Objects.equals(spanId, other.spanId)
        && Objects.equals(parentSpanId, other.parentSpanId)
        && Objects.equals(traceFlags, other.traceFlags);
  }

  @Override
  public int hashCode() {
    return Objects.hash(requestId, traceId, spanId, parentSpanId, traceFlags);
  }

  @Override
  public String toString() {
    return "MdcKeys{requestId=" + requestId + ", traceId=" + traceId + ", spanId=" + spanId
        + ", parentSpanId=" + parentSpanId + ", traceFlags=" + traceFlags + "}";
  }

  /**
   * Builds {@link MdcKeys}; every name defaults to Threadline's schema key, {@code null} leaves one out.
   *
   * @since 0.1.0
   */
  public static final class Builder {
    private String requestId = "requestId";
    private String traceId = "trace_id";
    private String spanId = "span_id";
    private String parentSpanId;
    private String traceFlags;

    private Builder() {}

    /** The request-id key; {@code null} to leave it out. */
    public Builder requestId(String name) {
      this.requestId = name;
      return this;
    }

    /** The trace-id key; {@code null} to leave it out. */
    public Builder traceId(String name) {
      this.traceId = name;
      return this;
    }

    /** The span-id key; {@code null} to leave it out. */
    public Builder spanId(String name) {
      this.spanId = name;
      return this;
    }

    /** The parent-span-id key; {@code null} (the default) to leave it out. */
    public Builder parentSpanId(String name) {
      this.parentSpanId = name;
      return this;
    }

    /** The trace-flags key; {@code null} (the default) to leave it out. */
    public Builder traceFlags(String name) {
      this.traceFlags = name;
      return this;
    }

    /**
     * The key names.
     *
     * @throws IllegalArgumentException when a name is blank or two names are the same
     */
    public MdcKeys build() {
      Set<String> seen = new HashSet<>();
      for (String name : new String[] {requestId, traceId, spanId, parentSpanId, traceFlags}) {
        if (name == null) {
          continue;
        }
        if (name.isBlank()) {
          throw new IllegalArgumentException("MDC key names must not be blank");
        }
        if (!seen.add(name)) {
          throw new IllegalArgumentException("MDC key name '" + name + "' is used twice");
        }
      }
      return new MdcKeys(this);
    }
  }
}
