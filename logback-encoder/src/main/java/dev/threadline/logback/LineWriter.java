package dev.threadline.logback;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import dev.threadline.core.MdcKeys;
import dev.threadline.core.RequestIds;
import dev.threadline.core.internal.Ids;
import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Marker;
import org.slf4j.event.KeyValuePair;

/**
 * Writes one event as one JSON line by the schema, with every setting resolved: the part of the encoder that runs
 * per event. Immutable and thread-safe; the per-event state lives in the {@link LineContext} passed in.
 *
 * <p>Key order: timestamp, level, service, env, version, host, logger, thread, message, requestId, trace_id,
 * span_id; then the event's own fields (static fields, MDC entries other than the correlation keys, SLF4J
 * key-value pairs, structured arguments, field markers), then tags (plain markers), then the error.
 *
 * <p>Keys are unique: a field whose name is a schema key, or the name of a field already written, gets a
 * {@code _} prefix, repeated until it is unique; the first such rename of each name is reported through Logback
 * status.
 */
final class LineWriter {

  static final String REDACTED = "[REDACTED]";
  private static final byte[] NEWLINE = {'\n'};
  private static final int MAX_NESTING = 8;
  private static final int MAX_COLLECTION_ITEMS = 1000;
  private static final int MAX_CACHED_NAMES = 4096;
  /** Field names are cut here before they are made unique, so cutting can never make two keys equal. */
  static final int MAX_KEY_CHARS = 256;
  private static final String MORE_ITEMS = "…[more items not shown]";

  final FieldNames names;
  private final byte[] timestampKey;
  private final byte[] levelKey;
  private final byte[] loggerKey;
  private final byte[] threadKey;
  private final byte[] messageKey;
  private final byte[] requestIdKey;
  private final byte[] traceIdKey;
  private final byte[] spanIdKey;
  private final byte[] tagsKey;
  private final byte[] errorKey;
  private final byte[] errorTypeKey;
  private final byte[] errorMessageKey;
  private final byte[] errorStackKey;
  private final byte[] errorFingerprintKey;
  /** {@code ,"service":"…","env":"…",…} written once at start. */
  private final byte[] resourceFields;
  private final StaticField[] staticFields;
  private final Set<String> includeMdc;
  private final Set<String> excludeMdc;
  private final boolean keyValues;
  private final boolean structuredArguments;
  private final boolean markers;
  /** Plain markers that mean nothing to a reader (Spring's COMMONS-LOGGING): never written as tags. */
  private final Set<String> ignoredMarkers;
  final int maxFieldChars;
  private final StackTraceWriter stackWriter;
  private final FrameCache frameCache;
  private final Redactor redactor;
  private final ObjectJson objectJson;
  private final TimestampWriter timestamps = new TimestampWriter();
  private final StatusReporter status;
  private final boolean appendNewline;
  private final byte[][] levelValues = new byte[5][];
  private final java.util.concurrent.ConcurrentHashMap<String, Key> keys =
      new java.util.concurrent.ConcurrentHashMap<>();
  private final RecentStrings recentValues = new RecentStrings();
  /** Validated correlation values, one cache per key, since validity depends on the key. */
  private final RecentStrings recentRequestIds = new RecentStrings();
  private final RecentStrings recentTraceIds = new RecentStrings();
  private final RecentStrings recentSpanIds = new RecentStrings();

  LineWriter(
      FieldNames names, Map<String, String> resource, List<StaticField> staticFields, Set<String> includeMdc,
      Set<String> excludeMdc, boolean keyValues, boolean structuredArguments, boolean markers,
      Set<String> ignoredMarkers, int maxFieldChars, StackTraceWriter stackWriter, FrameCache frameCache, Redactor redactor, ObjectJson objectJson,
      StatusReporter status, boolean appendNewline) {
    this.names = names;
    timestampKey = JsonBuffer.keyBytes(names.timestamp);
    levelKey = comma(names.level);
    loggerKey = comma(names.logger);
    threadKey = comma(names.thread);
    messageKey = comma(names.message);
    requestIdKey = comma(names.requestId);
    traceIdKey = comma(names.traceId);
    spanIdKey = comma(names.spanId);
    tagsKey = comma(names.tags);
    errorKey = names.error == null ? null : comma(names.error);
    errorTypeKey = names.error == null ? comma(names.errorType) : JsonBuffer.keyBytes(names.errorType);
    errorMessageKey = comma(names.errorMessage);
    errorStackKey = comma(names.errorStack);
    errorFingerprintKey = comma(names.errorFingerprint);
    JsonBuffer r = new JsonBuffer(256);
    for (Map.Entry<String, String> e : resource.entrySet()) {
      if (e.getValue() != null && !e.getValue().isEmpty()) {
        r.raw(comma(e.getKey()));
        r.string(e.getValue(), maxFieldChars);
      }
    }
    resourceFields = r.toByteArray();
    this.staticFields = staticFields.toArray(new StaticField[0]);
    this.includeMdc = includeMdc;
    this.excludeMdc = excludeMdc;
    this.keyValues = keyValues;
    this.structuredArguments = structuredArguments;
    this.markers = markers;
    this.ignoredMarkers = ignoredMarkers;
    this.maxFieldChars = maxFieldChars;
    this.stackWriter = stackWriter;
    this.frameCache = frameCache;
    this.redactor = redactor;
    this.objectJson = objectJson;
    this.status = status;
    this.appendNewline = appendNewline;
    String[] levels = {"trace", "debug", "info", "warn", "error"};
    for (int i = 0; i < levels.length; i++) {
      String value = names.upperCaseLevel ? levels[i].toUpperCase(java.util.Locale.ROOT) : levels[i];
      levelValues[i] = JsonBuffer.stringBytes(value, Integer.MAX_VALUE);
    }
  }

  /** A copy with smaller caps: for a line that came out longer than the line limit. */
  LineWriter shrunk(int fieldChars, StackTraceWriter stack) {
    return new LineWriter(this, fieldChars, stack);
  }

  private LineWriter(LineWriter o, int fieldChars, StackTraceWriter stack) {
    names = o.names;
    timestampKey = o.timestampKey;
    levelKey = o.levelKey;
    loggerKey = o.loggerKey;
    threadKey = o.threadKey;
    messageKey = o.messageKey;
    requestIdKey = o.requestIdKey;
    traceIdKey = o.traceIdKey;
    spanIdKey = o.spanIdKey;
    tagsKey = o.tagsKey;
    errorKey = o.errorKey;
    errorTypeKey = o.errorTypeKey;
    errorMessageKey = o.errorMessageKey;
    errorStackKey = o.errorStackKey;
    errorFingerprintKey = o.errorFingerprintKey;
    resourceFields = o.resourceFields;
    staticFields = o.staticFields;
    includeMdc = o.includeMdc;
    excludeMdc = o.excludeMdc;
    keyValues = o.keyValues;
    structuredArguments = o.structuredArguments;
    markers = o.markers;
    ignoredMarkers = o.ignoredMarkers;
    maxFieldChars = Math.min(o.maxFieldChars, fieldChars);
    stackWriter = stack;
    frameCache = o.frameCache;
    redactor = o.redactor;
    objectJson = o.objectJson;
    status = o.status;
    appendNewline = o.appendNewline;
    System.arraycopy(o.levelValues, 0, levelValues, 0, levelValues.length);
  }

  private static byte[] comma(String name) {
    byte[] key = JsonBuffer.keyBytes(name);
    byte[] withComma = new byte[key.length + 1];
    withComma[0] = ',';
    System.arraycopy(key, 0, withComma, 1, key.length);
    return withComma;
  }

  /** Writes {@code event} as one JSON object (and a newline, if configured) into {@code context}'s buffer. */
  void write(ILoggingEvent event, LineContext context) {
    JsonBuffer out = context.buffer;
    out.raw((byte) '{');
    out.raw(timestampKey);
    Instant instant = event.getInstant();
    if (instant == null) {
      instant = Instant.ofEpochMilli(event.getTimeStamp());
    }
    timestamps.write(out, instant);
    out.raw(levelKey);
    out.raw(levelValues[levelIndex(event.getLevel())]);
    out.raw(resourceFields);
    out.raw(loggerKey);
    stringOrNull(out, event.getLoggerName());
    out.raw(threadKey);
    stringOrNull(out, event.getThreadName());
    out.raw(messageKey);
    String message = message(event);
    stringOrNull(out, message == null ? null : redactor.redact(message));

    Map<String, String> mdc = event.getMDCPropertyMap();
    MdcKeys keys = MdcKeys.active();
    if (mdc != null && !mdc.isEmpty()) {
      correlation(context, requestIdKey, mdc, keys.requestId());
      correlation(context, traceIdKey, mdc, keys.traceId());
      correlation(context, spanIdKey, mdc, keys.spanId());
    }

    for (StaticField field : staticFields) {
      field(context, field.name, field.value);
    }
    if (mdc != null && !mdc.isEmpty()) {
      // forEach, not an entry iterator: no iterator object, and HashMap walks its table directly.
      context.mdcWriter = this;
      context.mdcKeys = keys;
      mdc.forEach(context);
    }
    if (keyValues) {
      List<KeyValuePair> pairs = event.getKeyValuePairs();
      if (pairs != null) {
        for (int i = 0, n = pairs.size(); i < n; i++) {
          KeyValuePair pair = pairs.get(i);
          if (pair != null && pair.key != null) {
            field(context, pair.key, pair.value);
          }
        }
      }
    }
    if (structuredArguments) {
      Object[] arguments = event.getArgumentArray();
      if (arguments != null) {
        for (Object argument : arguments) {
          if (argument instanceof Fields.Field) {
            Fields.Field f = (Fields.Field) argument;
            field(context, f.name, f.value);
          }
        }
      }
    }
    if (markers) {
      markers(context, event.getMarkerList());
    }
    IThrowableProxy throwable = event.getThrowableProxy();
    if (throwable != null) {
      error(context, throwable);
    }
    out.raw((byte) '}');
    if (appendNewline) {
      out.raw(NEWLINE);
    }
  }

  /** The formatted message; the raw pattern when formatting fails (an argument's {@code toString} threw). */
  private String message(ILoggingEvent event) {
    try {
      return event.getFormattedMessage();
    } catch (RuntimeException | StackOverflowError | LinkageError e) {
      status.warn("message:" + e.getClass().getName(), "Formatting a log message failed (" + e.getClass().getName()
          + "); the message pattern was written without its arguments");
      return event.getMessage();
    }
  }

  private static int levelIndex(Level level) {
    if (level == null) {
      return 2;
    }
    switch (level.toInt()) {
      case Level.TRACE_INT:
        return 0;
      case Level.DEBUG_INT:
        return 1;
      case Level.WARN_INT:
        return 3;
      case Level.ERROR_INT:
        return 4;
      default:
        return 2;
    }
  }

  private void stringOrNull(JsonBuffer out, String value) {
    if (value == null) {
      out.nullValue();
    } else {
      out.string(value, maxFieldChars);
    }
  }

  private void correlation(LineContext context, byte[] key, Map<String, String> mdc, String mdcKey) {
    if (mdcKey == null) {
      return;
    }
    String value = mdc.get(mdcKey);
    if (value == null) {
      return;
    }
    JsonBuffer out = context.buffer;
    // Lines of one request carry the same ids: validate and escape each once.
    RecentStrings recent = key == traceIdKey ? recentTraceIds : key == spanIdKey ? recentSpanIds : recentRequestIds;
    int slot = RecentStrings.slot(value);
    byte[] cached = recent.get(slot, value);
    if (cached != null) {
      out.raw(key);
      out.raw(cached);
      context.correlationWritten |= correlationBit(key);
    } else if (validCorrelation(key, value)) {
      out.raw(key);
      int start = out.size;
      if (value.length() <= maxFieldChars) {
        out.plainAscii(value); // a valid id is printable ASCII with nothing to escape
      } else {
        out.string(value, maxFieldChars);
      }
      context.correlationWritten |= correlationBit(key);
      if (recent.seenBefore(slot, value)) {
        recent.put(slot, value, java.util.Arrays.copyOfRange(out.bytes, start, out.size));
      }
    }
  }

  /** The bit of {@link LineContext#correlationWritten} that says the value under {@code key} was written. */
  private int correlationBit(byte[] key) {
    return key == traceIdKey ? 2 : key == spanIdKey ? 4 : 1;
  }

  /**
   * Whether an MDC correlation value has the form the schema promises. Anything else put there by other code is
   * not written in the correlation key's place but as an ordinary (renamed) field, so no data is lost and the
   * schema holds.
   */
  private boolean validCorrelation(byte[] key, String value) {
    if (key == traceIdKey) {
      return Ids.isValidTraceId(value);
    }
    if (key == spanIdKey) {
      return Ids.isValidSpanId(value);
    }
    return RequestIds.isValid(value);
  }

  private byte[] correlationKeyFor(MdcKeys keys, String mdcKey) {
    if (mdcKey.equals(keys.requestId())) {
      return requestIdKey;
    }
    if (mdcKey.equals(keys.traceId())) {
      return traceIdKey;
    }
    return mdcKey.equals(keys.spanId()) ? spanIdKey : null;
  }

  /**
   * One MDC entry, from {@link LineContext#accept}: written as a field unless it is a correlation key. The value's
   * JSON (redacted, escaped, capped) is kept in {@link RecentStrings}, since the next lines of the request, and often
   * other requests, carry the same value.
   */
  void mdcEntry(LineContext context, MdcKeys keys, String key, String value) {
    if (key == null || !includedMdc(key)) {
      return;
    }
    byte[] correlationKey = correlationKeyFor(keys, key);
    if (correlationKey != null
        && (value == null || (context.correlationWritten & correlationBit(correlationKey)) != 0)) {
      return; // written in its place already (a valid value), or nothing to write
    }
    Key written = unique(context, key);
    JsonBuffer out = context.buffer;
    out.raw(written.json);
    if (value == null) {
      out.nullValue();
      return;
    }
    if (written.name == key ? written.sensitive : redactor.isSensitiveName(key)) {
      out.string(REDACTED, Integer.MAX_VALUE);
      return;
    }
    if (isIdOfForm(written, value)) {
      out.string(value, maxFieldChars); // not cached: the cache holds values as any other key would write them
      return;
    }
    int slot = RecentStrings.slot(value);
    byte[] cached = recentValues.get(slot, value);
    if (cached != null) {
      out.raw(cached);
      return;
    }
    int start = out.size;
    out.string(redactor.redact(value), maxFieldChars);
    if (recentValues.seenBefore(slot, value)) {
      recentValues.put(slot, value, java.util.Arrays.copyOfRange(out.bytes, start, out.size));
    }
  }

  private boolean includedMdc(String key) {
    if (!includeMdc.isEmpty() && !includeMdc.contains(key)) {
      return false;
    }
    return excludeMdc.isEmpty() || !excludeMdc.contains(key);
  }

  private void markers(LineContext context, List<Marker> list) {
    if (list == null || list.isEmpty()) {
      return;
    }
    int tags = 0;
    // First the fields, then plain markers as one tags array, so field keys stay together.
    for (int i = 0, n = list.size(); i < n; i++) {
      tags += fieldMarkers(context, list.get(i), 0);
    }
    if (tags == 0) {
      return;
    }
    JsonBuffer out = context.buffer;
    out.raw(tagsKey);
    out.raw((byte) '[');
    boolean[] first = {true};
    for (int i = 0, n = list.size(); i < n; i++) {
      tagNames(out, list.get(i), first, 0);
    }
    out.raw((byte) ']');
  }

  /** Writes the field markers in {@code marker}'s tree; returns how many plain markers it holds. */
  private int fieldMarkers(LineContext context, Marker marker, int depth) {
    if (marker == null || depth > MAX_NESTING) {
      return 0;
    }
    int tags = 0;
    if (marker instanceof Fields.FieldMarker) {
      Fields.FieldMarker f = (Fields.FieldMarker) marker;
      field(context, f.fieldName, f.value);
    } else if (!ignoredMarkers.contains(marker.getName())) {
      tags++;
    }
    if (marker.hasReferences()) {
      for (Iterator<Marker> it = marker.iterator(); it.hasNext(); ) {
        tags += fieldMarkers(context, it.next(), depth + 1);
      }
    }
    return tags;
  }

  private void tagNames(JsonBuffer out, Marker marker, boolean[] first, int depth) {
    if (marker == null || depth > MAX_NESTING) {
      return;
    }
    if (!(marker instanceof Fields.FieldMarker) && !ignoredMarkers.contains(marker.getName())) {
      if (!first[0]) {
        out.raw((byte) ',');
      }
      first[0] = false;
      stringOrNull(out, marker.getName());
    }
    if (marker.hasReferences()) {
      for (Iterator<Marker> it = marker.iterator(); it.hasNext(); ) {
        tagNames(out, it.next(), first, depth + 1);
      }
    }
  }

  /** What the writer needs to know of a field name; cached per name, since names repeat from event to event. */
  private static final class Key {
    final String name;
    /** {@code ,"name":} */
    final byte[] json;
    final boolean reserved;
    final boolean sensitive;
    /** Which id form values under this name have, if any: {@link #NOT_AN_ID}, {@link #SPAN_ID}, ... */
    final int idForm;

    Key(String name, byte[] json, boolean reserved, boolean sensitive) {
      this.name = name;
      this.json = json;
      this.reserved = reserved;
      this.sensitive = sensitive;
      this.idForm = idForm(name);
    }
  }

  private static final int NOT_AN_ID = 0;
  private static final int SPAN_ID = 1;
  private static final int TRACE_ID = 2;
  private static final int REQUEST_ID = 3;

  /**
   * The id form a field called {@code name} holds: a span id for names ending in {@code span_id} or {@code spanId}
   * ({@code parent_span_id}, {@code callee_span_id}), a trace id for {@code trace_id}/{@code traceId}, a request id
   * for {@code caller_request_id}. A value of exactly that form is an id, written as it is: the redactor's card
   * detector would otherwise take the one id in about twenty thousand that is all decimal digits and passes Luhn
   * for a card number, and the hop it joins would be lost.
   */
  private static int idForm(String name) {
    if (name.endsWith("span_id") || name.endsWith("spanId")) {
      return SPAN_ID;
    }
    if (name.endsWith("trace_id") || name.endsWith("traceId")) {
      return TRACE_ID;
    }
    return name.endsWith("caller_request_id") ? REQUEST_ID : NOT_AN_ID;
  }

  /** Whether {@code value} has the id form {@code key}'s values have, so it is written unredacted. */
  private static boolean isIdOfForm(Key key, Object value) {
    if (key.idForm == NOT_AN_ID || !(value instanceof String)) {
      return false;
    }
    String s = (String) value;
    switch (key.idForm) {
      case SPAN_ID:
        return Ids.isValidSpanId(s);
      case TRACE_ID:
        return Ids.isValidTraceId(s);
      default:
        return RequestIds.isValid(s);
    }
  }

  /** The cached {@link Key} of {@code name} (at most {@value #MAX_CACHED_NAMES} names are kept). */
  private Key key(String name) {
    Key key = keys.get(name);
    if (key == null) {
      JsonBuffer b = new JsonBuffer(name.length() + 4);
      b.raw((byte) ',');
      b.string(name, Integer.MAX_VALUE);
      b.raw((byte) ':');
      key = new Key(name, b.toByteArray(), names.reserved.contains(name), redactor.isSensitiveName(name));
      if (name.length() <= MAX_KEY_CHARS && keys.size() < MAX_CACHED_NAMES) {
        keys.put(name, key);
      }
    }
    return key;
  }

  /**
   * The key to write for a user field called {@code name}: cut to {@value #MAX_KEY_CHARS} characters, then unique
   * among the schema keys and the fields already written, by a {@code _} prefix repeated as needed. A rename is
   * reported once per name.
   */
  private Key unique(LineContext context, String name) {
    if (name.length() > MAX_KEY_CHARS) {
      name = name.substring(0, MAX_KEY_CHARS - 1) + "…";
    }
    Key key = key(name);
    if (!key.reserved && !context.hasField(name)) {
      context.addField(name);
      return key;
    }
    String unique = name;
    while (names.reserved.contains(unique) || context.hasField(unique)) {
      unique = "_" + unique;
    }
    status.warnOnce("rename:" + name, "Field '" + name + "' collides with a schema key or an earlier field of"
        + " the same line; it is written as '" + unique + "'. This is reported once per name.");
    context.addField(unique);
    return key(unique);
  }

  /** Writes one user field: its unique key, then its value, or {@code "[REDACTED]"} for a sensitive name. */
  private void field(LineContext context, String name, Object value) {
    Key key = unique(context, name);
    JsonBuffer out = context.buffer;
    out.raw(key.json);
    if (value != null && (key.name == name ? key.sensitive : redactor.isSensitiveName(name))) {
      out.string(REDACTED, Integer.MAX_VALUE);
      return;
    }
    if (isIdOfForm(key, value)) {
      out.string((String) value, maxFieldChars);
      return;
    }
    value(out, value, 0);
  }

  /** Whether values under {@code name} are redacted (cached with the name). */
  private boolean isSensitiveName(String name) {
    return name.length() <= MAX_KEY_CHARS ? key(name).sensitive : redactor.isSensitiveName(name);
  }

  /** Writes {@code value} with its JSON type. Never throws; an object that cannot be written becomes a string. */
  void value(JsonBuffer out, Object value, int depth) {
    int mark = out.size;
    try {
      typed(out, value, depth);
    } catch (RuntimeException | StackOverflowError | LinkageError e) {
      out.size = mark;
      status.warn("value:" + e.getClass().getName(), "A field value of type "
          + (value == null ? "null" : value.getClass().getName()) + " could not be written ("
          + e.getClass().getName() + "); it was written as a placeholder string");
      out.string("[unserializable " + (value == null ? "null" : value.getClass().getName()) + "]",
          maxFieldChars);
    }
  }

  private void typed(JsonBuffer out, Object value, int depth) {
    if (value == null) {
      out.nullValue();
    } else if (value instanceof String) {
      out.string(redactor.redact((String) value), maxFieldChars);
    } else if (value instanceof Boolean) {
      out.bool((Boolean) value);
    } else if (value instanceof Integer || value instanceof Long || value instanceof Short
        || value instanceof Byte || value instanceof AtomicInteger || value instanceof AtomicLong) {
      out.number(((Number) value).longValue());
    } else if (value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue();
      if (Double.isFinite(d)) {
        out.ascii(value.toString());
      } else {
        out.string(value.toString(), maxFieldChars);
      }
    } else if (value instanceof BigInteger || value instanceof BigDecimal) {
      out.ascii(value.toString());
    } else if (value instanceof CharSequence || value instanceof Character || value instanceof Enum) {
      out.string(redactor.redact(value.toString()), maxFieldChars);
    } else if (depth >= MAX_NESTING) {
      out.string(redactor.redact(String.valueOf(value)), maxFieldChars);
    } else if (value instanceof Map) {
      map(out, (Map<?, ?>) value, depth);
    } else if (value instanceof Collection || value instanceof Iterable) {
      iterable(out, ((Iterable<?>) value).iterator(), depth);
    } else if (value.getClass().isArray()) {
      array(out, value, depth);
    } else if (value instanceof Optional) {
      Optional<?> optional = (Optional<?>) value;
      typed(out, optional.orElse(null), depth + 1);
    } else {
      object(out, value, depth);
    }
  }

  private void map(JsonBuffer out, Map<?, ?> map, int depth) {
    out.raw((byte) '{');
    int count = 0;
    java.util.Set<String> seen = map.size() > 1 ? new java.util.HashSet<>() : null;
    for (Map.Entry<?, ?> e : map.entrySet()) {
      if (count == MAX_COLLECTION_ITEMS) {
        break;
      }
      String key = String.valueOf(e.getKey());
      if (key.length() > MAX_KEY_CHARS) {
        key = key.substring(0, MAX_KEY_CHARS - 1) + "…";
      }
      if (seen != null) {
        while (!seen.add(key)) {
          key = "_" + key;
        }
      }
      if (count++ > 0) {
        out.raw((byte) ',');
      }
      out.string(key, Integer.MAX_VALUE);
      out.raw((byte) ':');
      if (e.getValue() != null && isSensitiveName(key)) {
        out.string(REDACTED, Integer.MAX_VALUE);
      } else {
        typed(out, e.getValue(), depth + 1);
      }
    }
    out.raw((byte) '}');
  }

  private void iterable(JsonBuffer out, Iterator<?> it, int depth) {
    out.raw((byte) '[');
    int count = 0;
    for (; it.hasNext() && count < MAX_COLLECTION_ITEMS; count++) {
      if (count > 0) {
        out.raw((byte) ',');
      }
      typed(out, it.next(), depth + 1);
    }
    if (count == MAX_COLLECTION_ITEMS && it.hasNext()) {
      out.raw((byte) ',');
      out.string(MORE_ITEMS, Integer.MAX_VALUE);
    }
    out.raw((byte) ']');
  }

  private void array(JsonBuffer out, Object array, int depth) {
    out.raw((byte) '[');
    int total = Array.getLength(array);
    int length = Math.min(total, MAX_COLLECTION_ITEMS);
    for (int i = 0; i < length; i++) {
      if (i > 0) {
        out.raw((byte) ',');
      }
      typed(out, Array.get(array, i), depth + 1);
    }
    if (total > length) {
      out.raw((byte) ',');
      out.string(MORE_ITEMS, Integer.MAX_VALUE);
    }
    out.raw((byte) ']');
  }

  /**
   * An object without a JSON form of its own: turned into plain values by Jackson and written like any other value
   * (redacted, capped, keys unique), else its {@code toString()}.
   */
  private void object(JsonBuffer out, Object value, int depth) {
    if (objectJson != null) {
      try {
        Object plain = objectJson.toPlain(value);
        if (plain == null || plain instanceof Map || plain instanceof List || plain instanceof String
            || plain instanceof Number || plain instanceof Boolean) {
          typed(out, plain, depth + 1);
          return;
        }
      } catch (Exception | StackOverflowError | LinkageError e) {
        status.warn("json:" + value.getClass().getName(), objectJson.name() + " could not serialize a "
            + value.getClass().getName() + " (" + e.getClass().getName() + "); its toString() was written");
      }
    }
    out.string(redactor.redact(String.valueOf(value)), maxFieldChars);
  }

  private void error(LineContext context, IThrowableProxy throwable) {
    JsonBuffer out = context.buffer;
    if (errorKey != null) {
      out.raw(errorKey);
      out.raw((byte) '{');
    }
    out.raw(errorTypeKey);
    stringOrNull(out, throwable.getClassName());
    String message = throwable.getMessage();
    if (message != null) {
      out.raw(errorMessageKey);
      out.string(redactor.redact(message), maxFieldChars);
    }
    out.raw(errorStackKey);
    stackWriter.write(out, throwable, context.frames);
    String fingerprint = ErrorFingerprint.of(throwable, frameCache.filter(), frameCache, context.frames);
    context.frames.clear();
    if (fingerprint != null) {
      out.raw(errorFingerprintKey);
      out.string(fingerprint, Integer.MAX_VALUE);
    }
    if (errorKey != null) {
      out.raw((byte) '}');
    }
  }

  /** A static field given in configuration: a name and a string value. */
  static final class StaticField {
    final String name;
    final String value;

    StaticField(String name, String value) {
      this.name = name;
      this.value = value;
    }
  }
}
