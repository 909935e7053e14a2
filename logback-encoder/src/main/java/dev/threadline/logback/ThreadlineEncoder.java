package dev.threadline.logback;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.encoder.EncoderBase;
import dev.threadline.core.MdcKeys;
import dev.threadline.logback.internal.Resource;
import dev.threadline.logback.internal.StderrStatusListener;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Encodes each Logback event as one line of JSON in Threadline's schema (see {@code docs/schema.md}).
 *
 * <pre>{@code
 * <appender name="STDOUT" class="ch.qos.logback.core.ConsoleAppender">
 *   <encoder class="dev.threadline.logback.ThreadlineEncoder"/>
 * </appender>
 * }</pre>
 *
 * <p>That alone works: {@code service}, {@code env} and {@code version} come from the Logback properties
 * {@code threadline.service}, {@code threadline.env}, {@code threadline.version} or the environment variables
 * {@code THREADLINE_SERVICE} (or {@code OTEL_SERVICE_NAME}), {@code THREADLINE_ENV}, {@code THREADLINE_VERSION};
 * {@code host} from Logback's {@code HOSTNAME}. Every other setting has a default good for production.
 *
 * <p>Guarantees: {@link #encode} never throws and always returns exactly one valid JSON object (plus a newline),
 * with unique keys, within {@link #setMaxLineBytes maxLineBytes}. Trouble (an unserializable value, a renamed
 * field, an encoder failure) is reported through Logback status, rate-limited.
 *
 * <p>Cost: the returned array is the only allocation of a typical event; working buffers come from a small
 * lock-free pool owned by the encoder (no {@code ThreadLocal}).
 *
 * @since 0.1.0
 */
public class ThreadlineEncoder extends EncoderBase<ILoggingEvent> {

  /** Loki's default {@code max_line_size} is 256 KiB; stay a little under it. */
  static final int DEFAULT_MAX_LINE_BYTES = 256 * 1024 - 1024;
  static final int DEFAULT_MAX_FIELD_LENGTH = 32 * 1024;
  static final int MIN_MAX_LINE_BYTES = 16 * 1024;
  /** A line this long and its framing still fit one push under Loki's 4 MiB message limit. */
  static final int MAX_MAX_LINE_BYTES = 4 * 1024 * 1024 - 64 * 1024;

  private String service;
  private String env;
  private String version;
  private String host;
  private String fieldNames = FieldNames.THREADLINE;
  private int maxFieldLength = DEFAULT_MAX_FIELD_LENGTH;
  private int maxLineBytes = DEFAULT_MAX_LINE_BYTES;
  private int maxStackDepth = 64;
  private int maxStackLength = 32 * 1024;
  private boolean rootCauseFirst;
  private final List<String> excludeFrames = new ArrayList<>();
  private final Set<String> includeMdcKeys = new LinkedHashSet<>();
  /** The marker spring-jcl puts on every event it forwards to SLF4J. */
  public static final String DEFAULT_IGNORED_MARKER = "COMMONS-LOGGING";
  private static final Set<String> DEFAULT_IGNORED_MARKERS = Set.of(DEFAULT_IGNORED_MARKER);

  private final Set<String> excludeMdcKeys = new LinkedHashSet<>();
  private final Set<String> ignoredMarkers = new LinkedHashSet<>(DEFAULT_IGNORED_MARKERS);
  private boolean includeKeyValues = true;
  private boolean includeStructuredArguments = true;
  private boolean includeMarkers = true;
  private final List<LineWriter.StaticField> staticFields = new ArrayList<>();
  private boolean redact = true;
  private boolean redactDefaults = true;
  private final List<RedactionRule> redactionRules = new ArrayList<>();
  private final List<String> sensitiveNames = new ArrayList<>();
  private final List<String> redactPatterns = new ArrayList<>();
  private String objectSerializer = "auto";
  private boolean appendNewline = true;

  private final StatusReporter status = new StatusReporter(this, System::nanoTime);
  private final BufferPool pool = new BufferPool(1024);
  private volatile Compiled compiled;

  /** Everything {@link #start()} resolves, swapped in at once. */
  private static final class Compiled {
    final LineWriter writer;
    final LineWriter shrunk;
    final int maxLineBytes;
    final byte[] resourceForMinimal;
    final FrameFilter frameFilter;
    final Redactor redactor;
    final StackTraceWriter minimalStack;
    /** The lines' frame cache, or {@code null} before start: a fingerprint asked for separately uses it too. */
    final FrameCache frameCache;

    Compiled(
        LineWriter writer, LineWriter shrunk, int maxLineBytes, byte[] resourceForMinimal,
        FrameFilter frameFilter, Redactor redactor, StackTraceWriter minimalStack, FrameCache frameCache) {
      this.frameCache = frameCache;
      this.frameFilter = frameFilter;
      this.redactor = redactor;
      this.minimalStack = minimalStack;
      this.writer = writer;
      this.shrunk = shrunk;
      this.maxLineBytes = maxLineBytes;
      this.resourceForMinimal = resourceForMinimal;
    }
  }

  @Override
  public void start() {
    // Logback's warnings belong on standard error, never in the JSON stream on standard output.
    StderrStatusListener.installOn(getContext());
    // The line carries the tracer's current span, read where it is logged (a no-op without a tracer bridge).
    ActiveSpanFilter.installOn(getContext());
    try {
      compiled = compile();
      super.start();
    } catch (IllegalArgumentException badSetting) {
      addError("ThreadlineEncoder not started: " + badSetting.getMessage());
    }
  }

  private Compiled compile() {
    FieldNames names = FieldNames.preset(fieldNames);
    check(maxFieldLength >= 16, "maxFieldLength", "at least 16 characters");
    check(maxLineBytes >= MIN_MAX_LINE_BYTES, "maxLineBytes", "at least " + MIN_MAX_LINE_BYTES + " bytes");
    check(maxLineBytes <= MAX_MAX_LINE_BYTES, "maxLineBytes", "at most " + MAX_MAX_LINE_BYTES
        + " bytes (a longer line could never fit in one push to Loki)");
    check(maxStackDepth >= 1, "maxStackDepth", "at least 1 frame");
    check(maxStackLength >= 256, "maxStackLength", "at least 256 bytes");
    Redactor redactor = redactor();
    FrameFilter frames = excludeFrames.isEmpty() ? FrameFilter.defaults() : FrameFilter.withExtra(excludeFrames);
    Map<String, String> resource = new LinkedHashMap<>();
    resource.put(names.service, cap(Resource.service(getContext(), service)));
    resource.put(names.env, cap(Resource.env(getContext(), env)));
    resource.put(names.version, cap(Resource.version(getContext(), version)));
    resource.put(names.host, cap(Resource.host(getContext(), host)));
    ObjectJson json = ObjectJson.detect(objectSerializer);
    int stackBytes = Math.min(maxStackLength, maxLineBytes / 2);
    FrameCache frameCache = new FrameCache(frames);
    StackTraceWriter stack =
        new StackTraceWriter(frameCache, maxStackDepth, stackBytes, maxFieldLength, rootCauseFirst, redactor);
    LineWriter writer = new LineWriter(names, resource, staticFields, Set.copyOf(includeMdcKeys),
        Set.copyOf(excludeMdcKeys), includeKeyValues, includeStructuredArguments, includeMarkers,
        Set.copyOf(ignoredMarkers), maxFieldLength,
        stack, frameCache, redactor, json, status, appendNewline);
    int small = Math.max(256, maxLineBytes / 64);
    LineWriter shrunk = writer.shrunk(small, stack.shrunk(maxLineBytes / 8, 32));
    JsonBuffer minimalResource = new JsonBuffer(256);
    for (Map.Entry<String, String> e : resource.entrySet()) {
      if (e.getValue() != null && !e.getValue().isEmpty()) {
        minimalResource.raw((byte) ',');
        minimalResource.string(e.getKey(), Integer.MAX_VALUE);
        minimalResource.raw((byte) ':');
        minimalResource.string(e.getValue(), 256);
      }
    }
    return new Compiled(writer, shrunk, maxLineBytes, minimalResource.toByteArray(), frames, redactor,
        stack.shrunk(2048, 16), frameCache);
  }

  private Redactor redactor() {
    if (!redact) {
      return Redactor.none();
    }
    Redactor.Builder builder = Redactor.builder();
    if (!redactDefaults) {
      builder.noDefaults();
    }
    sensitiveNames.forEach(builder::addSensitiveName);
    for (String pattern : redactPatterns) {
      builder.addPattern(pattern);
    }
    redactionRules.forEach(builder::addRule);
    return builder.build();
  }

  private static void check(boolean ok, String setting, String rule) {
    if (!ok) {
      throw new IllegalArgumentException(setting + " must be " + rule);
    }
  }

  private static String cap(String value) {
    return value == null || value.length() <= 256 ? value : value.substring(0, 256);
  }

  /**
   * The {@code error.fingerprint} this encoder writes for {@code throwable} (its frame exclusions applied), for
   * components that send it elsewhere too, such as Loki structured metadata. {@code null} for {@code null}.
   */
  public String fingerprintOf(IThrowableProxy throwable) {
    Compiled c = compiledOrDefaults();
    // The frames of a throwable just encoded are in the lines' cache: one look-up each, not a hash of its names.
    return ErrorFingerprint.of(throwable, c.frameFilter, c.frameCache);
  }

  /** The fingerprint with the default frame exclusions; see {@link #fingerprintOf}. */
  public static String fingerprint(IThrowableProxy throwable) {
    return ErrorFingerprint.of(throwable, FrameFilter.defaults(), null);
  }

  @Override
  public byte[] headerBytes() {
    return null;
  }

  @Override
  public byte[] footerBytes() {
    return null;
  }

  /**
   * The event as one JSON line. Never throws, never returns {@code null}; when something goes wrong the line is
   * still valid JSON, with the core keys and the reason.
   */
  @Override
  public byte[] encode(ILoggingEvent event) {
    LineContext context = null;
    try {
      Compiled c = compiledOrDefaults();
      context = pool.acquire();
      write(c, event, context);
      return context.buffer.toByteArray();
    } catch (RuntimeException | StackOverflowError | LinkageError e) {
      status.warn("encode:" + e.getClass().getName(), "ThreadlineEncoder could not encode an event ("
          + e + "); a reduced line was written instead");
      return fallback(event, e);
    } finally {
      if (context != null) {
        pool.release(context);
      }
    }
  }

  /**
   * Receives a line from {@link #encode(ILoggingEvent, LineTarget, Object)}: {@code line[offset, offset + length)}
   * holds it, valid only during the call (the array is the encoder's and is reused), so a target copies what it
   * keeps.
   *
   * @param <T> what the caller passes through to the target, e.g. the record the line belongs to
   * @since 0.1.0
   */
  @FunctionalInterface
  public interface LineTarget<T> {

    /** Takes the line; what it throws reaches the caller of {@code encode}. */
    void line(T context, byte[] line, int offset, int length);
  }

  /**
   * The same line as {@link #encode(ILoggingEvent)}, handed to {@code target} from the encoder's own reused buffer
   * instead of returned in an array of its own: the caller copies it once, where it wants it (the Loki appender
   * into a shared slab), and nothing is allocated for it. Throws only what {@code target} throws.
   *
   * @since 0.1.0
   */
  public <T> void encode(ILoggingEvent event, LineTarget<T> target, T context) {
    LineContext lines = null;
    byte[] fallback = null;
    try {
      Compiled c = compiledOrDefaults();
      lines = pool.acquire();
      write(c, event, lines);
    } catch (RuntimeException | StackOverflowError | LinkageError e) {
      status.warn("encode:" + e.getClass().getName(), "ThreadlineEncoder could not encode an event ("
          + e + "); a reduced line was written instead");
      fallback = fallback(event, e);
    }
    try {
      if (fallback == null) {
        target.line(context, lines.buffer.bytes, 0, lines.buffer.size);
      } else {
        target.line(context, fallback, 0, fallback.length);
      }
    } finally {
      if (lines != null) {
        pool.release(lines);
      }
    }
  }

  /** The same line as {@link #encode}, as a string. Used by {@link ThreadlineLayout}. */
  String encodeToString(ILoggingEvent event) {
    return new String(encode(event), StandardCharsets.UTF_8);
  }

  private void write(Compiled c, ILoggingEvent event, LineContext context) {
    context.reset();
    c.writer.write(event, context);
    if (context.buffer.size > c.maxLineBytes) {
      context.reset();
      c.shrunk.write(event, context);
      if (context.buffer.size > c.maxLineBytes) {
        context.reset();
        minimal(c, event, context.buffer, false);
        if (context.buffer.size > c.maxLineBytes) {
          context.reset();
          minimal(c, event, context.buffer, true);
        }
      }
      status.warn("line-too-long", "An event was longer than maxLineBytes (" + c.maxLineBytes
          + "); its fields, message and stack were cut to fit");
    }
  }

  private Compiled compiledOrDefaults() {
    Compiled c = compiled;
    if (c == null) {
      synchronized (this) {
        c = compiled;
        if (c == null) {
          status.warnOnce("not-started", "ThreadlineEncoder used before it was started (or after it failed to"
              + " start); writing with default settings");
          ThreadlineEncoder defaults = new ThreadlineEncoder();
          defaults.setContext(getContext());
          c = defaults.compile();
          compiled = c;
        }
      }
    }
    return c;
  }

  /**
   * Only the core keys, each with a hard cap, a short stack, and {@code "truncated":true}. In the {@code tiny} form
   * every value is cut to 64 characters and the stack is left out, which fits any allowed line limit whatever the
   * content.
   */
  private void minimal(Compiled c, ILoggingEvent event, JsonBuffer out, boolean tiny) {
    FieldNames names = c.writer.names;
    int messageChars = tiny ? 64 : Math.max(64, (c.maxLineBytes - 12 * 1024) / 6);
    int nameChars = tiny ? 64 : 512;
    out.raw((byte) '{');
    out.string(names.timestamp, Integer.MAX_VALUE);
    out.raw((byte) ':');
    new TimestampWriter().write(out, instantOf(event));
    out.raw((byte) ',');
    out.string(names.level, Integer.MAX_VALUE);
    out.raw((byte) ':');
    out.string(levelName(event, names), 16);
    out.raw(c.resourceForMinimal);
    pair(out, names.logger, event.getLoggerName(), nameChars);
    pair(out, names.thread, event.getThreadName(), nameChars);
    String message = event.getFormattedMessage();
    pair(out, names.message, message == null ? null : c.redactor.redact(message), messageChars);
    Map<String, String> mdc = event.getMDCPropertyMap();
    if (mdc != null) {
      MdcKeys keys = MdcKeys.active();
      pair(out, names.requestId, keys.requestId() == null ? null : mdc.get(keys.requestId()), 128);
      pair(out, names.traceId, keys.traceId() == null ? null : mdc.get(keys.traceId()), 64);
      pair(out, names.spanId, keys.spanId() == null ? null : mdc.get(keys.spanId()), 32);
    }
    IThrowableProxy throwable = event.getThrowableProxy();
    if (throwable != null) {
      String fingerprint = ErrorFingerprint.of(throwable, c.frameFilter, null);
      if (names.error != null) {
        out.raw((byte) ',');
        out.string(names.error, Integer.MAX_VALUE);
        out.ascii(":{");
        out.string(names.errorType, Integer.MAX_VALUE);
        out.raw((byte) ':');
        out.string(String.valueOf(throwable.getClassName()), nameChars);
      } else {
        pair(out, names.errorType, throwable.getClassName(), nameChars);
      }
      out.raw((byte) ',');
      out.string(names.errorStack, Integer.MAX_VALUE);
      out.raw((byte) ':');
      if (tiny) {
        out.string("[stack left out to fit the line limit]", Integer.MAX_VALUE);
      } else {
        c.minimalStack.write(out, throwable);
      }
      pair(out, names.errorFingerprint, fingerprint, 32);
      if (names.error != null) {
        out.raw((byte) '}');
      }
    }
    out.raw((byte) ',');
    out.string(FieldNames.TRUNCATED, Integer.MAX_VALUE);
    out.raw((byte) ':');
    out.bool(true);
    out.raw((byte) '}');
    if (appendNewline) {
      out.raw((byte) '\n');
    }
  }

  private static void pair(JsonBuffer out, String key, String value, int maxChars) {
    if (value != null) {
      out.raw((byte) ',');
      out.string(key, Integer.MAX_VALUE);
      out.raw((byte) ':');
      out.string(value, maxChars);
    }
  }

  /** The last resort when encoding itself failed: built from plain values only, with its own small buffer. */
  private byte[] fallback(ILoggingEvent event, Throwable failure) {
    JsonBuffer out = new JsonBuffer(512);
    try {
      Compiled c = compiled;
      FieldNames names = c != null ? c.writer.names : FieldNames.preset(FieldNames.THREADLINE);
      out.raw((byte) '{');
      out.string(names.timestamp, Integer.MAX_VALUE);
      out.raw((byte) ':');
      new TimestampWriter().write(out, safeInstant(event));
      out.raw((byte) ',');
      out.string(names.level, Integer.MAX_VALUE);
      out.raw((byte) ':');
      out.string(safe(() -> levelName(event, names)), 16);
      Redactor redactor = c != null ? c.redactor : Redactor.defaults();
      pair(out, names.logger, String.valueOf(safe(event::getLoggerName)), 512);
      pair(out, names.thread, String.valueOf(safe(event::getThreadName)), 512);
      String message = safe(event::getFormattedMessage);
      pair(out, names.message, String.valueOf(message == null ? null : redactor.redact(message)), 8 * 1024);
      pair(out, "encoder_error", failure.getClass().getName(), 256);
      out.raw((byte) '}');
    } catch (RuntimeException | StackOverflowError | LinkageError again) {
      out.reset();
      out.ascii("{\"timestamp\":");
      new TimestampWriter().write(out, Instant.now());
      out.ascii(",\"level\":\"error\",\"logger\":\"dev.threadline.logback.ThreadlineEncoder\",\"thread\":null,"
          + "\"message\":\"Threadline encoder failed\"}");
    }
    if (appendNewline) {
      out.raw((byte) '\n');
    }
    return out.toByteArray();
  }

  private static Instant instantOf(ILoggingEvent event) {
    Instant instant = event.getInstant();
    return instant != null ? instant : Instant.ofEpochMilli(event.getTimeStamp());
  }

  private static Instant safeInstant(ILoggingEvent event) {
    try {
      return instantOf(event);
    } catch (RuntimeException e) {
      return Instant.now();
    }
  }

  private static String levelName(ILoggingEvent event, FieldNames names) {
    String level = event.getLevel() == null ? "info" : event.getLevel().toString().toLowerCase(java.util.Locale.ROOT);
    return names.upperCaseLevel ? level.toUpperCase(java.util.Locale.ROOT) : level;
  }

  private static String safe(java.util.function.Supplier<String> supplier) {
    try {
      return supplier.get();
    } catch (RuntimeException | StackOverflowError | LinkageError e) {
      return "[unavailable: " + e.getClass().getName() + "]";
    }
  }

  // ---- Configuration: bean setters and adders, so logback.xml stays short. ----

  /**
   * The service name. Default: the Logback context property {@code threadline.service}, then {@code
   * THREADLINE_SERVICE}, then {@code OTEL_SERVICE_NAME}.
   */
  public void setService(String service) {
    this.service = service;
  }

  /** The deployment environment. Default: {@code threadline.env}, {@code THREADLINE_ENV}. */
  public void setEnv(String env) {
    this.env = env;
  }

  /** The service version. Default: {@code threadline.version}, {@code THREADLINE_VERSION}. */
  public void setVersion(String version) {
    this.version = version;
  }

  /** The host name. Default: Logback's {@code HOSTNAME} property, then the {@code HOSTNAME} variable. */
  public void setHost(String host) {
    this.host = host;
  }

  /** The key-name preset: {@code threadline} (default), {@code ecs} or {@code otel}. */
  public void setFieldNames(String fieldNames) {
    this.fieldNames = fieldNames;
  }

  /** The longest message or field value, in characters, before it is cut with a marker. Default 32768. */
  public void setMaxFieldLength(int maxFieldLength) {
    this.maxFieldLength = maxFieldLength;
  }

  /** The longest line, in bytes. Default 261120, under Loki's default {@code max_line_size} of 256 KiB. */
  public void setMaxLineBytes(int maxLineBytes) {
    this.maxLineBytes = maxLineBytes;
  }

  /** The most frames written per throwable in {@code error.stack}. Default 64. */
  public void setMaxStackDepth(int maxStackDepth) {
    this.maxStackDepth = maxStackDepth;
  }

  /** The longest {@code error.stack}, in bytes. Default 32768 (and at most half the line). */
  public void setMaxStackLength(int maxStackLength) {
    this.maxStackLength = maxStackLength;
  }

  /** Whether {@code error.stack} starts with the root cause, enclosing exceptions after it. Default false. */
  public void setRootCauseFirst(boolean rootCauseFirst) {
    this.rootCauseFirst = rootCauseFirst;
  }

  /** A class-name prefix whose frames are left out of stacks and fingerprints, added to the defaults. */
  public void addExcludeFrame(String classNamePrefix) {
    if (classNamePrefix != null && !classNamePrefix.isBlank()) {
      excludeFrames.add(classNamePrefix.trim());
    }
  }

  /** An MDC key to write; once any is given, only those are written. Default: all. */
  public void addIncludeMdcKey(String key) {
    if (key != null && !key.isBlank()) {
      includeMdcKeys.add(key.trim());
    }
  }

  /** An MDC key never to write. */
  public void addExcludeMdcKey(String key) {
    if (key != null && !key.isBlank()) {
      excludeMdcKeys.add(key.trim());
    }
  }

  /** Whether SLF4J 2 key-value pairs are written as fields. Default true. */
  public void setIncludeKeyValues(boolean includeKeyValues) {
    this.includeKeyValues = includeKeyValues;
  }

  /** Whether {@link Fields#field} arguments are written as fields. Default true. */
  public void setIncludeStructuredArguments(boolean includeStructuredArguments) {
    this.includeStructuredArguments = includeStructuredArguments;
  }

  /** Whether markers are written: {@link Fields#marker} ones as fields, others as {@code tags}. Default true. */
  public void setIncludeMarkers(boolean includeMarkers) {
    this.includeMarkers = includeMarkers;
  }

  /**
   * The plain markers never written as {@code tags}, by default {@value #DEFAULT_IGNORED_MARKER}: the marker Spring's
   * logging bridge (spring-jcl) puts on every event it forwards, which tells a reader nothing. A comma-separated list
   * replaces the default; an empty one writes every marker.
   */
  public void setIgnoreMarkers(String names) {
    ignoredMarkers.clear();
    if (names != null) {
      for (String name : names.split(",")) {
        if (!name.isBlank()) {
          ignoredMarkers.add(name.trim());
        }
      }
    }
  }

  /** A field written on every line, as {@code name=value}, e.g. {@code <staticField>region=eu-west-1</staticField>}. */
  public void addStaticField(String nameEqualsValue) {
    int equals = nameEqualsValue == null ? -1 : nameEqualsValue.indexOf('=');
    if (equals <= 0) {
      addError("staticField: '" + nameEqualsValue + "' is not name=value; ignored");
      return;
    }
    staticFields.add(new LineWriter.StaticField(
        nameEqualsValue.substring(0, equals).trim(), nameEqualsValue.substring(equals + 1).trim()));
  }

  /** Whether secrets are redacted, by field name and by value pattern. Default true. */
  public void setRedact(boolean redact) {
    this.redact = redact;
  }

  /** A field name to redact (matched ignoring case, as a substring), added to the defaults. */
  public void addSensitiveName(String name) {
    if (name != null && !name.isBlank()) {
      sensitiveNames.add(name.trim());
    }
  }

  /** A regular expression whose matches in messages and values are redacted. */
  public void addRedactPattern(String regex) {
    if (regex != null && !regex.isEmpty()) {
      redactPatterns.add(regex);
    }
  }

  /**
   * A rule of the application's own, applied after the built-in detectors and the patterns:
   * {@code <redactionRule class="com.acme.TicketIds"/>}. See {@link RedactionRule}.
   */
  public void addRedactionRule(RedactionRule rule) {
    if (rule != null) {
      redactionRules.add(rule);
    }
  }

  /**
   * Whether the built-in detectors and default sensitive names apply. Default true; false leaves only the configured
   * {@code sensitiveName}s, {@code redactPattern}s and {@code redactionRule}s, to replace the defaults rather than add.
   */
  public void setRedactDefaults(boolean redactDefaults) {
    this.redactDefaults = redactDefaults;
  }

  /** How objects without a JSON form are written: {@code auto} (default), {@code jackson3}, {@code jackson2}, {@code toString}. */
  public void setObjectSerializer(String objectSerializer) {
    this.objectSerializer = objectSerializer;
  }

  /** Whether each line ends with a newline. Default true. */
  public void setAppendNewline(boolean appendNewline) {
    this.appendNewline = appendNewline;
  }
}
