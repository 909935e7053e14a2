package dev.threadline.spring.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Threadline's settings under {@code threadline.*}. Every piece works with no setting at all.
 *
 * @since 0.1.0
 */
@ConfigurationProperties(prefix = "threadline")
public class ThreadlineProperties {

  private final Filter filter = new Filter();
  private final Client client = new Client();
  private final Async async = new Async();
  private final Console console = new Console();
  private final Kafka kafka = new Kafka();
  private final Jms jms = new Jms();
  private final Rabbit rabbit = new Rabbit();
  private final Loki loki = new Loki();
  private final Brave brave = new Brave();
  private final Encoder encoder = new Encoder();
  private final Propagation propagation = new Propagation();
  private final Grpc grpc = new Grpc();

  public Filter getFilter() {
    return filter;
  }

  public Client getClient() {
    return client;
  }

  public Async getAsync() {
    return async;
  }

  public Console getConsole() {
    return console;
  }

  public Kafka getKafka() {
    return kafka;
  }

  public Jms getJms() {
    return jms;
  }

  public Rabbit getRabbit() {
    return rabbit;
  }

  public Loki getLoki() {
    return loki;
  }

  public Propagation getPropagation() {
    return propagation;
  }

  public Encoder getEncoder() {
    return encoder;
  }

  public Brave getBrave() {
    return brave;
  }

  public Grpc getGrpc() {
    return grpc;
  }

  /**
   * The servlet filter: a server span per request, the request id echoed, one access line.
   *
   * @since 0.1.0
   */
  public static class Filter {
    /** Whether to register the servlet filter. */
    private boolean enabled = true;
    /**
     * A request-id header for the servlet filter only, over threadline.propagation (which every inbound and outbound
     * path shares; set the header there). Unset: the shared one.
     */
    private String requestIdHeader;
    /** Whether the response carries the request id. */
    private boolean echoRequestId = true;
    /** Whether the response carries W3C traceresponse. */
    private boolean traceResponse;
    /** Whether to write one access line per request (logger dev.threadline.access). */
    private boolean accessLog = true;
    /** Paths below the context path that get no access line: exact, or a prefix ending in /**. */
    private List<String> skip = new ArrayList<>(List.of("/actuator/health", "/actuator/health/**", "/health",
        "/healthz", "/livez", "/readyz"));
    /** Whether the access line carries the query string. Off: queries hold secrets. */
    private boolean logQuery;
    /** Whether client_ip is taken from X-Forwarded-For. Only behind a proxy that sets it. */
    private boolean trustForwardedFor;
    /**
     * The peers trusted to set ids, as IP addresses and CIDR ranges (a proxy in front of the service); any other
     * caller's request starts a new trace and its ids are only logged. Empty: every caller (see
     * threadline.propagation.trust-incoming).
     */
    private List<String> trustedCallers = new ArrayList<>();

    public List<String> getTrustedCallers() {
      return trustedCallers;
    }

    public void setTrustedCallers(List<String> trustedCallers) {
      this.trustedCallers = trustedCallers;
    }
    /** The level of access lines with a 4xx status. */
    private String clientErrorLevel = "WARN";
    /** The level of access lines with a 5xx status. */
    private String serverErrorLevel = "ERROR";

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public String getRequestIdHeader() {
      return requestIdHeader;
    }

    public void setRequestIdHeader(String requestIdHeader) {
      this.requestIdHeader = requestIdHeader;
    }

    public boolean isEchoRequestId() {
      return echoRequestId;
    }

    public void setEchoRequestId(boolean echoRequestId) {
      this.echoRequestId = echoRequestId;
    }

    public boolean isTraceResponse() {
      return traceResponse;
    }

    public void setTraceResponse(boolean traceResponse) {
      this.traceResponse = traceResponse;
    }

    public boolean isAccessLog() {
      return accessLog;
    }

    public void setAccessLog(boolean accessLog) {
      this.accessLog = accessLog;
    }

    public List<String> getSkip() {
      return skip;
    }

    public void setSkip(List<String> skip) {
      this.skip = skip;
    }

    public boolean isLogQuery() {
      return logQuery;
    }

    public void setLogQuery(boolean logQuery) {
      this.logQuery = logQuery;
    }

    public boolean isTrustForwardedFor() {
      return trustForwardedFor;
    }

    public void setTrustForwardedFor(boolean trustForwardedFor) {
      this.trustForwardedFor = trustForwardedFor;
    }

    public String getClientErrorLevel() {
      return clientErrorLevel;
    }

    public void setClientErrorLevel(String clientErrorLevel) {
      this.clientErrorLevel = clientErrorLevel;
    }

    public String getServerErrorLevel() {
      return serverErrorLevel;
    }

    public void setServerErrorLevel(String serverErrorLevel) {
      this.serverErrorLevel = serverErrorLevel;
    }
  }

  /**
   * Propagation and call lines on the RestClient.Builder, RestTemplateBuilder and WebClient.Builder beans.
   *
   * @since 0.1.0
   */
  public static class Client {
    /** Whether to add propagation to Spring's HTTP clients. */
    private boolean enabled = true;
    /** Whether each outbound call writes a call line (logger dev.threadline.client). */
    private boolean logCalls = true;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public boolean isLogCalls() {
      return logCalls;
    }

    public void setLogCalls(boolean logCalls) {
      this.logCalls = logCalls;
    }
  }

  /**
   * The gRPC interceptors (grpc-java): their access and call lines follow {@code threadline.filter.*} and
   * {@code threadline.client.log-calls}.
   *
   * @since 0.1.0
   */
  public static class Grpc {
    /** Whether to provide the gRPC server and client interceptors (and register them with Spring gRPC). */
    private boolean enabled = true;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }
  }

  /**
   * The TaskDecorator that carries the correlation into @Async and Spring-managed executors.
   *
   * @since 0.1.0
   */
  public static class Async {
    /** Whether to provide the TaskDecorator bean. */
    private boolean enabled = true;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }
  }

  /**
   * Micrometer Tracing on Brave: every Brave scope publishes its span's ids in Threadline's MDC keys, and Threadline's
   * filter, clients and messaging use Brave's span instead of starting their own.
   *
   * @since 0.1.0
   */
  public static class Brave {
    /** Whether to follow Brave's current span when Brave's CurrentTraceContext is a bean. */
    private boolean enabled = true;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }
  }

  /**
   * spring-kafka: producer interceptor on the auto-configured producer factory, listener records in their span.
   *
   * @since 0.1.0
   */
  public static class Kafka {
    /** Whether to wire propagation into spring-kafka. */
    private boolean enabled = true;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }
  }

  /**
   * spring-jms: JmsTemplate converters write the correlation, listener containers run messages in their span.
   *
   * @since 0.1.0
   */
  public static class Jms {
    /** Whether to wire propagation into spring-jms. */
    private boolean enabled = true;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }
  }

  /**
   * Spring AMQP (RabbitMQ): RabbitTemplate beans write the correlation into the messages they publish, listener
   * container factories run each message in its span.
   *
   * @since 0.1.0
   */
  public static class Rabbit {
    /** Whether to wire propagation into Spring AMQP (spring-rabbit). */
    private boolean enabled = true;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }
  }

  /** Console output. */
  /**
   * The one propagation configuration, shared by every inbound and outbound path: the servlet filter, RestClient,
   * RestTemplate and WebClient calls, Kafka and JMS (CorrelationPropagator.shared()).
   *
   * @since 0.1.0
   */
  public static class Propagation {
    /** The header the request id is read from and written to. */
    private String requestIdHeader = "X-Request-Id";
    /** Headers also read for the request id when the main one is absent, in order. */
    private List<String> requestIdAliases = new ArrayList<>(List.of("X-Correlation-Id"));
    /** Whether B3 headers are read when there is no valid traceparent (Threadline always writes W3C). */
    private boolean readB3 = true;
    /** Baggage fields that travel in the W3C baggage header (a tenant, a user id); others are ignored. */
    private List<String> baggageFields = new ArrayList<>();
    /**
     * Whether callers may set the ids a request or message continues. False for an edge service: every request
     * starts a new trace with a fresh request id, and the caller's ids are only logged (caller_request_id,
     * caller_trace_id).
     */
    private boolean trustIncoming = true;
    /**
     * The hosts outbound HTTP calls carry the correlation headers to (traceparent, tracestate, the request id,
     * baggage): names, IP addresses or *.domain. Empty: every host. An edge service lists its own services, so third
     * parties never receive its ids.
     */
    private List<String> propagateTo = new ArrayList<>();

    public List<String> getPropagateTo() {
      return propagateTo;
    }

    public void setPropagateTo(List<String> propagateTo) {
      this.propagateTo = propagateTo;
    }

    public boolean isTrustIncoming() {
      return trustIncoming;
    }

    public void setTrustIncoming(boolean trustIncoming) {
      this.trustIncoming = trustIncoming;
    }

    public String getRequestIdHeader() {
      return requestIdHeader;
    }

    public void setRequestIdHeader(String requestIdHeader) {
      this.requestIdHeader = requestIdHeader;
    }

    public List<String> getRequestIdAliases() {
      return requestIdAliases;
    }

    public void setRequestIdAliases(List<String> requestIdAliases) {
      this.requestIdAliases = requestIdAliases;
    }

    public boolean isReadB3() {
      return readB3;
    }

    public void setReadB3(boolean readB3) {
      this.readB3 = readB3;
    }

    public List<String> getBaggageFields() {
      return baggageFields;
    }

    public void setBaggageFields(List<String> baggageFields) {
      this.baggageFields = baggageFields;
    }
  }

  /**
   * The one encoder configuration: applied to every encoder the starter makes, the console's and the Loki appender's,
   * so a redaction rule or a field setting given once reaches every line wherever it goes.
   *
   * @since 0.1.0
   */
  public static class Encoder {
    /** Whether secrets are redacted at all. */
    private boolean redact = true;
    /** Whether the built-in detectors and default sensitive names apply (false: only what is listed here). */
    private boolean redactDefaults = true;
    /** Field names whose values are always secrets, added to the defaults (matched ignoring case and -, _, .). */
    private List<String> sensitiveNames = new ArrayList<>();
    /** Regular expressions whose matches in messages and values are redacted. */
    private List<String> redactPatterns = new ArrayList<>();
    /**
     * Classes implementing dev.threadline.logback.RedactionRule (public, with a public no-argument constructor),
     * applied after the built-in detectors. A class that cannot be made is reported as an error; the rest apply.
     */
    private List<String> redactionRules = new ArrayList<>();
    /** Plain markers never written as tags; unset keeps the default (COMMONS-LOGGING), empty writes them all. */
    private String ignoreMarkers;
    /** MDC keys never written. */
    private List<String> excludeMdcKeys = new ArrayList<>();
    /** The longest string value written, in characters; unset keeps the encoder's default. */
    private Integer maxFieldLength;
    /** The longest line written, in bytes; unset keeps the encoder's default. */
    private Integer maxLineBytes;

    public boolean isRedact() {
      return redact;
    }

    public void setRedact(boolean redact) {
      this.redact = redact;
    }

    public boolean isRedactDefaults() {
      return redactDefaults;
    }

    public void setRedactDefaults(boolean redactDefaults) {
      this.redactDefaults = redactDefaults;
    }

    public List<String> getSensitiveNames() {
      return sensitiveNames;
    }

    public void setSensitiveNames(List<String> sensitiveNames) {
      this.sensitiveNames = sensitiveNames;
    }

    public List<String> getRedactPatterns() {
      return redactPatterns;
    }

    public void setRedactPatterns(List<String> redactPatterns) {
      this.redactPatterns = redactPatterns;
    }

    public List<String> getRedactionRules() {
      return redactionRules;
    }

    public void setRedactionRules(List<String> redactionRules) {
      this.redactionRules = redactionRules;
    }

    public String getIgnoreMarkers() {
      return ignoreMarkers;
    }

    public void setIgnoreMarkers(String ignoreMarkers) {
      this.ignoreMarkers = ignoreMarkers;
    }

    public List<String> getExcludeMdcKeys() {
      return excludeMdcKeys;
    }

    public void setExcludeMdcKeys(List<String> excludeMdcKeys) {
      this.excludeMdcKeys = excludeMdcKeys;
    }

    public Integer getMaxFieldLength() {
      return maxFieldLength;
    }

    public void setMaxFieldLength(Integer maxFieldLength) {
      this.maxFieldLength = maxFieldLength;
    }

    public Integer getMaxLineBytes() {
      return maxLineBytes;
    }

    public void setMaxLineBytes(Integer maxLineBytes) {
      this.maxLineBytes = maxLineBytes;
    }
  }

  /**
   * The console in Threadline's JSON schema, through Spring Boot's structured logging.
   *
   * @since 0.1.0
   */
  public static class Console {
    /**
     * Whether the console writes one JSON line per event in Threadline's schema (through Spring Boot's structured
     * logging, logging.structured.format.console). On by default; a value the application sets itself wins.
     */
    private boolean json = true;

    public boolean isJson() {
      return json;
    }

    public void setJson(boolean json) {
      this.json = json;
    }
  }

  /**
   * Shipping to Grafana Loki: on as soon as url is set, from Boot's first log line on (see {@code LokiShipping}). When
   * Logback's configuration already declares a LokiAppender, the starter ships through that one instead and these
   * settings other than url are not applied.
   *
   * @since 0.1.0
   */
  public static class Loki {
    /**
     * Loki's base URL, e.g. http://loki:3100. Setting it attaches the Loki appender to the root logger; blank (as
     * ${LOKI_URL:} is when the variable is unset) means Loki is off, which is said once as an INFO line.
     */
    private String url;
    /** The tenant (X-Scope-OrgID). */
    private String tenant;
    /** Basic-auth user name. */
    private String username;
    /** Basic-auth password. */
    private String password;
    /** Bearer token. */
    private String bearerToken;
    /** Label names, from service, env, version, host, level. */
    private String labels = "service,env,level";
    /** Extra static labels. */
    private Map<String, String> staticLabels = new LinkedHashMap<>();
    /** The byte budget of queued events. */
    private long maxQueueBytes = 32L * 1024 * 1024;
    /** What a full budget does: drop (the newest event) or block (at most blockTimeout). */
    private String overflowPolicy = "drop";
    /** Most events per push. */
    private int batchMaxItems = 1000;
    /** Longest an event waits for its batch. */
    private Duration batchMaxWait = Duration.ofSeconds(1);
    /**
     * Largest push as Loki decodes it (before compression); larger batches are split, and an event that cannot fit
     * is dropped and counted. Loki's own gRPC limit is 4MB.
     */
    private DataSize maxRequestBytes = DataSize.ofMegabytes(4);
    /** How many times a push that reached Loki and failed (5xx, timeout) is retried before its events are dropped. */
    private int maxRetries = 10;
    /** Longest one failing push is retried, whatever max-retries. */
    private Duration maxRetryTime = Duration.ofMinutes(2);
    /** Longest the shutdown flush waits for Loki. */
    private Duration shutdownTimeout = Duration.ofSeconds(10);
    /** The on-disk spill: where batches wait while Loki is unreachable or slow, and across a restart. */
    private final Spill spill = new Spill();

    public String getUrl() {
      return url;
    }

    public void setUrl(String url) {
      this.url = url;
    }

    public String getTenant() {
      return tenant;
    }

    public void setTenant(String tenant) {
      this.tenant = tenant;
    }

    public String getUsername() {
      return username;
    }

    public void setUsername(String username) {
      this.username = username;
    }

    public String getPassword() {
      return password;
    }

    public void setPassword(String password) {
      this.password = password;
    }

    public String getBearerToken() {
      return bearerToken;
    }

    public void setBearerToken(String bearerToken) {
      this.bearerToken = bearerToken;
    }

    public String getLabels() {
      return labels;
    }

    public void setLabels(String labels) {
      this.labels = labels;
    }

    public Map<String, String> getStaticLabels() {
      return staticLabels;
    }

    public void setStaticLabels(Map<String, String> staticLabels) {
      this.staticLabels = staticLabels;
    }

    public long getMaxQueueBytes() {
      return maxQueueBytes;
    }

    public void setMaxQueueBytes(long maxQueueBytes) {
      this.maxQueueBytes = maxQueueBytes;
    }

    public String getOverflowPolicy() {
      return overflowPolicy;
    }

    public void setOverflowPolicy(String overflowPolicy) {
      this.overflowPolicy = overflowPolicy;
    }

    public int getBatchMaxItems() {
      return batchMaxItems;
    }

    public void setBatchMaxItems(int batchMaxItems) {
      this.batchMaxItems = batchMaxItems;
    }

    public Duration getBatchMaxWait() {
      return batchMaxWait;
    }

    public void setBatchMaxWait(Duration batchMaxWait) {
      this.batchMaxWait = batchMaxWait;
    }

    public DataSize getMaxRequestBytes() {
      return maxRequestBytes;
    }

    public void setMaxRequestBytes(DataSize maxRequestBytes) {
      this.maxRequestBytes = maxRequestBytes;
    }

    public int getMaxRetries() {
      return maxRetries;
    }

    public void setMaxRetries(int maxRetries) {
      this.maxRetries = maxRetries;
    }

    public Duration getMaxRetryTime() {
      return maxRetryTime;
    }

    public void setMaxRetryTime(Duration maxRetryTime) {
      this.maxRetryTime = maxRetryTime;
    }

    public Duration getShutdownTimeout() {
      return shutdownTimeout;
    }

    public void setShutdownTimeout(Duration shutdownTimeout) {
      this.shutdownTimeout = shutdownTimeout;
    }

    public Spill getSpill() {
      return spill;
    }

    @Override
    public String toString() {
      return "Loki[url=" + url + ", tenant=" + tenant + ", username=" + username
          + (password == null ? "" : ", password=****") + (bearerToken == null ? "" : ", bearerToken=****") + "]";
    }

    /**
     * The Loki appender's on-disk spill, on when directory is set: while pushes fail, the batches that wait are
     * written there (encoded and compressed, as they would be sent) instead of being dropped once max-queue-bytes is
     * full, and are sent oldest first when Loki answers again, after a restart too. What cannot be sent at shutdown
     * is written there as well. A directory that cannot be used is reported once and the appender runs memory-only.
     *
     * @since 0.1.0
     */
    public static class Spill {
      /**
       * The spill directory, one per appender (a second appender on the same directory runs memory-only). Unset: no
       * spill, events wait in memory only.
       */
      private String directory;
      /**
       * The most the spill directory holds, at least 2MB; beyond it, events wait in memory and are dropped once that
       * is full too.
       */
      private DataSize maxSize = DataSize.ofGigabytes(1);
      /**
       * When spilled batches are forced to the disk: interval (at most once per fsync-interval, so a power cut loses
       * at most that much), batch (each one: nothing written is lost to a power cut, at about a third of the write
       * speed) or never (left to the operating system: a crash of the process loses nothing, a power cut may).
       */
      private String fsync = "interval";
      /** How often the interval fsync policy forces the spill to disk. */
      private Duration fsyncInterval = Duration.ofSeconds(1);
      /**
       * Spilled events older than this are dropped (counted as dropped, cause too_old) rather than sent for Loki to
       * refuse. Keep it below Loki's reject_old_samples_max_age (168h by default).
       */
      private Duration maxAge = Duration.ofHours(167);

      public String getDirectory() {
        return directory;
      }

      public void setDirectory(String directory) {
        this.directory = directory;
      }

      public DataSize getMaxSize() {
        return maxSize;
      }

      public void setMaxSize(DataSize maxSize) {
        this.maxSize = maxSize;
      }

      public String getFsync() {
        return fsync;
      }

      public void setFsync(String fsync) {
        this.fsync = fsync;
      }

      public Duration getFsyncInterval() {
        return fsyncInterval;
      }

      public void setFsyncInterval(Duration fsyncInterval) {
        this.fsyncInterval = fsyncInterval;
      }

      public Duration getMaxAge() {
        return maxAge;
      }

      public void setMaxAge(Duration maxAge) {
        this.maxAge = maxAge;
      }
    }
  }
}
