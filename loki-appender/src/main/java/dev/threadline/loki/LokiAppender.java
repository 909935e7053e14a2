package dev.threadline.loki;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.encoder.Encoder;
import dev.threadline.logback.ActiveSpanFilter;
import dev.threadline.logback.ThreadlineEncoder;
import dev.threadline.logback.internal.StderrStatusListener;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

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
 * <p>This class is the Logback shell: settings, validation at {@link #start()}, and the application thread's part.
 * {@link #append} encodes the event (the encoder's bytes are what is sent), picks its stream ({@link LabelPolicy}),
 * and queues it in the {@link RecordBuffer} under a byte budget ({@link #setMaxQueueBytes}, 32 MiB): no I/O, no
 * lock, no throw. The {@link Sender} batches and retries; the {@link LokiClient} encodes, pushes and reads Loki's
 * answer; {@link Counters} account for every event ({@link #stats()}).
 *
 * <p>Trouble (Loki unreachable or refusing, events dropped) is reported through Logback status, rate-limited, and
 * printed on standard error (never standard output) by the status listener the appender installs. A JVM shutdown hook stops
 * the appender, so the last lines are sent before a normal exit ({@link #setShutdownHook}). A blank {@code url}
 * switches the appender off: it starts, says so once, and ships nothing.
 *
 * @since 0.1.0
 */
public class LokiAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {

  /** Loki's default gRPC message limit ({@code grpc_server_max_recv_msg_size}): 4 MiB. */
  static final int DEFAULT_MAX_REQUEST_BYTES = 4 * 1024 * 1024;
  private static final int MAX_RESTARTS = 5;

  // ---- settings
  private String url;
  private Encoder<ILoggingEvent> encoder;
  private String labels = "service,env,level";
  private final Map<String, String> staticLabels = new LinkedHashMap<>();
  private final List<String> mdcLabels = new ArrayList<>();
  private int maxValuesPerMdcLabel = 100;
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
  private int maxRequestBytes = DEFAULT_MAX_REQUEST_BYTES;
  private Duration batchMaxWait = Duration.ofSeconds(1);
  private Duration connectTimeout = Duration.ofSeconds(5);
  private Duration requestTimeout = Duration.ofSeconds(10);
  private Duration minBackoff = Duration.ofMillis(500);
  private Duration maxBackoff = Duration.ofSeconds(5);
  private int maxRetries = 10;
  private Duration maxRetryTime = Duration.ofMinutes(2);
  private Duration shutdownTimeout = Duration.ofSeconds(10);
  private boolean shutdownHook = true;
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
  private String spillDirectory;
  private long spillMaxBytes = 1024L * 1024 * 1024;
  private String spillFsync = "interval";
  private Duration spillFsyncInterval = Duration.ofSeconds(1);
  private Duration spillMaxAge = Duration.ofHours(167);

  // ---- state, fixed at start
  private final Counters counters = new Counters();
  private final AtomicInteger inAppend = new AtomicInteger();
  private Trouble trouble;
  private boolean off;
  private LabelPolicy labelPolicy;
  private RecordMaker records;
  private LineSlabs slabs;
  private RecordBuffer buffer;
  private LokiClient client;
  private Sender sender;
  private Spill spill;
  private volatile Thread senderThread;
  private final AtomicInteger restarts = new AtomicInteger();
  private volatile long restartWindow;
  private volatile boolean stopping;
  private Thread hook;
  private LokiJmx jmxBean;

  @Override
  public void start() {
    if (isStarted()) {
      return;
    }
    StderrStatusListener.installOn(getContext());
    // The line carries the tracer's current span, read where it is logged (a no-op without a tracer bridge).
    ActiveSpanFilter.installOn(getContext());
    trouble = new Trouble(this, getName());
    if (url == null || url.isBlank()) {
      // ${LOKI_URL:-} left empty: Loki is off for this run, which is a choice, not a mistake.
      off = true;
      addInfo("LokiAppender '" + getName() + "': no url, so Loki is off: nothing is shipped");
      super.start();
      return;
    }
    off = false;
    List<String> problems = new ArrayList<>();
    URI pushUri = LokiUrl.pushUri(url, problems);
    checkPositive(problems, "maxQueueBytes", maxQueueBytes);
    checkPositive(problems, "batchMaxItems", batchMaxItems);
    checkPositive(problems, "batchMaxBytes", batchMaxBytes);
    if (maxRequestBytes < 64 * 1024) {
      problems.add("maxRequestBytes must be at least 65536, not " + maxRequestBytes);
    }
    if (maxRetries < 0) {
      problems.add("maxRetries must be zero or more, not " + maxRetries);
    }
    if (!overflowPolicy.equals("drop") && !overflowPolicy.equals("block")) {
      problems.add("overflowPolicy must be drop or block, not '" + overflowPolicy + "'");
    }
    if (!format.equals("protobuf") && !format.equals("json")) {
      problems.add("format must be protobuf or json, not '" + format + "'");
    }
    SpillStore.Fsync fsync = spillSettings(problems);
    javax.net.ssl.SSLContext ssl = TlsStores.sslContext(trustStore, trustStoreType, trustStorePassword, keyStore,
        keyStoreType, keyStorePassword, problems);
    LabelPolicy policy = LabelPolicy.of(getContext(), labels, staticLabels, mdcLabels, service, env, version, host,
        maxValuesPerMdcLabel, problems);
    for (String problem : problems) {
      addError("LokiAppender '" + getName() + "' not started: " + problem);
    }
    if (!problems.isEmpty()) {
      return;
    }
    labelPolicy = policy;
    if (policy.serviceUnknown) {
      addWarn("LokiAppender '" + getName() + "': no service name (set <service>, or the context property"
          + " threadline.service); its lines go to the stream service=\"unknown\"");
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
    slabs = LineSlabs.forBudget(maxQueueBytes);
    records = new RecordMaker(encoder, slabs, policy, structuredMetadata, trouble, maxValuesPerMdcLabel);
    buffer = new RecordBuffer(maxQueueBytes, overflowPolicy.equals("block"), blockTimeout.toNanos());
    client = newClient(pushUri, format.equals("json"), gzip, authHeaders(), connectTimeout, ssl);
    spill = openSpill(fsync);
    sender = new Sender(buffer, slabs, client, counters, trouble, new Sender.Settings(batchMaxItems, batchMaxBytes,
        batchMaxWait.toNanos(), maxRequestBytes, requestTimeout, minBackoff.toNanos(),
        Math.max(minBackoff.toNanos(), maxBackoff.toNanos()), maxRetries, maxRetryTime.toNanos(),
        spillMaxAge.toNanos()), spill);
    registerJmx();
    stopping = false;
    startSender();
    if (shutdownHook) {
      addShutdownHook();
    }
    super.start();
  }

  /** Checks the spill settings; the fsync policy, or {@code null} when there is no spill. */
  private SpillStore.Fsync spillSettings(List<String> problems) {
    if (spillDirectory == null || spillDirectory.isBlank()) {
      return null;
    }
    if (spillMaxBytes < SpillStore.MIN_BYTES) {
      problems.add("spillMaxBytes must be at least " + SpillStore.MIN_BYTES + " (2 MB), not " + spillMaxBytes);
    }
    if (spillMaxAge.isZero()) {
      problems.add("spillMaxAge must be positive");
    }
    try {
      return SpillStore.Fsync.valueOf(spillFsync.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      problems.add("spillFsync must be batch, interval or never, not '" + spillFsync + "'");
      return null;
    }
  }

  /**
   * Opens the spill directory, reporting what a previous run left in it; when it cannot be used (locked by another
   * appender, not writable, not creatable) the appender runs memory-only, with one error that says why.
   */
  private Spill openSpill(SpillStore.Fsync fsync) {
    counters.spillStatus = "off";
    if (fsync == null) {
      return null;
    }
    java.nio.file.Path directory;
    SpillStore store;
    try {
      directory = java.nio.file.Paths.get(spillDirectory.trim()).toAbsolutePath();
      store = SpillStore.open(directory, spillMaxBytes, fsync, spillFsyncInterval.toMillis());
    } catch (IOException | RuntimeException e) {
      counters.spillStatus = "memory-only";
      counters.spillError = String.valueOf(e.getMessage());
      addError("LokiAppender '" + getName() + "': the spill directory cannot be used (" + e.getMessage()
          + "); running memory-only, so an outage longer than maxQueueBytes (" + maxQueueBytes + " bytes) allows"
          + " loses events, and a restart during one loses what waits");
      return null;
    }
    counters.spillStatus = "on";
    SpillStore.Recovery found = store.recovery();
    counters.spillTornBytes = found.tornBytes();
    if (found.tornBytes() > 0) {
      addWarn("LokiAppender '" + getName() + "': cut " + found.tornBytes() + " bytes from the end of "
          + found.cutSegments() + " spill segment(s) in " + directory + ": a record half-written when the previous"
          + " run ended (a crash or a power cut); its events are lost");
    }
    if (found.entries() > 0) {
      addWarn("LokiAppender '" + getName() + "': " + found.entries() + " events (" + found.records() + " pushes, "
          + found.bytes() + " bytes) a previous run left in " + directory + " are sent oldest first");
    }
    return new Spill(store, counters, trouble);
  }

  /** The client the sender pushes with; tests put a fault in it. */
  LokiClient newClient(URI pushUri, boolean json, boolean gzip, Map<String, String> headers, Duration connectTimeout,
      javax.net.ssl.SSLContext ssl) {
    return new LokiClient(pushUri, json, gzip, headers, connectTimeout, ssl);
  }

  private Map<String, String> authHeaders() {
    Map<String, String> resolved = new LinkedHashMap<>(headers);
    if (tenant != null && !tenant.isBlank()) {
      resolved.put("X-Scope-OrgID", tenant.trim());
    }
    if (bearerToken != null && !bearerToken.isBlank()) {
      resolved.put("Authorization", "Bearer " + bearerToken.trim());
    } else if (username != null && password != null) {
      resolved.put("Authorization", "Basic " + Base64.getEncoder()
          .encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }
    return resolved;
  }

  private void startSender() {
    Thread thread = new Thread(sender, "threadline-loki-sender-" + getName());
    thread.setDaemon(true);
    thread.setUncaughtExceptionHandler((t, e) -> senderDied(e));
    buffer.consumer(thread);
    senderThread = thread;
    thread.start();
  }

  /** The sender thread ended by an exception its own handling could not catch: restart it, within limits. */
  private void senderDied(Throwable e) {
    if (stopping) {
      return;
    }
    long now = System.nanoTime();
    if (now - restartWindow > TimeUnit.MINUTES.toNanos(1)) {
      restartWindow = now;
      restarts.set(0);
    }
    if (restarts.incrementAndGet() > MAX_RESTARTS) {
      counters.lastError = "sender failed (" + e.getClass().getSimpleName() + ")";
      trouble.now("the sender thread died (" + e + ") " + MAX_RESTARTS + " times within a minute; nothing more is"
          + " shipped, and events are counted as dropped (failed)");
      return;
    }
    counters.senderRestarts.incrementAndGet();
    trouble.now("the sender thread died (" + e + "); it is restarted");
    try {
      startSender();
    } catch (Throwable again) {
      trouble.now("the sender thread could not be restarted (" + again + ")");
    }
  }

  private boolean senderRunning() {
    Thread thread = senderThread;
    return isStarted() && !off && thread != null && thread.isAlive();
  }

  private void addShutdownHook() {
    Thread thread = new Thread(this::stop, "threadline-loki-shutdown-" + getName());
    try {
      Runtime.getRuntime().addShutdownHook(thread);
      hook = thread;
    } catch (IllegalStateException | SecurityException e) {
      // the JVM is already shutting down, or hooks are not allowed: stop() by the application still flushes
    }
  }

  private void removeShutdownHook() {
    Thread thread = hook;
    hook = null;
    if (thread != null && thread != Thread.currentThread()) {
      try {
        Runtime.getRuntime().removeShutdownHook(thread);
      } catch (IllegalStateException | SecurityException e) {
        // the JVM is shutting down: the hook runs, finds the appender stopped, and returns
      }
    }
  }

  private void registerJmx() {
    if (!jmx) {
      return;
    }
    try {
      jmxBean = LokiJmx.register(String.valueOf(getName()), this::stats);
    } catch (javax.management.JMException | RuntimeException e) {
      addWarn("LokiAppender '" + getName() + "': its counters are not on JMX (" + e.getClass().getSimpleName()
          + "); stats() still has them");
    }
  }

  private void unregisterJmx() {
    if (jmxBean != null) {
      jmxBean.unregister();
      jmxBean = null;
    }
  }

  private static void checkPositive(List<String> problems, String setting, long value) {
    if (value <= 0) {
      problems.add(setting + " must be positive, not " + value);
    }
  }

  // ---- the application thread

  @Override
  protected void append(ILoggingEvent event) {
    if (off) {
      return;
    }
    inAppend.incrementAndGet();
    try {
      // stop() may have begun after doAppend looked: then this event is refused as doAppend would have.
      if (!isStarted()) {
        return;
      }
      counters.appended.increment();
      try {
        if (buffer.full()) {
          // Full: dropping now spares the application the encoding of an event that could not be queued anyway.
          dropFull();
          return;
        }
        LokiRecord record = records.make(event);
        if (record.requestBytes > maxRequestBytes) {
          slabs.giveBack(record);
          counters.droppedTooLarge.increment();
          trouble.warn("too-large", "an event of " + record.requestBytes + " bytes can never fit a push under"
              + " maxRequestBytes (" + maxRequestBytes + ") and was dropped");
          return;
        }
        counters.pending.increment();
        if (!buffer.offer(record)) {
          slabs.giveBack(record);
          counters.pending.decrement();
          dropFull();
        }
      } catch (RuntimeException e) {
        counters.droppedFailed.increment();
        trouble.warn("append", "an event could not be prepared for Loki and was dropped ("
            + e.getClass().getName() + ")");
      }
    } finally {
      inAppend.decrementAndGet();
    }
  }

  private void dropFull() {
    counters.droppedQueueFull.increment();
    trouble.warn("queue-full", "dropping events: the queue holds " + buffer.bytes() + " bytes of at most "
        + maxQueueBytes + " (" + counters.droppedQueueFull.sum() + " dropped so far; Loki unreachable or slow)");
  }

  /**
   * Stops taking events and sends what is queued, for at most {@link #setShutdownTimeout shutdownTimeout}; no push
   * outlives it, and a refused connection ends it at once. When this returns the counters are final: whatever was
   * not sent is counted at shutdown, a push without an answer as unconfirmed.
   */
  @Override
  public void stop() {
    if (!isStarted()) {
      return;
    }
    super.stop();
    removeShutdownHook();
    if (off) {
      return;
    }
    stopping = true;
    buffer.closing();
    // Let appends that began before super.stop() finish queueing: none does I/O, a blocked one gives up at once.
    long settled = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
    while (inAppend.get() > 0 && System.nanoTime() < settled) {
      Thread.yield();
    }
    long deadline = System.nanoTime() + shutdownTimeout.toNanos();
    sender.stopping(deadline);
    Thread thread = senderThread;
    LockSupport.unpark(thread);
    boolean interrupted = false;
    long waitUntil = deadline + TimeUnit.MILLISECONDS.toNanos(250);
    long left;
    while (thread.isAlive() && (left = waitUntil - System.nanoTime()) > 0) {
      try {
        thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    // Counts whatever the sender did not: all of it if the sender is stuck or dead, nothing if it finished.
    sender.abandon();
    if (thread.isAlive()) {
      thread.interrupt();
    }
    client.close();
    if (spill != null) {
      spill.close();
    }
    unregisterJmx();
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** The counters since start. */
  public LokiStats stats() {
    return counters.snapshot(buffer == null ? 0 : buffer.bytes(), labelPolicy == null ? 0 : labelPolicy.overflowed(),
        senderRunning());
  }

  /** Whether a blank url switched the appender off. */
  public boolean isOff() {
    return off;
  }

  @Override
  public String toString() {
    return "LokiAppender[name=" + getName() + ", url=" + LokiUrl.redact(url) + ", labels=" + labels + ", tenant=" + tenant
        + ", auth=" + (bearerToken != null ? "bearer" : username != null ? "basic" : "none") + "]";
  }

  // ---- settings

  /**
   * Loki's base URL, e.g. {@code http://loki:3100}; the push path is added. Blank (as {@code ${LOKI_URL:-}} is when
   * the variable is unset) switches the appender off.
   */
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

  /**
   * An MDC key allowed as a label; only for low-cardinality keys (a region, a tenant tier). At most
   * {@link #setMaxValuesPerMdcLabel maxValuesPerMdcLabel} distinct values become label values.
   */
  public void addMdcLabel(String key) {
    if (key != null && !key.isBlank()) {
      mdcLabels.add(key.trim());
    }
  }

  /**
   * How many distinct values of each MDC label become label values (streams); later values go as structured
   * metadata of the same name instead, counted in {@link LokiStats#mdcLabelOverflow()}. Default 100.
   */
  public void setMaxValuesPerMdcLabel(int maxValuesPerMdcLabel) {
    this.maxValuesPerMdcLabel = maxValuesPerMdcLabel;
  }

  /**
   * The {@code service} label value. Default, as the encoder's {@code service}: the Logback context property {@code
   * threadline.service}, then {@code THREADLINE_SERVICE}, then {@code OTEL_SERVICE_NAME}.
   */
  public void setService(String service) {
    this.service = service;
  }

  /**
   * The {@code env} label value. Default, as the encoder's {@code env}: the Logback context property {@code
   * threadline.env}, then {@code THREADLINE_ENV}.
   */
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

  /** The most bytes of lines per push. Default 1048576. */
  public void setBatchMaxBytes(int batchMaxBytes) {
    this.batchMaxBytes = batchMaxBytes;
  }

  /**
   * The most bytes of one push as Loki decodes it (before compression): labels, timestamps, lines and metadata.
   * Default 4194304, Loki's gRPC message limit, over which it answers 500. A push Loki still finds too large (413,
   * or that 500) is split; a single event that cannot fit is dropped and counted.
   */
  public void setMaxRequestBytes(int maxRequestBytes) {
    this.maxRequestBytes = maxRequestBytes;
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

  /** Longest retry delay (one second at most while the queue is more than half full). Default 5 seconds. */
  public void setMaxBackoff(ch.qos.logback.core.util.Duration maxBackoff) {
    this.maxBackoff = toJava(maxBackoff, this.maxBackoff);
  }

  /**
   * How many times a push that reached Loki and failed (5xx, a timeout, a broken connection) is retried before its
   * events are dropped (counted as retries exhausted, or unconfirmed after a timeout) and the next batch goes.
   * Connection failures before Loki is reached and 429s are not counted. Default 10.
   */
  public void setMaxRetries(int maxRetries) {
    this.maxRetries = maxRetries;
  }

  /** How long one failing push is retried at most, whatever {@link #setMaxRetries maxRetries}. Default 2 minutes. */
  public void setMaxRetryTime(ch.qos.logback.core.util.Duration maxRetryTime) {
    this.maxRetryTime = toJava(maxRetryTime, this.maxRetryTime);
  }

  /**
   * Whether the appender stops itself (sending what is queued) when the JVM exits normally, so the last lines of a
   * program that just returns from {@code main} arrive. Default true; the Spring Boot starter turns it off, as Boot
   * stops logging itself after the application. Turning it off on a started appender removes its hook.
   */
  public void setShutdownHook(boolean shutdownHook) {
    this.shutdownHook = shutdownHook;
    if (!shutdownHook) {
      removeShutdownHook();
    }
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

  /**
   * A directory for the spill: when Loki is unreachable or slow, batches that wait go to disk there (encoded and
   * compressed, as they would be sent) instead of being dropped once {@code maxQueueBytes} is full, and are sent
   * oldest first when Loki is back, after a restart too. What cannot be sent at shutdown is written there as well.
   * Unset (default): memory only. One appender per directory; a second gets an error and runs memory-only.
   */
  public void setSpillDirectory(String spillDirectory) {
    this.spillDirectory = spillDirectory;
  }

  /**
   * The most the spill directory holds ({@code 512 MB}, {@code 2 GB}, or bytes); beyond it, events wait in memory
   * and are dropped once that is full too. Default 1 GB; at least 2 MB.
   */
  public void setSpillMaxBytes(ch.qos.logback.core.util.FileSize spillMaxBytes) {
    if (spillMaxBytes != null) {
      this.spillMaxBytes = spillMaxBytes.getSize();
    }
  }

  /**
   * When spilled batches are forced to the disk: {@code interval} (default; at most once per
   * {@link #setSpillFsyncInterval spillFsyncInterval}, so a power cut loses at most that much), {@code batch} (each
   * one: nothing written is lost to a power cut, at about a third of the write speed) or {@code never} (left to the
   * operating system: a crash of the process loses nothing, a power cut may).
   */
  public void setSpillFsync(String spillFsync) {
    this.spillFsync = spillFsync == null ? "interval" : spillFsync.trim();
  }

  /** How often the {@code interval} fsync policy forces the spill to disk. Default 1 second. */
  public void setSpillFsyncInterval(ch.qos.logback.core.util.Duration spillFsyncInterval) {
    this.spillFsyncInterval = toJava(spillFsyncInterval, this.spillFsyncInterval);
  }

  /**
   * Spilled events older than this are dropped (counted in {@link LokiStats#droppedTooOld()}, with one message)
   * rather than sent for Loki to refuse. Default 167 hours, inside Loki's {@code reject_old_samples_max_age} of 168;
   * set it below yours if your Loki's is shorter.
   */
  public void setSpillMaxAge(ch.qos.logback.core.util.Duration spillMaxAge) {
    this.spillMaxAge = toJava(spillMaxAge, this.spillMaxAge);
  }

  /** Whether the counters are registered on JMX. Default true. */
  public void setJmx(boolean jmx) {
    this.jmx = jmx;
  }
}
