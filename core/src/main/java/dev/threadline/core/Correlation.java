package dev.threadline.core;

import dev.threadline.core.internal.Hex;
import dev.threadline.core.internal.Ids;
import dev.threadline.core.internal.W3CTraceContext;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One request's correlation on one hop: the request id, the W3C trace and span ids, the trace flags and state, and
 * an application-chosen set of baggage fields such as a tenant or a user id.
 *
 * <p>A correlation is an immutable value. It becomes the current one on a thread when a {@link CorrelationScope} is
 * {@linkplain #open() opened}, which also publishes it into the SLF4J MDC so that every log line carries it. Each hop
 * of a request makes a new value from the one before: {@link #newChild()} for a new span in the same trace.
 *
 * <p>Invariants: the request id satisfies {@link RequestIds#isValid}; the trace id is 32 and the span id 16 lowercase
 * hex characters, not all zeros, as W3C Trace Context defines them; the parent span id is either absent or a valid
 * span id; only the {@code sampled} ({@value #FLAG_SAMPLED}) and {@code random} ({@value #FLAG_RANDOM}) flag bits are
 * kept; the trace state is the normalised {@code tracestate} header value, empty when there is none.
 *
 * @since 0.1.0
 */
public final class Correlation {

  /** W3C trace flag: the caller may have recorded this trace. */
  public static final int FLAG_SAMPLED = 0x01;

  /** W3C Trace Context level 2 flag: the right-most 7 bytes of the trace id are random. */
  public static final int FLAG_RANDOM = 0x02;

  static final int KNOWN_FLAGS = FLAG_SAMPLED | FLAG_RANDOM;

  /** The most baggage fields one correlation carries. */
  public static final int MAX_BAGGAGE_FIELDS = 16;

  /** The longest baggage field value, in characters. */
  public static final int MAX_BAGGAGE_VALUE_LENGTH = 256;

  /** Names a baggage field can never take, because they are correlation keys in one of the presets. */
  private static final Set<String> RESERVED_NAMES =
      Set.of("requestId", "trace_id", "span_id", "trace_flags", "parent_span_id", "traceId", "spanId");

  static final ThreadLocal<Correlation> CURRENT = new ThreadLocal<>();

  /** The MDC form of every possible flags value ({@code 00} to {@code 03}), so publishing flags never allocates. */
  private static final String[] FLAG_STRINGS = {"00", "01", "02", "03"};

  private final String requestId;
  private final String traceId;
  private final String spanId;
  private final String parentSpanId;
  private final int traceFlags;
  private final String traceState;
  private final Map<String, String> baggage;
  private final boolean hasBaggage;

  private Correlation(
      String requestId,
      String traceId,
      String spanId,
      String parentSpanId,
      int traceFlags,
      String traceState,
      Map<String, String> baggage) {
    this.requestId = requestId;
    this.traceId = traceId;
    this.spanId = spanId;
    this.parentSpanId = parentSpanId;
    this.traceFlags = traceFlags;
    this.traceState = traceState;
    this.baggage = baggage;
    this.hasBaggage = !baggage.isEmpty();
  }

  /**
   * A new trace with a fresh request id: new random trace and span ids, no parent, flags {@code sampled} and
   * {@code random}. Threadline does not sample; marking the trace sampled lets the next tracer record it.
   */
  public static Correlation newTrace() {
    return newTrace(RequestIds.timeOrdered().next());
  }

  /**
   * A new trace for {@code requestId}, as {@link #newTrace()} otherwise.
   *
   * @throws IllegalArgumentException when {@code requestId} is not {@linkplain RequestIds#isValid valid}
   */
  public static Correlation newTrace(String requestId) {
    return new Correlation(
        checkRequestId(requestId),
        Ids.newTraceId(),
        Ids.newSpanId(),
        null,
        FLAG_SAMPLED | FLAG_RANDOM,
        "",
        Map.of());
  }

  /**
   * The correlation of a span another tracer made current (no parent known, no trace state, no baggage): what a
   * tracer bridge publishes at every context switch, so it skips the builder.
   *
   * @throws IllegalArgumentException when an id breaks its rule (see {@link Builder})
   */
  public static Correlation ofSpan(String requestId, String traceId, String spanId, int traceFlags) {
    if (!Ids.isValidTraceId(traceId) || !Ids.isValidSpanId(spanId)) {
      throw new IllegalArgumentException("A trace id is 32 and a span id 16 lowercase hex characters, not all zeros");
    }
    return new Correlation(checkRequestId(requestId), traceId, spanId, null, traceFlags & KNOWN_FLAGS, "",
        Map.of());
  }

  /** A builder; fields left unset get the values {@link #newTrace()} would give. */
  public static Builder builder() {
    return new Builder();
  }

  /** The correlation of the innermost scope open on this thread, if any. */
  public static Optional<Correlation> current() {
    return Optional.ofNullable(CURRENT.get());
  }

  /**
   * A new span in the same trace: a fresh span id whose parent is this span. The request id, flags, trace state
   * and baggage are kept.
   */
  public Correlation newChild() {
    return new Correlation(requestId, traceId, Ids.newSpanId(), spanId, traceFlags, traceState, baggage);
  }

  /**
   * Makes this the current correlation of this thread and publishes it to the MDC under the {@linkplain
   * MdcKeys#active() active} key names, until the returned scope is closed. Use it with try-with-resources.
   */
  public CorrelationScope open() {
    return CorrelationScope.open(this, MdcKeys.active());
  }

  /** A copy to change some fields of. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** The request id, shared by every hop of one request. */
  public String requestId() {
    return requestId;
  }

  /** The W3C trace id: 32 lowercase hex characters. */
  public String traceId() {
    return traceId;
  }

  /** This hop's span id: 16 lowercase hex characters. */
  public String spanId() {
    return spanId;
  }

  /** The span id of the caller's span, if this span has a parent. */
  public Optional<String> parentSpanId() {
    return Optional.ofNullable(parentSpanId);
  }

  /** The trace flags byte; only {@link #FLAG_SAMPLED} and {@link #FLAG_RANDOM} are ever set. */
  public int traceFlags() {
    return traceFlags;
  }

  /** Whether the {@code sampled} flag is set. */
  public boolean isSampled() {
    return (traceFlags & FLAG_SAMPLED) != 0;
  }

  /** Whether the W3C level-2 {@code random} flag is set. */
  public boolean isRandom() {
    return (traceFlags & FLAG_RANDOM) != 0;
  }

  /** The normalised W3C {@code tracestate} value; empty when there is none. */
  public String traceState() {
    return traceState;
  }

  /** The baggage fields, in the order they were added. Unmodifiable. */
  public Map<String, String> baggage() {
    return baggage;
  }

  boolean hasBaggage() {
    return hasBaggage;
  }

  /** The value for an {@link MdcKeys} slot: 0 request id, 1 trace id, 2 span id, 3 parent span id, 4 flags. */
  String slot(int slot) {
    switch (slot) {
      case 0:
        return requestId;
      case 1:
        return traceId;
      case 2:
        return spanId;
      case 3:
        return parentSpanId;
      default:
        return FLAG_STRINGS[traceFlags];
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Correlation other
        && requestId.equals(other.requestId)
        && traceId.equals(other.traceId)
        && spanId.equals(other.spanId)
        && Objects.equals(parentSpanId, other.parentSpanId)
        && traceFlags == other.traceFlags
        && traceState.equals(other.traceState)
        && baggage.equals(other.baggage);
  }

  @Override
  public int hashCode() {
    return Objects.hash(requestId, traceId, spanId, parentSpanId);
  }

  @Override
  public String toString() {
    return "Correlation{requestId=" + requestId + ", traceId=" + traceId + ", spanId=" + spanId
        + ", parentSpanId=" + parentSpanId + ", traceFlags=" + Hex.byteToString(traceFlags)
        + (traceState.isEmpty() ? "" : ", traceState=" + traceState)
        + (baggage.isEmpty() ? "" : ", baggage=" + baggage) + "}";
  }

  static String checkRequestId(String requestId) {
    if (!RequestIds.isValid(requestId)) {
      throw new IllegalArgumentException(
          "A request id is 1 to " + RequestIds.MAX_LENGTH + " characters of [A-Za-z0-9._:+/=-]");
    }
    return requestId;
  }

  /** Whether {@code name} may name a baggage field: a letter, then up to 63 of letters, digits, {@code _ . -}. */
  public static boolean isValidBaggageName(String name) {
    if (name == null || name.isEmpty() || name.length() > 64 || RESERVED_NAMES.contains(name)) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
      boolean ok = letter || (i > 0 && ((c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'));
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code value} may be a baggage value: at most 256 characters, none of them a control character. */
  public static boolean isValidBaggageValue(String value) {
    if (value == null || value.length() > MAX_BAGGAGE_VALUE_LENGTH) {
      return false;
    }
    for (int i = 0; i < value.length(); i++) {
      if (Character.isISOControl(value.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /**
   * Builds a {@link Correlation}, validating every field.
   *
   * @since 0.1.0
   */
  public static final class Builder {
    private String requestId;
    private String traceId;
    private String spanId;
    private String parentSpanId;
    private int traceFlags = FLAG_SAMPLED | FLAG_RANDOM;
    private String traceState = "";
    private final Map<String, String> baggage = new LinkedHashMap<>();

    private Builder() {}

    private Builder(Correlation from) {
      requestId = from.requestId;
      traceId = from.traceId;
      spanId = from.spanId;
      parentSpanId = from.parentSpanId;
      traceFlags = from.traceFlags;
      traceState = from.traceState;
      baggage.putAll(from.baggage);
    }

    /** The request id; must satisfy {@link RequestIds#isValid}. */
    public Builder requestId(String requestId) {
      this.requestId = checkRequestId(requestId);
      return this;
    }

    /** The trace id: 32 lowercase hex characters, not all zeros. */
    public Builder traceId(String traceId) {
      if (!Ids.isValidTraceId(traceId)) {
        throw new IllegalArgumentException("A trace id is 32 lowercase hex characters, not all zeros");
      }
      this.traceId = traceId;
      return this;
    }

    /** The span id: 16 lowercase hex characters, not all zeros. */
    public Builder spanId(String spanId) {
      if (!Ids.isValidSpanId(spanId)) {
        throw new IllegalArgumentException("A span id is 16 lowercase hex characters, not all zeros");
      }
      this.spanId = spanId;
      return this;
    }

    /** The parent span id, or {@code null} for none; otherwise 16 lowercase hex characters, not all zeros. */
    public Builder parentSpanId(String parentSpanId) {
      if (parentSpanId != null && !Ids.isValidSpanId(parentSpanId)) {
        throw new IllegalArgumentException("A parent span id is 16 lowercase hex characters, not all zeros");
      }
      this.parentSpanId = parentSpanId;
      return this;
    }

    /** The trace flags; bits other than {@code sampled} and {@code random} are dropped. */
    public Builder traceFlags(int traceFlags) {
      this.traceFlags = traceFlags & KNOWN_FLAGS;
      return this;
    }

    /**
     * The W3C {@code tracestate} value; {@code null} or empty for none. It is parsed and normalised by the rules
     * {@link CorrelationPropagator} reads a received {@code tracestate} by; an invalid value is dropped, as the spec
     * requires.
     */
    public Builder traceState(String traceState) {
      this.traceState =
          traceState == null ? "" : W3CTraceContext.normalizeTraceState(java.util.List.of(traceState));
      return this;
    }

    /** Sets a trace state that a codec in this package already normalised. */
    Builder traceStateNormalized(String traceState) {
      this.traceState = traceState;
      return this;
    }

    /**
     * Adds or replaces a baggage field.
     *
     * @throws IllegalArgumentException when the name or value is not valid (see {@link #isValidBaggageName},
     *     {@link #isValidBaggageValue}) or when this would make more than {@value #MAX_BAGGAGE_FIELDS} fields
     */
    public Builder baggage(String name, String value) {
      if (!isValidBaggageName(name)) {
        throw new IllegalArgumentException(
            "Baggage field name '" + name + "' is not a letter followed by up to 63 letters, digits, '_', '.', '-'"
                + " or is reserved for correlation keys");
      }
      if (!isValidBaggageValue(value)) {
        throw new IllegalArgumentException(
            "Baggage field '" + name + "' needs a value of at most 256 characters without control characters");
      }
      if (!baggage.containsKey(name) && baggage.size() >= MAX_BAGGAGE_FIELDS) {
        throw new IllegalArgumentException("At most " + MAX_BAGGAGE_FIELDS + " baggage fields");
      }
      baggage.put(name, value);
      return this;
    }

    /** Removes a baggage field, if present. */
    public Builder removeBaggage(String name) {
      baggage.remove(name);
      return this;
    }

    /** The correlation; unset ids are generated. */
    public Correlation build() {
      return new Correlation(
          requestId != null ? requestId : RequestIds.timeOrdered().next(),
          traceId != null ? traceId : Ids.newTraceId(),
          spanId != null ? spanId : Ids.newSpanId(),
          parentSpanId,
          traceFlags,
          traceState,
          baggage.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(baggage)));
    }
  }
}
