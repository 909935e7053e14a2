package dev.threadline.core;

import dev.threadline.core.OnceWarnings.Kind;
import dev.threadline.core.internal.B3;
import dev.threadline.core.internal.Ids;
import dev.threadline.core.internal.RemoteParent;
import dev.threadline.core.internal.W3CTraceContext;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Reads a request's correlation from incoming headers and writes it onto outgoing ones, for any transport, through
 * a {@link CarrierGetter} / {@link CarrierSetter} pair.
 *
 * <p>Reading ({@link #extract}) gives the correlation for a new span on this side, and never fails:
 * <ol>
 *   <li>The parent is the caller's span from W3C {@code traceparent}/{@code tracestate}, read by the spec's
 *       processing model; without a valid one, from Zipkin B3 (single {@code b3} or multi {@code X-B3-*} headers) if
 *       enabled; without either, a new trace starts.
 *   <li>The request id is the request-id header ({@code X-Request-Id} by default, then each alias, {@code
 *       X-Correlation-Id} by default) when it satisfies the {@linkplain RequestIds request-id rule}; otherwise a
 *       fresh id from the generator.
 *   <li>Baggage fields are taken from the W3C {@code baggage} header, only those whose names the application
 *       {@linkplain Builder#baggageFields allowed}, and only valid values.
 * </ol>
 * Writing ({@link #inject}) sets {@code traceparent}, {@code tracestate} (when there is one), the request-id header
 * and, when the correlation carries any, {@code baggage}. Threadline always writes W3C, never B3.
 *
 * <p>Instances are immutable and thread-safe; build one at start-up and share it.
 *
 * @since 0.1.0
 */
public final class CorrelationPropagator {

  /** The default request-id header. */
  public static final String REQUEST_ID_HEADER = "X-Request-Id";

  /** The request-id header accepted as an alias by default. */
  public static final String CORRELATION_ID_HEADER = "X-Correlation-Id";

  /** The W3C baggage header. */
  public static final String BAGGAGE = "baggage";

  private static final CorrelationPropagator DEFAULTS = builder().build();

  private static volatile CorrelationPropagator shared = DEFAULTS;

  private final String requestIdHeader;
  private final List<String> requestIdAliases;
  private final boolean readB3;
  private final Set<String> baggageFields;
  private final RequestIdGenerator requestIdGenerator;
  private final boolean trustIncoming;
  /** Lower-case host patterns ({@code api.internal}, {@code *.internal}); empty: every host. */
  private final List<String> propagateTo;

  /** The field names under which an untrusted caller's ids are logged (never propagated). */
  public static final String CALLER_REQUEST_ID = "caller_request_id";

  /** See {@link #CALLER_REQUEST_ID}. */
  public static final String CALLER_TRACE_ID = "caller_trace_id";

  private CorrelationPropagator(Builder b) {
    this.requestIdHeader = b.requestIdHeader;
    this.requestIdAliases = List.copyOf(b.requestIdAliases);
    this.readB3 = b.readB3;
    this.baggageFields = Set.copyOf(b.baggageFields);
    this.requestIdGenerator = b.requestIdGenerator;
    this.trustIncoming = b.trustIncoming;
    this.propagateTo = List.copyOf(b.propagateTo);
  }

  /**
   * Whether a call to {@code host} (a name or an IP literal, without port) gets the correlation headers
   * ({@code traceparent}, {@code tracestate}, the request id, {@code baggage}): every host unless
   * {@link Builder#propagateTo} lists patterns; then only hosts matching one. Names are compared ignoring case.
   */
  public boolean propagatesTo(String host) {
    if (propagateTo.isEmpty()) {
      return true;
    }
    if (host == null || host.isEmpty()) {
      return false;
    }
    String h = host.toLowerCase(java.util.Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    for (String pattern : propagateTo) {
      if (pattern.startsWith("*.") ? h.endsWith(pattern.substring(1)) : h.equals(pattern)) {
        return true;
      }
    }
    return false;
  }

  /** Whether callers are trusted to set the ids this side continues ({@link Builder#trustIncoming}). */
  public boolean trustsIncoming() {
    return trustIncoming;
  }

  /**
   * What an untrusted caller sent, for the log only: its valid request id under {@value #CALLER_REQUEST_ID} and its
   * valid trace id under {@value #CALLER_TRACE_ID}; empty when it sent neither. Never throws.
   */
  public <C> Map<String, String> callerIds(C carrier, CarrierGetter<C> getter) {
    Map<String, String> ids = new java.util.LinkedHashMap<>(4);
    String requestId = readRequestId(carrier, getter);
    if (requestId != null) {
      ids.put(CALLER_REQUEST_ID, requestId);
    }
    RemoteParent parent = W3CTraceContext.extractOrNull(carrier, getter);
    if (parent != null) {
      ids.put(CALLER_TRACE_ID, parent.traceId());
    }
    return ids;
  }

  /** {@code X-Request-Id} with the {@code X-Correlation-Id} alias, B3 read, no baggage fields. */
  public static CorrelationPropagator defaults() {
    return DEFAULTS;
  }

  /** A builder starting from the {@linkplain #defaults() defaults}. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The one propagation configuration of the process: what every inbound and outbound integration uses when it is
   * given no propagator of its own (the servlet filter, the HTTP clients, Kafka, JMS, {@code Messages}). The
   * {@linkplain #defaults() defaults} until {@link #share} sets another.
   */
  public static CorrelationPropagator shared() {
    return shared;
  }

  /**
   * Makes {@code propagator} the {@linkplain #shared() shared} one, read by every integration at its next use. Set it
   * once at start-up, before traffic; the Spring Boot starter sets it from {@code threadline.propagation.*}.
   */
  public static void share(CorrelationPropagator propagator) {
    shared = Objects.requireNonNull(propagator, "propagator");
  }

  /** A builder starting from this propagator's settings. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.requestIdHeader = requestIdHeader;
    b.requestIdAliases.clear();
    b.requestIdAliases.addAll(requestIdAliases);
    b.readB3 = readB3;
    b.baggageFields.addAll(baggageFields);
    b.requestIdGenerator = requestIdGenerator;
    b.trustIncoming = trustIncoming;
    b.propagateTo.addAll(propagateTo);
    return b;
  }

  /** The request-id header this propagator writes. */
  public String requestIdHeader() {
    return requestIdHeader;
  }

  /**
   * The correlation for a new span on this side of a hop whose headers are in {@code carrier}: a child of the
   * caller's span, or a new trace. Never throws, never returns {@code null}.
   */
  public <C> Correlation extract(C carrier, CarrierGetter<C> getter) {
    if (!trustIncoming) {
      return Correlation.newTrace(nextRequestId());
    }
    String requestId = extractRequestId(carrier, getter);
    RemoteParent parent = W3CTraceContext.extractOrNull(carrier, getter);
    if (parent == null && hasTraceparent(carrier, getter)) {
      OnceWarnings.report(Kind.INVALID_TRACEPARENT);
    }
    if (parent == null && readB3) {
      parent = B3.extractOrNull(carrier, getter);
    }
    Correlation correlation = parent == null ? Correlation.newTrace(requestId) : childOf(parent, requestId);
    return baggageFields.isEmpty() ? correlation : withBaggage(correlation, carrier, getter);
  }

  /**
   * A correlation for a new span on this side, child of the caller's: same trace, flags and trace state, a fresh span
   * id whose parent is the caller's span.
   */
  private static Correlation childOf(RemoteParent parent, String requestId) {
    return Correlation.builder()
        .requestId(requestId)
        .traceId(parent.traceId())
        .spanId(Ids.newSpanId())
        .parentSpanId(parent.spanId())
        .traceFlags(parent.traceFlags())
        .traceStateNormalized(parent.traceState())
        .build();
  }

  /**
   * The request id in {@code carrier}'s request-id header (or the first alias present) when it satisfies the
   * request-id rule, else a fresh one. Never throws, never returns {@code null}; a refused value is never logged.
   */
  public <C> String extractRequestId(C carrier, CarrierGetter<C> getter) {
    String accepted = extractValidRequestId(carrier, getter);
    return accepted != null ? accepted : nextRequestId();
  }

  /**
   * The request id in {@code carrier}'s request-id header (or the first alias present) when it satisfies the
   * request-id rule; {@code null} when there is none or it was refused. Never throws; a refused value is never
   * logged.
   */
  public <C> String extractValidRequestId(C carrier, CarrierGetter<C> getter) {
    return trustIncoming ? readRequestId(carrier, getter) : null;
  }

  private <C> String readRequestId(C carrier, CarrierGetter<C> getter) {
    String received = null;
    try {
      received = getter.get(carrier, requestIdHeader);
      for (int i = 0; received == null && i < requestIdAliases.size(); i++) {
        received = getter.get(carrier, requestIdAliases.get(i));
      }
    } catch (RuntimeException e) {
      OnceWarnings.report(Kind.CARRIER_FAILED);
    }
    if (received != null) {
      String accepted = RequestIds.sanitize(received);
      if (accepted != null) {
        return accepted;
      }
      OnceWarnings.report(Kind.INVALID_REQUEST_ID);
    }
    return null;
  }

  /** Writes only the request-id header: for hops whose trace headers another tracer writes. Never throws. */
  public <C> void injectRequestId(String requestId, C carrier, CarrierSetter<C> setter) {
    try {
      setter.set(carrier, requestIdHeader, requestId);
    } catch (RuntimeException e) {
      OnceWarnings.report(Kind.CARRIER_FAILED);
    }
  }

  /**
   * Writes {@code correlation} onto an outgoing carrier: {@code traceparent}, {@code tracestate} when present, the
   * request-id header, and {@code baggage} when the correlation has fields. To start a client span, pass
   * {@code current.newChild()}. Never throws: a failing setter is reported once.
   */
  public <C> void inject(Correlation correlation, C carrier, CarrierSetter<C> setter) {
    try {
      W3CTraceContext.inject(correlation, carrier, setter);
      setter.set(carrier, requestIdHeader, correlation.requestId());
      if (!correlation.baggage().isEmpty()) {
        setter.set(carrier, BAGGAGE, formatBaggage(correlation.baggage()));
      }
    } catch (RuntimeException e) {
      OnceWarnings.report(Kind.CARRIER_FAILED);
    }
  }

  /**
   * Writes the request-id header and the correlation's baggage fields beside the trace headers a tracer wrote itself:
   * the fields are added to the {@code baggage} header already on the carrier ({@code existingBaggage}, {@code null}
   * for none), after its members and never replacing one of the same key. Never throws.
   */
  public <C> void injectBeside(Correlation correlation, C carrier, CarrierSetter<C> setter, String existingBaggage) {
    try {
      setter.set(carrier, requestIdHeader, correlation.requestId());
      if (correlation.baggage().isEmpty()) {
        return;
      }
      if (existingBaggage == null || existingBaggage.isBlank()) {
        setter.set(carrier, BAGGAGE, formatBaggage(correlation.baggage()));
        return;
      }
      Set<String> present = new java.util.HashSet<>();
      for (String member : existingBaggage.split(",")) {
        int eq = member.indexOf('=');
        present.add((eq < 0 ? member : member.substring(0, eq)).trim());
      }
      Map<String, String> missing = new java.util.LinkedHashMap<>();
      correlation.baggage().forEach((name, value) -> {
        if (!present.contains(name)) {
          missing.put(name, value);
        }
      });
      if (!missing.isEmpty()) {
        setter.set(carrier, BAGGAGE, existingBaggage.trim() + "," + formatBaggage(missing));
      }
    } catch (RuntimeException e) {
      OnceWarnings.report(Kind.CARRIER_FAILED);
    }
  }

  private String nextRequestId() {
    try {
      String id = requestIdGenerator.next();
      if (RequestIds.isValid(id)) {
        return id;
      }
    } catch (RuntimeException e) {
      // fall through to the default generator: a broken custom generator must not break a request
    }
    return RequestIds.timeOrdered().next();
  }

  private static <C> boolean hasTraceparent(C carrier, CarrierGetter<C> getter) {
    try {
      return !getter.getAll(carrier, W3CTraceContext.TRACEPARENT).isEmpty();
    } catch (RuntimeException e) {
      return false;
    }
  }

  private <C> Correlation withBaggage(Correlation correlation, C carrier, CarrierGetter<C> getter) {
    List<String> headers;
    try {
      headers = getter.getAll(carrier, BAGGAGE);
    } catch (RuntimeException e) {
      return correlation;
    }
    if (headers.isEmpty()) {
      return correlation;
    }
    Correlation.Builder builder = correlation.toBuilder();
    int added = 0;
    for (String header : headers) {
      if (header == null) {
        continue;
      }
      for (String member : header.split(",", -1)) {
        int semicolon = member.indexOf(';');
        String pair = semicolon < 0 ? member : member.substring(0, semicolon);
        int equals = pair.indexOf('=');
        if (equals < 0) {
          continue;
        }
        String name = pair.substring(0, equals).trim();
        if (!baggageFields.contains(name) || added >= Correlation.MAX_BAGGAGE_FIELDS) {
          continue;
        }
        String value = percentDecode(pair.substring(equals + 1).trim());
        if (value != null && Correlation.isValidBaggageValue(value)) {
          builder.baggage(name, value);
          added++;
        }
      }
    }
    return added == 0 ? correlation : builder.build();
  }

  static String formatBaggage(Map<String, String> baggage) {
    StringBuilder out = new StringBuilder();
    for (Map.Entry<String, String> e : baggage.entrySet()) {
      if (out.length() > 0) {
        out.append(',');
      }
      // URLEncoder's form encoding writes spaces as '+'; W3C baggage wants %20.
      out.append(e.getKey()).append('=')
          .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8).replace("+", "%20"));
    }
    return out.toString();
  }

  private static String percentDecode(String value) {
    try {
      // W3C baggage values are percent-encoded; a literal '+' means '+', not a space.
      return URLDecoder.decode(value.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException malformed) {
      return null;
    }
  }

  /**
   * Builds a {@link CorrelationPropagator}. Invalid settings fail at {@link #build()}, naming the setting.
   *
   * @since 0.1.0
   */
  public static final class Builder {
    private String requestIdHeader = REQUEST_ID_HEADER;
    private final List<String> requestIdAliases = new ArrayList<>(List.of(CORRELATION_ID_HEADER));
    private boolean readB3 = true;
    private final Set<String> baggageFields = new LinkedHashSet<>();
    private RequestIdGenerator requestIdGenerator = RequestIds.timeOrdered();
    private boolean trustIncoming = true;
    private final List<String> propagateTo = new ArrayList<>();

    private Builder() {}

    /**
     * The hosts outbound calls carry the correlation headers to: exact names or IP literals, or {@code *.domain} for
     * every host under a domain. Default none listed, meaning every host. An edge service lists its own services, so
     * that third parties never receive its request ids, baggage or trace ids.
     *
     * @throws IllegalArgumentException for an empty pattern or a {@code *} anywhere but a leading {@code *.}
     */
    public Builder propagateTo(String... hostPatterns) {
      for (String pattern : hostPatterns) {
        String p = pattern == null ? "" : pattern.trim().toLowerCase(java.util.Locale.ROOT);
        if (p.isEmpty() || p.indexOf('*', p.startsWith("*.") ? 1 : 0) >= 0 || p.equals("*.")) {
          throw new IllegalArgumentException("propagateTo: '" + pattern + "' is not a host name, an IP address or"
              + " *.domain");
        }
        propagateTo.add(p);
      }
      return this;
    }

    /**
     * Whether callers may set the ids this side continues (request id, {@code traceparent}, B3, baggage). Default
     * true, for services behind your own edge. False for an edge service: every request or message starts a new
     * trace with a fresh request id, and what the caller sent is only logged ({@link #callerIds}), never continued.
     */
    public Builder trustIncoming(boolean trustIncoming) {
      this.trustIncoming = trustIncoming;
      return this;
    }

    /** The header the request id is read from and written to. Default {@code X-Request-Id}. */
    public Builder requestIdHeader(String name) {
      this.requestIdHeader = name;
      return this;
    }

    /**
     * Headers also read for the request id, in order, when the main header is absent; replaces the default
     * ({@code X-Correlation-Id}). Pass none to read only the main header.
     */
    public Builder requestIdAliases(String... names) {
      requestIdAliases.clear();
      requestIdAliases.addAll(List.of(names));
      return this;
    }

    /** Whether B3 headers are read when there is no valid {@code traceparent}. Default {@code true}. */
    public Builder readB3(boolean readB3) {
      this.readB3 = readB3;
      return this;
    }

    /**
     * The baggage fields the application allows to travel (a tenant, a user id), read from and written to the W3C
     * {@code baggage} header. Anything else in a received {@code baggage} header is ignored. Default none.
     */
    public Builder baggageFields(String... names) {
      baggageFields.addAll(List.of(names));
      return this;
    }

    /** Makes request ids for requests without a usable one. Default {@link RequestIds#timeOrdered()}. */
    public Builder requestIdGenerator(RequestIdGenerator generator) {
      this.requestIdGenerator = Objects.requireNonNull(generator, "requestIdGenerator");
      return this;
    }

    /**
     * The propagator.
     *
     * @throws IllegalArgumentException naming the setting, when a header name is not an HTTP token or a baggage
     *     field name is not valid
     */
    public CorrelationPropagator build() {
      checkHeaderName("requestIdHeader", requestIdHeader);
      for (String alias : requestIdAliases) {
        checkHeaderName("requestIdAliases", alias);
      }
      for (String field : baggageFields) {
        if (!Correlation.isValidBaggageName(field)) {
          throw new IllegalArgumentException("baggageFields: '" + field + "' is not a valid baggage field name: a"
              + " letter, then up to 63 letters, digits, '_', '.' or '-', and not a correlation key");
        }
      }
      return new CorrelationPropagator(this);
    }

    private static void checkHeaderName(String setting, String name) {
      if (name == null || name.isEmpty()) {
        throw new IllegalArgumentException(setting + ": a header name must not be empty");
      }
      for (int i = 0; i < name.length(); i++) {
        char c = name.charAt(i);
        boolean token = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
            || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
        if (!token) {
          throw new IllegalArgumentException(setting + ": '" + name + "' is not a valid HTTP header name");
        }
      }
    }
  }
}
