package dev.threadline.loki;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.encoder.Encoder;
import dev.threadline.core.MdcKeys;
import dev.threadline.logback.Resource;
import dev.threadline.logback.ThreadlineEncoder;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;

/**
 * Ships every event, encoded as one line of Threadline's JSON schema, to Grafana Loki's push API, in batches, from
 * one background thread, and never slows or breaks the application doing it.
 *
 * <pre>{@code
 * <appender name="LOKI" class="dev.threadline.loki.LokiAppender">
 *   <url>http://loki:3100</url>
 * </appender>
 * }</pre>
 *
 * <h2>On the application thread</h2>
 * {@link #append} encodes the event (the encoder's bytes are what is sent), adds it to an unbounded lock-free queue
 * guarded by a byte budget ({@link #setMaxQueueBytes}, 32 MiB by default), and returns: no I/O, no lock, no throw.
 * When the budget is full the event is dropped and counted ({@code overflowPolicy=drop}, the default), or the
 * caller waits at most {@link #setBlockTimeout blockTimeout} ({@code overflowPolicy=block}). Drops are reported
 * through Logback status at most once a minute.
 *
 * <h2>On the sender thread</h2>
 * It sleeps until there is work (no polling when idle), gathers a batch (at most {@link #setBatchMaxItems} events,
 * {@link #setBatchMaxBytes} bytes of lines, or {@link #setBatchMaxWait} after its first event), encodes it as
 * protobuf compressed with Snappy, and POSTs it to {@code {url}/loki/api/v1/push}. Connection failures, 429 (its
 * {@code Retry-After} honoured) and 5xx are retried with exponential backoff and jitter for as long as the
 * appender runs; other 4xx drop the batch, counted, with Loki's error text in a rate-limited status warning.
 *
 * <h2>Labels</h2>
 * By default {@code service}, {@code env} and {@code level}; {@code host} and {@code version} on request, plus
 * static labels and explicitly allowed MDC keys. Names are checked at start against Loki's rules; a
 * high-cardinality name ({@code requestId}, {@code trace_id}, {@code span_id}, or an MDC key not allowed) is refused
 * with a Logback error naming it. {@code requestId}, {@code trace_id}, {@code span_id} and the error fingerprint go
 * as structured metadata instead (Loki 3; {@link #setStructuredMetadata} off for Loki 2).
 */
public class LokiAppender extends UnsynchronizedAppenderBase<ILoggingEvent> implements LokiAppenderMXBean {

  static final String PUSH_PATH = "/loki/api/v1/push";
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  private static final Set<String> KNOWN_LABELS = Set.of("service", "env", "version", "host", "level");
  private static final Set<String> HIGH_CARDINALITY =
      Set.of("requestId", "request_id", "trace_id", "traceId", "span_id", "spanId", "message", "thread", "logger");
  private static final String[] LEVELS = {"trace", "debug", "info", "warn", "error"};
  private static final long STATUS_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

  // ---- settings
  private String url;
  private Encoder<ILoggingEvent> encoder;
  private String labels = "service,env,level";
  private final Map<String, String> staticLabels = new LinkedHashMap<>();
  private final List<String> mdcLabels = new ArrayList<>();
  private String service;
  private String env;
  private String version;
  private String host;
  private boolean structuredMetadata = true;
  private long maxQueueBytes = 32L * 1024 * 1024;
  private String overflowPolicy = "drop";
  private Duration blockTimeout = Duration.ofMillis(100);
  private int batchMaxItems = 1000;
  private int batchMaxBytes = 1024 * 1024;
  private Duration batchMaxWait = Duration.ofSeconds(1);
  private Duration connectTimeout = Duration.ofSeconds(5);
  private Duration requestTimeout = Duration.ofSeconds(10);
  private Duration minBackoff = Duration.ofMillis(500);
  private Duration maxBackoff = Duration.ofSeconds(30);
  private Duration shutdownTimeout = Duration.ofSeconds(10);
  private String tenant;
  private String username;
  private String password;
  private String bearerToken;
  private final Map<String, String> headers = new LinkedHashMap<>();
  private String format = "protobuf";
  private boolean gzip = true;
  private String trustStore;
  private String trustStorePassword;
  private String trustStoreType = "PKCS12";
  private String keyStore;
  private String keyStorePassword;
  private String keyStoreType = "PKCS12";
  private boolean jmx = true;

  // ---- state
  private final RecordQueue queue = new RecordQueue();
  private final AtomicLong queuedBytes = new AtomicLong();
  private final LongAdder appended = new LongAdder();
  private final AtomicLong sent = new AtomicLong();
  private final LongAdder droppedQueueFull = new LongAdder();
  private final AtomicLong droppedRejected = new AtomicLong();
  private final AtomicLong droppedAtShutdown = new AtomicLong();
  private final AtomicLong retries = new AtomicLong();
  private final AtomicLong bytesSent = new AtomicLong();
  private final AtomicLong lastDropReport = new AtomicLong(System.nanoTime() - STATUS_INTERVAL_NANOS);
  private final AtomicLong lastErrorReport = new AtomicLong(System.nanoTime() - STATUS_INTERVAL_NANOS);
  private volatile String lastError;
  private volatile long lastSendMillis;
  /** Events in the queue (not yet taken into a batch). */
  private final java.util.concurrent.atomic.AtomicInteger queuedCount = new java.util.concurrent.atomic.AtomicInteger();
  /**
   * How many queued events wake the parked sender: 1 when it waits with an empty batch, what its partial batch
   * lacks when it waits for more, and never while it works.
   */
  /** overflowPolicy is drop; fixed at start. */
  private boolean dropping;
  private volatile int wakeAtQueued = Integer.MAX_VALUE;
  private volatile boolean stopping;
  private volatile long stopDeadline;
  private Thread sender;
  private HttpClient http;
  private URI pushUri;
  private String[] levelLabels;
  private Map<String, String> resolvedHeaders;
  private javax.management.ObjectName jmxName;

  @Override
  public void start() {
    if (isStarted()) {
      return;
    }
    List<String> problems = new ArrayList<>();
    if (url == null || url.isBlank()) {
      problems.add("url is required (Loki's base URL, e.g. http://loki:3100)");
    } else {
      try {
        pushUri = URI.create(url.replaceAll("/+$", "") + PUSH_PATH);
        if (!"http".equals(pushUri.getScheme()) && !"https".equals(pushUri.getScheme())) {
          problems.add("url must be http or https, not '" + pushUri.getScheme() + "'");
        }
      } catch (IllegalArgumentException e) {
        problems.add("url is not a valid URI: " + e.getMessage());
      }
    }
    checkPositive(problems, "maxQueueBytes", maxQueueBytes);
    checkPositive(problems, "batchMaxItems", batchMaxItems);
    checkPositive(problems, "batchMaxBytes", batchMaxBytes);
    if (batchMaxBytes > 4 * 1024 * 1024) {
      problems.add("batchMaxBytes must be at most 4194304: Loki refuses larger decoded pushes with 500");
    }
    if (!overflowPolicy.equals("drop") && !overflowPolicy.equals("block")) {
      problems.add("overflowPolicy must be drop or block, not '" + overflowPolicy + "'");
    }
    if (!format.equals("protobuf") && !format.equals("json")) {
      problems.add("format must be protobuf or json, not '" + format + "'");
    }
    javax.net.ssl.SSLContext ssl = sslContext(problems);
    Map<String, String> resource = resourceLabels(problems);
    for (String problem : problems) {
      addError("LokiAppender '" + getName() + "' not started: " + problem);
    }
    if (!problems.isEmpty()) {
      return;
    }
    levelLabels = new String[LEVELS.length];
    for (int i = 0; i < LEVELS.length; i++) {
      Map<String, String> set = new LinkedHashMap<>(resource);
      if (labelNames().contains("level")) {
        set.put("level", LEVELS[i]);
      }
      levelLabels[i] = format(set);
    }
    if (encoder == null) {
      ThreadlineEncoder defaults = new ThreadlineEncoder();
      defaults.setContext(getContext());
      defaults.setService(service);
      defaults.setEnv(env);
      defaults.setVersion(version);
      defaults.setHost(host);
      encoder = defaults;
    }
    if (!encoder.isStarted()) {
      encoder.start();
    }
    resolvedHeaders = new LinkedHashMap<>(headers);
    if (tenant != null && !tenant.isBlank()) {
      resolvedHeaders.put("X-Scope-OrgID", tenant.trim());
    }
    if (bearerToken != null && !bearerToken.isBlank()) {
      resolvedHeaders.put("Authorization", "Bearer " + bearerToken.trim());
    } else if (username != null && password != null) {
      resolvedHeaders.put("Authorization", "Basic " + Base64.getEncoder()
          .encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }
    HttpClient.Builder client = HttpClient.newBuilder().connectTimeout(connectTimeout)
        // One push at a time over a kept-alive connection: HTTP/1.1 spares every request HTTP/2's upgrade headers.
        .version(HttpClient.Version.HTTP_1_1).executor(Runnable::run);
    if (ssl != null) {
      client.sslContext(ssl);
    }
    http = client.build();
    dropping = overflowPolicy.equals("drop");
    registerJmx();
    stopping = false;
    sender = new Thread(this::sendLoop, "threadline-loki-sender-" + getName());
    sender.setDaemon(true);
    sender.start();
    super.start();
  }

  /** An SSL context from the configured trust and key stores; {@code null} for the JVM's defaults. */
  private javax.net.ssl.SSLContext sslContext(List<String> problems) {
    if (trustStore == null && keyStore == null) {
      return null;
    }
    try {
      javax.net.ssl.TrustManager[] trust = null;
      if (trustStore != null) {
        java.security.KeyStore store = load("trustStore", trustStore, trustStoreType, trustStorePassword);
        javax.net.ssl.TrustManagerFactory factory =
            javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        trust = factory.getTrustManagers();
      }
      javax.net.ssl.KeyManager[] keys = null;
      if (keyStore != null) {
        java.security.KeyStore store = load("keyStore", keyStore, keyStoreType, keyStorePassword);
        javax.net.ssl.KeyManagerFactory factory =
            javax.net.ssl.KeyManagerFactory.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
        factory.init(store, keyStorePassword == null ? new char[0] : keyStorePassword.toCharArray());
        keys = factory.getKeyManagers();
      }
      javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
      context.init(keys, trust, null);
      return context;
    } catch (IllegalArgumentException e) {
      problems.add(e.getMessage());
    } catch (java.security.GeneralSecurityException e) {
      problems.add("TLS setup failed: " + e.getClass().getSimpleName());
    }
    return null;
  }

  /** Loads a key store; the message of any failure names the setting and the file, never the password. */
  private static java.security.KeyStore load(String setting, String path, String type, String password) {
    try (java.io.InputStream in = java.nio.file.Files.newInputStream(java.nio.file.Path.of(path))) {
      java.security.KeyStore store = java.security.KeyStore.getInstance(type);
      store.load(in, password == null ? null : password.toCharArray());
      return store;
    } catch (IOException | java.security.GeneralSecurityException | RuntimeException e) {
      throw new IllegalArgumentException(setting + ": cannot load " + type + " store '" + path + "' ("
          + e.getClass().getSimpleName() + ")");
    }
  }

  private void registerJmx() {
    if (!jmx) {
      return;
    }
    try {
      javax.management.ObjectName name = new javax.management.ObjectName(
          "dev.threadline:type=LokiAppender,name=" + javax.management.ObjectName.quote(String.valueOf(getName())));
      java.lang.management.ManagementFactory.getPlatformMBeanServer().registerMBean(this, name);
      jmxName = name;
    } catch (javax.management.JMException | RuntimeException e) {
      addWarn("LokiAppender '" + getName() + "': its counters are not on JMX (" + e.getClass().getSimpleName()
          + "); stats() still has them");
    }
  }

  private void unregisterJmx() {
    if (jmxName != null) {
      try {
        java.lang.management.ManagementFactory.getPlatformMBeanServer().unregisterMBean(jmxName);
      } catch (javax.management.JMException | RuntimeException e) {
        // already gone
      }
      jmxName = null;
    }
  }

  private static void checkPositive(List<String> problems, String setting, long value) {
    if (value <= 0) {
      problems.add(setting + " must be positive, not " + value);
    }
  }

  private List<String> labelNames() {
    List<String> names = new ArrayList<>();
    for (String name : labels.split(",")) {
      if (!name.isBlank()) {
        names.add(name.trim());
      }
    }
    return names;
  }

  /** Validates every label name and resolves the constant label values. */
  private Map<String, String> resourceLabels(List<String> problems) {
    Map<String, String> set = new LinkedHashMap<>();
    List<String> all = new ArrayList<>(labelNames());
    all.addAll(staticLabels.keySet());
    all.addAll(mdcLabels);
    for (String name : all) {
      if (HIGH_CARDINALITY.contains(name)) {
        problems.add("label '" + name + "' would be high-cardinality (one stream per value); it is sent as"
            + " structured metadata or as part of the line instead");
      } else if (!LABEL_NAME.matcher(name).matches() || name.startsWith("__")) {
        problems.add("label name '" + name + "' is invalid for Loki: [a-zA-Z_][a-zA-Z0-9_]*, no __ prefix");
      } else if (name.getBytes(StandardCharsets.UTF_8).length > 1024) {
        problems.add("label name '" + name.substring(0, 32) + "…' is longer than 1024 bytes");
      }
    }
    for (String name : labelNames()) {
      if (!KNOWN_LABELS.contains(name) && !HIGH_CARDINALITY.contains(name)) {
        problems.add("label '" + name + "' is not one of service, env, version, host, level; use staticLabel for"
            + " constants or mdcLabel to allow an MDC key");
      }
    }
    if (all.size() > 15) {
      problems.add("at most 15 labels (Loki's limit), not " + all.size());
    }
    if (all.size() != new java.util.HashSet<>(all).size()) {
      problems.add("a label name is given twice: " + all);
    }
    for (String name : labelNames()) {
      String value;
      switch (name) {
        case "service":
          // Loki needs at least one label; a service without a name still gets a stream.
          value = Resource.service(getContext(), service);
          value = value == null ? "unknown" : value;
          break;
        case "env":
          value = Resource.env(getContext(), env);
          break;
        case "version":
          value = Resource.version(getContext(), version);
          break;
        case "host":
          value = Resource.host(getContext(), host);
          break;
        default:
          value = null;
      }
      if (value != null) {
        set.put(name, value);
      }
    }
    set.putAll(staticLabels);
    for (Map.Entry<String, String> e : set.entrySet()) {
      if (e.getValue().getBytes(StandardCharsets.UTF_8).length > 2048) {
        problems.add("label '" + e.getKey() + "' has a value longer than 2048 bytes");
      }
    }
    return set;
  }

  /** A label set in Loki's text form, values escaped as Prometheus does. */
  static String format(Map<String, String> set) {
    StringBuilder out = new StringBuilder("{");
    for (Map.Entry<String, String> e : set.entrySet()) {
      if (out.length() > 1) {
        out.append(", ");
      }
      out.append(e.getKey()).append("=\"");
      String v = e.getValue();
      for (int i = 0; i < v.length(); i++) {
        char c = v.charAt(i);
        if (c == '\\' || c == '"') {
          out.append('\\').append(c);
        } else if (c == '\n') {
          out.append("\\n");
        } else {
          out.append(c);
        }
      }
      out.append('"');
    }
    return out.append('}').toString();
  }

  // ---- the application thread

  @Override
  protected void append(ILoggingEvent event) {
    try {
      appended.increment();
      if (dropping && queuedBytes.get() >= maxQueueBytes) {
        // Full: dropping now spares the application the encoding of an event that could not be queued anyway.
        dropFull();
        return;
      }
      byte[] line = encoder.encode(event);
      Instant instant = event.getInstant() != null ? event.getInstant() : Instant.ofEpochMilli(event.getTimeStamp());
      LokiRecord record;
      if (structuredMetadata) {
        Map<String, String> mdc = event.getMDCPropertyMap();
        MdcKeys keys = MdcKeys.active();
        record = new LokiRecord(labelsOf(event), instant.getEpochSecond(), instant.getNano(), line,
            metadata(mdc, keys.requestId()), metadata(mdc, keys.traceId()), metadata(mdc, keys.spanId()),
            fingerprintOf(event));
      } else {
        record = new LokiRecord(labelsOf(event), instant.getEpochSecond(), instant.getNano(), line,
            null, null, null, null);
      }
      if (!reserve(record.budgetBytes)) {
        dropFull();
        return;
      }
      queue.offer(record);
      int queued = queuedCount.incrementAndGet();
      if (queued >= wakeAtQueued) {
        LockSupport.unpark(sender);
      }
    } catch (RuntimeException e) {
      droppedQueueFull.increment();
      reportError("append failed: " + e.getClass().getName());
    }
  }

  private void dropFull() {
    droppedQueueFull.increment();
    reportDrops();
  }

  private boolean reserve(int bytes) {
    if (queuedBytes.addAndGet(bytes) <= maxQueueBytes) {
      return true;
    }
    queuedBytes.addAndGet(-bytes);
    if (dropping) {
      return false;
    }
    long deadline = System.nanoTime() + blockTimeout.toNanos();
    while (System.nanoTime() < deadline && !stopping) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
      if (queuedBytes.addAndGet(bytes) <= maxQueueBytes) {
        return true;
      }
      queuedBytes.addAndGet(-bytes);
    }
    return false;
  }

  private String labelsOf(ILoggingEvent event) {
    String base = levelLabels[levelIndex(event)];
    if (mdcLabels.isEmpty()) {
      return base;
    }
    Map<String, String> mdc = event.getMDCPropertyMap();
    Map<String, String> set = new LinkedHashMap<>();
    for (String name : mdcLabels) {
      String value = mdc == null ? null : mdc.get(name);
      if (value != null && !value.isEmpty()) {
        set.put(name, value.length() > 512 ? value.substring(0, 512) : value);
      }
    }
    if (set.isEmpty()) {
      return base;
    }
    return base.substring(0, base.length() - 1) + (base.length() > 2 ? ", " : "") + format(set).substring(1);
  }

  private static int levelIndex(ILoggingEvent event) {
    if (event.getLevel() == null) {
      return 2;
    }
    switch (event.getLevel().toInt()) {
      case ch.qos.logback.classic.Level.TRACE_INT:
        return 0;
      case ch.qos.logback.classic.Level.DEBUG_INT:
        return 1;
      case ch.qos.logback.classic.Level.WARN_INT:
        return 3;
      case ch.qos.logback.classic.Level.ERROR_INT:
        return 4;
      default:
        return 2;
    }
  }

  private static String metadata(Map<String, String> mdc, String key) {
    if (mdc == null || key == null) {
      return null;
    }
    String value = mdc.get(key);
    return value != null && !value.isEmpty() && value.length() <= 256 ? value : null;
  }

  private String fingerprintOf(ILoggingEvent event) {
    if (event.getThrowableProxy() == null) {
      return null;
    }
    return encoder instanceof ThreadlineEncoder
        ? ((ThreadlineEncoder) encoder).fingerprintOf(event.getThrowableProxy())
        : ThreadlineEncoder.fingerprint(event.getThrowableProxy());
  }

  // ---- the sender thread

  private void sendLoop() {
    Snappy snappy = new Snappy();
    PushRequestWriter writer = new PushRequestWriter();
    JsonPushWriter json = new JsonPushWriter();
    List<LokiRecord> batch = new ArrayList<>();
    long backoffNanos = 0;
    while (true) {
      if (batch.isEmpty()) {
        if (!gather(batch)) {
          return;
        }
        backoffNanos = 0;
      }
      if (stopping && System.nanoTime() > stopDeadline) {
        dropAtShutdown(batch);
        return;
      }
      Outcome outcome = push(batch, writer, snappy, json);
      if (outcome.done) {
        release(batch);
        batch.clear();
      } else {
        retries.incrementAndGet();
        backoffNanos = backoffNanos == 0 ? minBackoff.toNanos() : Math.min(backoffNanos * 2, maxBackoff.toNanos());
        long wait = Math.max(outcome.retryAfterNanos,
            backoffNanos / 2 + ThreadLocalRandom.current().nextLong(backoffNanos / 2 + 1));
        if (stopping) {
          wait = Math.min(wait, Math.max(0, stopDeadline - System.nanoTime()));
        }
        LockSupport.parkNanos(this, wait);
      }
    }
  }

  /**
   * Waits for work and fills {@code batch} by the batch limits. Parks without a timeout when there is nothing to
   * send. Returns false when the appender stopped and everything was sent.
   */
  private boolean gather(List<LokiRecord> batch) {
    long firstSeen = 0;
    int bytes = 0;
    while (true) {
      LokiRecord next;
      while (batch.size() < batchMaxItems && (next = queue.peek()) != null) {
        if (!batch.isEmpty() && bytes + next.lineLength > batchMaxBytes) {
          return true;
        }
        queue.poll();
        queuedCount.decrementAndGet();
        batch.add(next);
        bytes += next.lineLength;
        if (firstSeen == 0) {
          firstSeen = System.nanoTime();
        }
      }
      if (batch.size() >= batchMaxItems || bytes >= batchMaxBytes) {
        return true;
      }
      if (stopping) {
        return !batch.isEmpty();
      }
      // Publish the wake-up threshold first, then look again: an event queued in between either reads the
      // threshold (and unparks this thread) or is seen here.
      if (batch.isEmpty()) {
        wakeAtQueued = 1;
        if (queue.isEmpty() && !stopping) {
          LockSupport.park(this);
        }
      } else {
        long left = batchMaxWait.toNanos() - (System.nanoTime() - firstSeen);
        if (left <= 0) {
          return true;
        }
        int lacking = batchMaxItems - batch.size();
        wakeAtQueued = lacking;
        if (queuedCount.get() < lacking && !stopping) {
          LockSupport.parkNanos(this, left);
        }
      }
      wakeAtQueued = Integer.MAX_VALUE;
    }
  }

  private static final class Outcome {
    static final Outcome DONE = new Outcome(true, 0);
    final boolean done;
    final long retryAfterNanos;

    Outcome(boolean done, long retryAfterNanos) {
      this.done = done;
      this.retryAfterNanos = retryAfterNanos;
    }
  }

  private Outcome push(List<LokiRecord> batch, PushRequestWriter writer, Snappy snappy, JsonPushWriter json) {
    long started = System.nanoTime();
    try {
      HttpRequest.Builder request = HttpRequest.newBuilder(pushUri).timeout(requestTimeout);
      int compressedLength;
      if (format.equals("json")) {
        byte[] body = json.write(batch, gzip);
        compressedLength = body.length;
        request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (gzip) {
          request.header("Content-Encoding", "gzip");
        }
      } else {
        int length = writer.write(batch);
        byte[] compressed = snappy.compress(writer.buffer(), length);
        compressedLength = snappy.compressedLength();
        request.header("Content-Type", "application/x-protobuf")
            .POST(HttpRequest.BodyPublishers.ofByteArray(compressed, 0, compressedLength));
      }
      resolvedHeaders.forEach(request::header);
      HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      int status = response.statusCode();
      if (status / 100 == 2) {
        sent.addAndGet(batch.size());
        bytesSent.addAndGet(compressedLength);
        lastSendMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        return Outcome.DONE;
      }
      String body = response.body() == null ? "" : response.body().strip();
      if (status == 429 || status / 100 == 5) {
        reportError("Loki answered " + status + " (will retry): " + abbreviate(body));
        return new Outcome(false, retryAfter(response));
      }
      droppedRejected.addAndGet(batch.size());
      reportError("Loki refused a batch of " + batch.size() + " events with " + status + " (not retried): "
          + abbreviate(body));
      return Outcome.DONE;
    } catch (IOException e) {
      reportError("Could not reach Loki (will retry): " + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : ": " + abbreviate(e.getMessage())));
      return new Outcome(false, 0);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Outcome(false, 0);
    } catch (RuntimeException e) {
      reportError("Sending to Loki failed (will retry): " + e.getClass().getName());
      return new Outcome(false, 0);
    }
  }

  private static long retryAfter(HttpResponse<?> response) {
    return response.headers().firstValue("Retry-After").map(value -> {
      try {
        return TimeUnit.SECONDS.toNanos(Math.min(300, Long.parseLong(value.trim())));
      } catch (NumberFormatException e) {
        return 0L;
      }
    }).orElse(0L);
  }

  private static String abbreviate(String text) {
    return text.length() <= 300 ? text : text.substring(0, 300) + "…";
  }

  private void release(List<LokiRecord> batch) {
    long bytes = 0;
    for (LokiRecord r : batch) {
      bytes += r.budgetBytes;
    }
    queuedBytes.addAndGet(-bytes);
  }

  private void dropAtShutdown(List<LokiRecord> batch) {
    int count = batch.size();
    release(batch);
    batch.clear();
    LokiRecord r;
    while ((r = queue.poll()) != null) {
      queuedCount.decrementAndGet();
      queuedBytes.addAndGet(-r.budgetBytes);
      count++;
    }
    if (count > 0) {
      droppedAtShutdown.addAndGet(count);
      addWarn("LokiAppender '" + getName() + "' stopped with " + count + " events unsent after "
          + shutdownTimeout.toMillis() + " ms (Loki unreachable or too slow)");
    }
  }

  private void reportDrops() {
    long now = System.nanoTime();
    long last = lastDropReport.get();
    if (now - last >= STATUS_INTERVAL_NANOS && lastDropReport.compareAndSet(last, now)) {
      addWarn("LokiAppender '" + getName() + "' is dropping events: its queue holds " + queuedBytes.get()
          + " bytes of at most " + maxQueueBytes + " (" + droppedQueueFull.sum() + " dropped so far)");
    }
  }

  private void reportError(String message) {
    lastError = message;
    long now = System.nanoTime();
    long last = lastErrorReport.get();
    if (now - last >= STATUS_INTERVAL_NANOS && lastErrorReport.compareAndSet(last, now)) {
      addWarn("LokiAppender '" + getName() + "': " + message);
    }
  }

  /**
   * Stops taking events and sends what is queued, waiting at most {@link #setShutdownTimeout shutdownTimeout};
   * whatever is still unsent then is dropped and counted. Never waits longer, even with Loki down.
   */
  @Override
  public void stop() {
    if (!isStarted()) {
      return;
    }
    super.stop();
    stopDeadline = System.nanoTime() + shutdownTimeout.toNanos();
    stopping = true;
    LockSupport.unpark(sender);
    try {
      sender.join(shutdownTimeout.toMillis() + 1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (sender.isAlive()) {
      sender.interrupt();
    }
    unregisterJmx();
  }

  /** The counters since start. */
  public LokiStats stats() {
    return new LokiStats(appended.sum(), sent.get(), droppedQueueFull.sum(), droppedRejected.get(),
        droppedAtShutdown.get(), retries.get(), bytesSent.get(), queuedBytes.get(), lastError, lastSendMillis);
  }

  @Override
  public long getAppended() {
    return appended.sum();
  }

  @Override
  public long getSent() {
    return sent.get();
  }

  @Override
  public long getDropped() {
    return stats().dropped();
  }

  @Override
  public long getDroppedQueueFull() {
    return droppedQueueFull.sum();
  }

  @Override
  public long getDroppedRejected() {
    return droppedRejected.get();
  }

  @Override
  public long getDroppedAtShutdown() {
    return droppedAtShutdown.get();
  }

  @Override
  public long getRetries() {
    return retries.get();
  }

  @Override
  public long getBytesSent() {
    return bytesSent.get();
  }

  @Override
  public long getQueuedBytes() {
    return queuedBytes.get();
  }

  @Override
  public String getLastError() {
    return lastError;
  }

  @Override
  public long getLastSendMillis() {
    return lastSendMillis;
  }

  @Override
  public String toString() {
    return "LokiAppender[name=" + getName() + ", url=" + url + ", labels=" + labels + ", tenant=" + tenant
        + ", auth=" + (bearerToken != null ? "bearer" : username != null ? "basic" : "none") + "]";
  }

  // ---- settings

  /** Loki's base URL, e.g. {@code http://loki:3100}; the push path is added. Required. */
  public void setUrl(String url) {
    this.url = url;
  }

  /** The encoder that writes each line; default a {@link ThreadlineEncoder}. */
  public void setEncoder(Encoder<ILoggingEvent> encoder) {
    this.encoder = encoder;
  }

  /** Label names, comma-separated, from service, env, version, host, level. Default {@code service,env,level}. */
  public void setLabels(String labels) {
    this.labels = labels == null ? "" : labels;
  }

  /** A constant label, {@code name=value}. */
  public void addStaticLabel(String nameEqualsValue) {
    int equals = nameEqualsValue == null ? -1 : nameEqualsValue.indexOf('=');
    if (equals <= 0) {
      addError("staticLabel: '" + nameEqualsValue + "' is not name=value; ignored");
      return;
    }
    staticLabels.put(nameEqualsValue.substring(0, equals).trim(), nameEqualsValue.substring(equals + 1).trim());
  }

  /** An MDC key allowed as a label; only for low-cardinality keys (a region, a tenant tier). */
  public void addMdcLabel(String key) {
    if (key != null && !key.isBlank()) {
      mdcLabels.add(key.trim());
    }
  }

  /** The {@code service} label value; default as {@link Resource#service}. */
  public void setService(String service) {
    this.service = service;
  }

  /** The {@code env} label value; default as {@link Resource#env}. */
  public void setEnv(String env) {
    this.env = env;
  }

  /** The {@code version} label value. */
  public void setVersion(String version) {
    this.version = version;
  }

  /** The {@code host} label value. */
  public void setHost(String host) {
    this.host = host;
  }

  /** Whether requestId, trace_id, span_id and the error fingerprint go as structured metadata. Default true. */
  public void setStructuredMetadata(boolean structuredMetadata) {
    this.structuredMetadata = structuredMetadata;
  }

  /** The byte budget of queued events. Default 33554432 (32 MiB). */
  public void setMaxQueueBytes(long maxQueueBytes) {
    this.maxQueueBytes = maxQueueBytes;
  }

  /** {@code drop} (default): drop the newest when full; {@code block}: wait up to blockTimeout, then drop. */
  public void setOverflowPolicy(String overflowPolicy) {
    this.overflowPolicy = overflowPolicy == null ? "drop" : overflowPolicy.trim().toLowerCase(Locale.ROOT);
  }

  /** How long {@code block} waits for room. Default 100 ms. */
  public void setBlockTimeout(ch.qos.logback.core.util.Duration blockTimeout) {
    this.blockTimeout = toJava(blockTimeout, this.blockTimeout);
  }

  /** The most events per push. Default 1000. */
  public void setBatchMaxItems(int batchMaxItems) {
    this.batchMaxItems = batchMaxItems;
  }

  /** The most bytes of lines per push (at most 4 MiB, Loki's decoded limit). Default 1048576. */
  public void setBatchMaxBytes(int batchMaxBytes) {
    this.batchMaxBytes = batchMaxBytes;
  }

  /** How long a batch waits for more events after its first. Default 1 second. */
  public void setBatchMaxWait(ch.qos.logback.core.util.Duration batchMaxWait) {
    this.batchMaxWait = toJava(batchMaxWait, this.batchMaxWait);
  }

  /** TCP connect timeout. Default 5 seconds. */
  public void setConnectTimeout(ch.qos.logback.core.util.Duration connectTimeout) {
    this.connectTimeout = toJava(connectTimeout, this.connectTimeout);
  }

  /** Timeout of one push. Default 10 seconds. */
  public void setRequestTimeout(ch.qos.logback.core.util.Duration requestTimeout) {
    this.requestTimeout = toJava(requestTimeout, this.requestTimeout);
  }

  /** First retry delay; doubles up to maxBackoff, with jitter. Default 500 ms. */
  public void setMinBackoff(ch.qos.logback.core.util.Duration minBackoff) {
    this.minBackoff = toJava(minBackoff, this.minBackoff);
  }

  /** Longest retry delay. Default 30 seconds. */
  public void setMaxBackoff(ch.qos.logback.core.util.Duration maxBackoff) {
    this.maxBackoff = toJava(maxBackoff, this.maxBackoff);
  }

  /** How long {@link #stop()} tries to send what is queued. Default 10 seconds. */
  public void setShutdownTimeout(ch.qos.logback.core.util.Duration shutdownTimeout) {
    this.shutdownTimeout = toJava(shutdownTimeout, this.shutdownTimeout);
  }

  /**
   * Logback's duration ({@code 500 milliseconds}, {@code 2 seconds}, {@code 1 minute}; a bare number is
   * milliseconds), which logback.xml can write, as the JDK's; {@code null} or negative keeps {@code current}.
   */
  private Duration toJava(ch.qos.logback.core.util.Duration value, Duration current) {
    if (value == null || value.getMilliseconds() < 0) {
      addWarn(getClass().getSimpleName() + ": a duration must be zero or more; keeping " + current.toMillis() + " ms");
      return current;
    }
    return Duration.ofMillis(value.getMilliseconds());
  }

  /** The tenant, sent as {@code X-Scope-OrgID}. */
  public void setTenant(String tenant) {
    this.tenant = tenant;
  }

  /** Basic-auth user name. */
  public void setUsername(String username) {
    this.username = username;
  }

  /** Basic-auth password; use {@code ${LOKI_PASSWORD}} to read it from the environment. Never logged. */
  public void setPassword(String password) {
    this.password = password;
  }

  /** A bearer token; use {@code ${LOKI_TOKEN}}. Never logged. */
  public void setBearerToken(String bearerToken) {
    this.bearerToken = bearerToken;
  }

  /** An extra header, {@code Name: value}. */
  public void addHeader(String nameColonValue) {
    int colon = nameColonValue == null ? -1 : nameColonValue.indexOf(':');
    if (colon <= 0) {
      addError("header: '" + (nameColonValue == null ? null : "<" + nameColonValue.length() + " chars>")
          + "' is not Name: value; ignored");
      return;
    }
    headers.put(nameColonValue.substring(0, colon).trim(), nameColonValue.substring(colon + 1).trim());
  }

  /** {@code protobuf} (default: snappy-compressed {@code logproto.PushRequest}) or {@code json}. */
  public void setFormat(String format) {
    this.format = format == null ? "protobuf" : format.trim().toLowerCase(Locale.ROOT);
  }

  /** Whether JSON pushes are gzip-compressed ({@code Content-Encoding: gzip}). Default true. */
  public void setGzip(boolean gzip) {
    this.gzip = gzip;
  }

  /** A trust store for Loki's certificate (else the JVM's defaults). */
  public void setTrustStore(String trustStore) {
    this.trustStore = trustStore;
  }

  /** The trust store's password; use {@code ${ENV_VAR}}. Never logged. */
  public void setTrustStorePassword(String trustStorePassword) {
    this.trustStorePassword = trustStorePassword;
  }

  /** The trust store's type. Default PKCS12. */
  public void setTrustStoreType(String trustStoreType) {
    this.trustStoreType = trustStoreType;
  }

  /** A key store with a client certificate, for mutual TLS. */
  public void setKeyStore(String keyStore) {
    this.keyStore = keyStore;
  }

  /** The key store's password; use {@code ${ENV_VAR}}. Never logged. */
  public void setKeyStorePassword(String keyStorePassword) {
    this.keyStorePassword = keyStorePassword;
  }

  /** The key store's type. Default PKCS12. */
  public void setKeyStoreType(String keyStoreType) {
    this.keyStoreType = keyStoreType;
  }

  /** Whether the counters are registered on JMX. Default true. */
  public void setJmx(boolean jmx) {
    this.jmx = jmx;
  }
}
