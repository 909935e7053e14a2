package dev.threadline.cli;

import dev.threadline.cli.FakeLokiLogQL.Grouping;
import dev.threadline.cli.FakeLokiLogQL.LogQuery;
import dev.threadline.cli.FakeLokiLogQL.MetricQuery;
import dev.threadline.cli.FakeLokiLogQL.ParseError;
import dev.threadline.cli.FakeLokiLogQL.Query;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpointConfig;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.websocket.server.WsSci;

/**
 * A fake of Grafana Loki 3.x's query side ({@code /loki/api/v1/query}, {@code /loki/api/v1/query_range} and the
 * {@code /loki/api/v1/tail} WebSocket) on an embedded Tomcat at 127.0.0.1, for the CLI's tests. It answers as Loki
 * does, from Loki's documentation ({@code docs/sources/reference/loki-http-api.md}) and code, read in a grafana/loki
 * snapshot (not copied: Loki is AGPL); the LogQL it evaluates, and how it parses it, is {@link FakeLokiLogQL}.
 *
 * <p>Where each behaviour comes from (paths in grafana/loki):
 *
 * <ul>
 *   <li><b>Parameters</b> ({@code pkg/loghttp/params.go}, {@code pkg/loghttp/query.go}): {@code limit} defaults to
 *       100, must be positive ({@code limit must be a positive value}); {@code direction} defaults to backward,
 *       case-insensitive ({@code invalid direction 'x'}); {@code end} defaults to now, {@code start} to
 *       {@code min(end, now) - since} with {@code since} 1h; {@code end} before {@code start} is
 *       {@code end timestamp must not be before or equal to start time}; {@code step} (float seconds or a Prometheus
 *       duration) defaults to {@code max(floor((end-start)/250s), 1s)}, must be positive, and
 *       {@code (end-start)/step} may not pass 11000, for log queries too. Parameter errors come before the query is
 *       parsed.
 *   <li><b>Times</b> ({@code parseTimestamp}): a value with a dot is float seconds, its fraction rounded to the
 *       millisecond; an integer of at most 10 characters is seconds, a longer one nanoseconds (so milliseconds are
 *       read as nanoseconds); else RFC3339/RFC3339Nano; else the integer parse error, e.g.
 *       {@code could not parse 'start' parameter: strconv.ParseInt: parsing "x": invalid syntax}.
 *   <li><b>Log query bounds</b>: {@code start} inclusive, {@code end} exclusive (the API doc: "greater or equal",
 *       "lower than"). <b>Limit</b> across all streams after ordering by time in the direction
 *       ({@code pkg/logql/engine.go} readStreams); streams ordered by their label set's string
 *       ({@code pkg/logqlmodel/logqlmodel.go} Streams.Less; the frontend's merge in
 *       {@code pkg/querier/queryrange/codec.go} sorts the same way); values in the direction. Entries with the
 *       same labels, time, line and metadata are one ({@code pkg/iter/entry_iterator.go} dedupes them); equal times
 *       order by labels.
 *   <li><b>Structured metadata</b>: merged into the stream's labels ({@code metadata} named like a stream label
 *       becomes {@code NAME_extracted}); with the header {@code X-Loki-Response-Encoding-Flags: categorize-labels}
 *       ({@code pkg/util/httpreq/encoding_flags.go}) the stream holds only the stream labels, each value gets a
 *       third element, {@code {}} or {@code {"structuredMetadata":{...}}}, and {@code data} gets
 *       {@code "encodingFlags":[...]} ({@code pkg/util/marshal/query.go} encodeStream, encodeData;
 *       {@code pkg/iter/categorized_labels_iterator.go}).
 *   <li><b>Limits</b>: {@code limit} above {@code max_entries_limit_per_query} (5000, {@code pkg/validation/limits.go})
 *       is a 400 {@code max entries limit per query exceeded, limit > max_entries_limit_per_query (L > M)}
 *       ({@code pkg/util/validation/validate.go}), for log queries only, checked after parsing
 *       ({@code pkg/querier/queryrange/roundtrip.go}). A query_range longer than {@code max_query_length} (721h) is
 *       {@code the query time range exceeds the limit (query length: 745h0m0s, limit: 30d1h)}
 *       ({@code pkg/querier/queryrange/limits.go}); a metric query of more than 500 series is Loki's
 *       {@code maximum number of series (500) reached for a single query; ...} ({@code pkg/logqlmodel/error.go}).
 *   <li><b>Instant queries</b>: a log query is a 400
 *       {@code log queries are not supported as an instant query type, please change your query to a range query
 *       type} ({@code pkg/querier/http.go}, {@code pkg/logqlmodel/error.go}); a metric query is a vector whose time
 *       is a JSON number of seconds with millisecond decimals ({@code model.Time.String}) and whose value is a
 *       string; only series with a sample appear, ordered by labels ({@code pkg/logql/engine.go} JoinSampleVector).
 *   <li><b>Range vectors</b>: at evaluation time T an entry counts when its time is in
 *       {@code (T - offset - range, T - offset]} ({@code pkg/logql/range_vector.go}: "the lower bound of the range
 *       is not inclusive"; {@code pkg/logql/evaluator.go} adds 1ns to the store query's end "to include lines
 *       exactly at endTs"). A range query's matrix evaluates at start, start+step, … up to end inclusive.
 *   <li><b>Errors</b> ({@code pkg/util/server/error.go} WriteError): status and the bare message as
 *       {@code text/plain; charset=utf-8}, no trailing newline. Messages from Go's {@code http.Error} (401
 *       {@code no org id}, 404 {@code 404 page not found}, a tail request that is not a WebSocket upgrade: 400
 *       {@code Bad Request}, or 426 {@code Upgrade Required} when the {@code Upgrade} header is not websocket, as
 *       gorilla/websocket answers) end with a newline. A wrong method on a query path is 405 with no body
 *       (gorilla/mux).
 *   <li><b>Tenancy</b>: with auth disabled (the default) {@code X-Scope-OrgID} is ignored and the tenant is
 *       {@code fake} ({@code pkg/util/fakeauth/fake_auth.go}); enabled, a request without it is a 401
 *       {@code no org id} ({@code vendor/github.com/grafana/dskit/middleware/http_auth.go}), for tail upgrades too.
 *       {@link #requireAuthorization} models a gateway in front of Loki (Loki itself has no such check): 401
 *       {@code 401 Unauthorized} plus {@code WWW-Authenticate}.
 *   <li><b>Tail</b> ({@code pkg/loghttp/tail.go}, {@code pkg/querier/tail/http.go}, {@code tail.go},
 *       {@code querier.go}, {@code pkg/util/marshal/query.go} EncodeTailResult): the query, {@code limit}, the
 *       start ({@code start}, default now-1h, {@code since}/{@code end} as for query_range) and {@code delay_for}
 *       (integer seconds, at most 5: {@code delay_for can't be greater than 5}) are checked before the upgrade, a bad
 *       one being a plain 400 with the message; after the upgrade, a query that is not a log query is closed with
 *       code 1011 and {@code only log selector is supported}. It first sends the newest {@code limit} matching
 *       entries in {@code [start, now)}, oldest first, up to 100 per message, then every matching entry pushed
 *       later. An entry goes out once now is past its time plus {@code delay_for}. Each message is
 *       {@code {"streams":[{"stream":{...},"values":[["<ns>","<line>"]]}, ...]}} with one stream object per entry
 *       (not merged by labels); {@code dropped_entries} appears only when entries were dropped (never here).
 *       Pings go out every second, as Loki's. {@link #closeTails()} closes with 1011 as Loki does at
 *       {@code tail_max_duration}.
 * </ul>
 *
 * <p>Not modelled: Loki's other endpoints (labels, series, push: 404 here), multi-tenant queries
 * ({@code X-Scope-OrgID: a|b} is one tenant name here), {@code max_query_lookback} and the other limits,
 * the statistics' numbers (the {@code stats} object has Loki's shape, mostly zeros), and the spelling of
 * {@code Content-Type}: Tomcat writes {@code application/json;charset=UTF-8} where Loki writes
 * {@code application/json; charset=UTF-8}.
 *
 * <p>All public methods are thread-safe: tests push while tails are open.
 */
public final class FakeLoki implements AutoCloseable {

  /** One request as received: the decoded path, the first value of each parameter, headers by lower-case name. */
  record Request(String method, String path, Map<String, String> params, Map<String, String> headers) {
    String param(String name) {
      return params.get(name);
    }

    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  static final String QUERY = "/loki/api/v1/query";
  static final String QUERY_RANGE = "/loki/api/v1/query_range";
  static final String TAIL = "/loki/api/v1/tail";

  /** The tenant of every request while auth is disabled ({@code -auth.no-auth-tenant}'s default). */
  static final String NO_AUTH_TENANT = "fake";

  private static final long SECOND = 1_000_000_000L;
  private static final long MAX_UINT32 = 4_294_967_295L;
  /** Loki's default {@code max_query_length} ({@code pkg/validation/limits.go}), printed by Loki as 30d1h. */
  private static final long MAX_QUERY_LENGTH = 721 * 3600 * SECOND;
  /** Loki's default {@code max_query_series} ({@code pkg/validation/limits.go}). */
  private static final int MAX_QUERY_SERIES = 500;
  private static final String ENCODING_FLAGS_HEADER = "X-Loki-Response-Encoding-Flags";
  private static final String CATEGORIZE_LABELS = "categorize-labels";

  /** Tomcat logs through java.util.logging; held so that the level sticks. */
  private static final java.util.logging.Logger TOMCAT_LOG = java.util.logging.Logger.getLogger("org.apache");

  static {
    TOMCAT_LOG.setLevel(java.util.logging.Level.SEVERE);
  }

  /** A stored entry, with its label views computed once. */
  private record Stored(long seq, String tenant, SortedMap<String, String> stream, SortedMap<String, String> all,
      SortedMap<String, String> metadata, long nanos, String line, String streamKey, String allKey) {}

  /** An answer other than 200: its status and its text/plain body. */
  private static final class Refusal extends Exception {
    private static final long serialVersionUID = 1L;
    final int status;
    final String body;

    Refusal(int status, String body) {
      super(body, null, false, false);
      this.status = status;
      this.body = body;
    }

    /** A 400 as Loki's WriteError writes it. */
    static Refusal badRequest(String message) {
      return new Refusal(400, message);
    }
  }

  private final Object lock = new Object();
  private final List<Stored> entries = new ArrayList<>(); // guarded by lock
  private final Set<List<Object>> entryKeys = new HashSet<>(); // guarded by lock
  private final List<Tail> tails = new ArrayList<>(); // guarded by lock
  private long nextSeq; // guarded by lock
  private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
  private final Deque<Refusal> failures = new ConcurrentLinkedDeque<>();
  private volatile boolean authEnabled;
  private volatile String requiredAuthorization;
  private volatile int maxEntriesLimitPerQuery = 5000;

  /** Every WebSocket write, ping and delayed release runs here, one at a time, in order. */
  private final ScheduledThreadPoolExecutor sender = new ScheduledThreadPoolExecutor(1, r -> {
    Thread t = new Thread(r, "fake-loki-tail");
    t.setDaemon(true);
    return t;
  });
  private final Tomcat tomcat = new Tomcat();
  private final Path baseDir;
  private final Connector connector;
  private final ServerContainer webSockets;

  private FakeLoki() throws IOException, LifecycleException {
    sender.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    baseDir = Files.createTempDirectory("fake-loki");
    tomcat.setBaseDir(baseDir.toString());
    connector = new Connector();
    connector.setPort(0);
    connector.setProperty("address", "127.0.0.1");
    // Go's server takes these unencoded in a query string; Tomcat refuses them unless told.
    connector.setProperty("relaxedQueryChars", "[]|{}^`\"<>\\");
    connector.setProperty("relaxedPathChars", "[]|{}^`\"<>\\");
    connector.setProperty("maxThreads", "8");
    connector.setProperty("minSpareThreads", "1");
    tomcat.setConnector(connector);
    Context context = tomcat.addContext("", baseDir.toString());
    context.addServletContainerInitializer(new WsSci(), null);
    Tomcat.addServlet(context, "loki", new Api());
    context.addServletMappingDecoded("/", "loki");
    tomcat.start();
    webSockets = (ServerContainer) context.getServletContext().getAttribute(ServerContainer.class.getName());
  }

  /** Starts a fake Loki on 127.0.0.1 at a free port. */
  public static FakeLoki start() {
    try {
      return new FakeLoki();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (LifecycleException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code http://127.0.0.1:<port>}. */
  public String url() {
    return "http://127.0.0.1:" + connector.getLocalPort();
  }

  // ---------------------------------------------------------------- configuration

  /**
   * Off (the default): {@code X-Scope-OrgID} is ignored and every query reads tenant {@code fake}, as Loki with
   * {@code auth_enabled: false}. On: the header names the tenant, and a request without it is a 401.
   */
  FakeLoki authEnabled(boolean on) {
    authEnabled = on;
    return this;
  }

  /** Requires this exact {@code Authorization} header (as a gateway in front of Loki would); null for none. */
  FakeLoki requireAuthorization(String headerValue) {
    requiredAuthorization = headerValue;
    return this;
  }

  /** Loki's {@code max_entries_limit_per_query} (default 5000; 0 disables the check, as in Loki). */
  FakeLoki maxEntriesLimitPerQuery(int n) {
    maxEntriesLimitPerQuery = n;
    return this;
  }

  /**
   * The next request to a query path (query, query_range or tail) gets this answer, as {@code text/plain}, before
   * any other check; calls queue up.
   */
  FakeLoki failNext(int status, String body) {
    failures.add(new Refusal(status, body));
    return this;
  }

  /** Every request received so far, in order. */
  List<Request> requests() {
    synchronized (requests) {
      return List.copyOf(requests);
    }
  }

  // ---------------------------------------------------------------- the store

  /** Stores an entry for tenant {@code fake}, the tenant of every query while auth is disabled. */
  void push(Map<String, String> labels, Map<String, String> metadata, Instant time, String line) {
    push(NO_AUTH_TENANT, labels, metadata, time, line);
  }

  /**
   * Stores an entry: the stream's labels, the entry's structured metadata, its time and line. Empty values count as
   * absent (as in Prometheus label sets); a stream needs at least one label. An entry equal to a stored one in all
   * of this is stored once, as Loki answers it once.
   */
  public void push(String tenant, Map<String, String> labels, Map<String, String> metadata, Instant time, String line) {
    SortedMap<String, String> stream = withoutEmpty(labels);
    if (stream.isEmpty()) {
      throw new IllegalArgumentException("Loki needs at least one label pair per stream");
    }
    SortedMap<String, String> meta = withoutEmpty(metadata == null ? Map.of() : metadata);
    SortedMap<String, String> all = new TreeMap<>(stream);
    SortedMap<String, String> metaView = new TreeMap<>();
    meta.forEach((name, value) -> {
      String key = stream.containsKey(name) ? name + "_extracted" : name;
      all.put(key, value);
      metaView.put(key, value);
    });
    long nanos = Math.addExact(Math.multiplyExact(time.getEpochSecond(), SECOND), time.getNano());
    synchronized (lock) {
      if (!entryKeys.add(List.of(tenant, stream, meta, nanos, line))) {
        return;
      }
      Stored entry = new Stored(nextSeq++, tenant, Collections.unmodifiableSortedMap(stream),
          Collections.unmodifiableSortedMap(all), Collections.unmodifiableSortedMap(metaView), nanos, line,
          FakeLokiLogQL.labelsString(stream), FakeLokiLogQL.labelsString(all));
      entries.add(entry);
      for (Tail tail : tails) {
        tail.offer(entry);
      }
    }
  }

  private static SortedMap<String, String> withoutEmpty(Map<String, String> labels) {
    SortedMap<String, String> out = new TreeMap<>();
    labels.forEach((k, v) -> {
      if (v != null && !v.isEmpty()) {
        out.put(k, v);
      }
    });
    return out;
  }

  private List<Stored> select(String tenant, LogQuery query, long fromInclusive, long toExclusive) {
    List<Stored> out = new ArrayList<>();
    synchronized (lock) {
      for (Stored e : entries) {
        if (e.tenant.equals(tenant) && e.nanos >= fromInclusive && e.nanos < toExclusive
            && query.matches(e.stream, e.all, e.line)) {
          out.add(e);
        }
      }
    }
    return out;
  }

  private static Comparator<Stored> order(boolean forward, boolean categorize) {
    Comparator<Stored> byTime = Comparator.comparingLong(Stored::nanos);
    Comparator<Stored> byLabels = Comparator.comparing(e -> categorize ? e.streamKey : e.allKey);
    Comparator<Stored> bySeq = Comparator.comparingLong(Stored::seq);
    return forward
        ? byTime.thenComparing(byLabels).thenComparing(bySeq)
        : byTime.reversed().thenComparing(byLabels).thenComparing(bySeq.reversed());
  }

  // ---------------------------------------------------------------- tails

  /** Closes every open tail as Loki does when {@code tail_max_duration} (1h by default) is reached. */
  void closeTails() {
    closeTails(1011, "reached tail max duration limit");
  }

  /** Closes every open tail with this close code and reason. */
  void closeTails(int code, String reason) {
    List<Tail> open;
    synchronized (lock) {
      open = List.copyOf(tails);
    }
    for (Tail tail : open) {
      tail.close(code, reason);
    }
  }

  /**
   * Tells every open tail that Loki dropped {@code n} entries for it, as Loki does when a tail client cannot keep
   * up (pkg/querier/tail/tail.go; the message's {@code dropped_entries}: {@code [{"timestamp":"<ns>","labels":{…}}]}).
   */
  void dropInTails(int n) {
    StringBuilder message = new StringBuilder("{\"streams\":[],\"dropped_entries\":[");
    for (int i = 0; i < n; i++) {
      message.append(i == 0 ? "" : ",").append("{\"timestamp\":\"").append(now()).append("\",\"labels\":")
          .append("{\"service\":\"order-api\"}}");
    }
    String text = message.append("]}").toString();
    List<Tail> open;
    synchronized (lock) {
      open = List.copyOf(tails);
    }
    for (Tail tail : open) {
      sender.execute(() -> tail.send(text));
    }
  }

  /** How many tails are open now. */
  int openTails() {
    synchronized (lock) {
      return tails.size();
    }
  }

  @Override
  public void close() {
    closeTails(1001, "");
    sender.shutdown();
    try {
      sender.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      tomcat.stop();
      tomcat.destroy();
    } catch (LifecycleException e) {
      throw new IllegalStateException(e);
    } finally {
      try (Stream<Path> files = Files.walk(baseDir)) {
        files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
      } catch (IOException e) {
        // a leftover temporary directory is no failure
      }
    }
  }

  /** One open {@code /loki/api/v1/tail} WebSocket. */
  private final class Tail extends Endpoint {
    private final String tenant;
    private final Query query;
    private final int limit;
    private final long startNanos;
    private final long delayNanos;
    private final List<String> flags;
    private volatile Session session;
    private ScheduledFuture<?> pings;

    Tail(String tenant, Query query, int limit, long startNanos, long delayNanos, List<String> flags) {
      this.tenant = tenant;
      this.query = query;
      this.limit = limit;
      this.startNanos = startNanos;
      this.delayNanos = delayNanos;
      this.flags = flags;
    }

    @Override
    public void onOpen(Session session, EndpointConfig config) {
      this.session = session;
      // Loki reads and ignores what the client sends.
      session.addMessageHandler(String.class, (MessageHandler.Whole<String>) message -> { });
      session.addMessageHandler(ByteBuffer.class, (MessageHandler.Whole<ByteBuffer>) message -> { });
      if (!(query instanceof LogQuery)) {
        // pkg/querier/tail/querier.go: the history request's LogSelector() fails after the upgrade.
        close(1011, "only log selector is supported");
        return;
      }
      LogQuery log = (LogQuery) query;
      synchronized (lock) {
        long now = now();
        List<Stored> history = select(tenant, log, startNanos, now);
        history.sort(order(false, categorize()));
        history = new ArrayList<>(history.subList(0, Math.min(limit, history.size())));
        Collections.reverse(history);
        List<Stored> ready = new ArrayList<>();
        for (Stored e : history) {
          if (e.nanos + delayNanos < now) {
            ready.add(e);
          } else {
            offer(e);
          }
        }
        for (int i = 0; i < ready.size(); i += 100) {
          List<Stored> batch = ready.subList(i, Math.min(ready.size(), i + 100));
          String message = tailMessage(batch);
          sender.execute(() -> send(message));
        }
        tails.add(this);
      }
      pings = sender.scheduleAtFixedRate(this::ping, 1, 1, TimeUnit.SECONDS);
    }

    private boolean categorize() {
      return flags.contains(CATEGORIZE_LABELS);
    }

    /** A new entry: sent once now is past its time plus delay_for (pkg/querier/tail/tail.go next()). */
    void offer(Stored e) {
      if (!(query instanceof LogQuery) || !e.tenant.equals(tenant)
          || !((LogQuery) query).matches(e.stream, e.all, e.line)) {
        return;
      }
      String message = tailMessage(List.of(e));
      long wait = e.nanos + delayNanos - now();
      if (wait < 0) {
        sender.execute(() -> send(message));
      } else {
        sender.schedule(() -> send(message), wait + 1, TimeUnit.NANOSECONDS);
      }
    }

    private String tailMessage(List<Stored> batch) {
      StringBuilder out = new StringBuilder("{\"streams\":[");
      for (int i = 0; i < batch.size(); i++) {
        Stored e = batch.get(i);
        out.append(i == 0 ? "" : ",").append("{\"stream\":");
        labels(out, categorize() ? e.stream : e.all);
        out.append(",\"values\":[");
        value(out, e, categorize());
        out.append("]}");
      }
      out.append(']');
      if (!flags.isEmpty()) {
        out.append(",\"encodingFlags\":");
        stringArray(out, flags);
      }
      return out.append('}').toString();
    }

    void send(String message) {
      Session s = session;
      if (s == null || !s.isOpen()) {
        return;
      }
      try {
        s.getBasicRemote().sendText(message);
      } catch (IOException | IllegalStateException e) {
        forget();
      }
    }

    private void ping() {
      Session s = session;
      if (s != null && s.isOpen()) {
        try {
          s.getBasicRemote().sendPing(ByteBuffer.allocate(0));
        } catch (IOException | IllegalStateException e) {
          forget();
        }
      }
    }

    void close(int code, String reason) {
      forget();
      try {
        sender.execute(() -> {
          Session s = session;
          if (s != null && s.isOpen()) {
            try {
              s.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(code), reason));
            } catch (IOException e) {
              // the client went away first
            }
          }
        });
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // FakeLoki is closing: Tomcat's stop closes the socket
      }
    }

    private void forget() {
      synchronized (lock) {
        tails.remove(this);
      }
      ScheduledFuture<?> p = pings;
      if (p != null) {
        p.cancel(false);
      }
    }

    @Override
    public void onClose(Session session, CloseReason closeReason) {
      forget();
    }

    @Override
    public void onError(Session session, Throwable thr) {
      forget();
    }
  }

  // ---------------------------------------------------------------- HTTP

  private static long now() {
    Instant now = Instant.now();
    return now.getEpochSecond() * SECOND + now.getNano();
  }

  /** Loki's router: the three query paths, everything else 404. */
  private final class Api extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      String path = req.getServletPath() + (req.getPathInfo() == null ? "" : req.getPathInfo());
      Map<String, String> params = new LinkedHashMap<>();
      req.getParameterMap().forEach((name, values) -> params.put(name, values.length == 0 ? "" : values[0]));
      Map<String, String> headers = new LinkedHashMap<>();
      for (String name : Collections.list(req.getHeaderNames())) {
        headers.put(name.toLowerCase(Locale.ROOT), String.join(", ", Collections.list(req.getHeaders(name))));
      }
      requests.add(new Request(req.getMethod(), path, Collections.unmodifiableMap(params),
          Collections.unmodifiableMap(headers)));
      try {
        if (!path.equals(QUERY) && !path.equals(QUERY_RANGE) && !path.equals(TAIL)) {
          throw new Refusal(404, "404 page not found\n");
        }
        if (!req.getMethod().equals("GET") && !req.getMethod().equals("POST")) {
          resp.setStatus(405);
          return;
        }
        Refusal failure = failures.poll();
        if (failure != null) {
          throw failure;
        }
        String required = requiredAuthorization;
        if (required != null && !required.equals(req.getHeader("Authorization"))) {
          resp.setHeader("WWW-Authenticate", "Basic realm=\"loki\"");
          throw new Refusal(401, "401 Unauthorized\n");
        }
        String tenant = NO_AUTH_TENANT;
        if (authEnabled) {
          tenant = req.getHeader("X-Scope-OrgID");
          if (tenant == null || tenant.isEmpty()) {
            throw new Refusal(401, "no org id\n");
          }
        }
        List<String> flags = encodingFlags(req.getHeader(ENCODING_FLAGS_HEADER));
        if (path.equals(TAIL)) {
          tail(req, resp, tenant, flags);
        } else {
          String body = path.equals(QUERY) ? instantQuery(req, tenant, flags) : rangeQuery(req, tenant, flags);
          resp.setStatus(200);
          resp.setContentType("application/json; charset=UTF-8");
          resp.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
        }
      } catch (Refusal r) {
        resp.setStatus(r.status);
        resp.setContentType("text/plain; charset=utf-8");
        resp.setHeader("X-Content-Type-Options", "nosniff");
        resp.getOutputStream().write(r.body.getBytes(StandardCharsets.UTF_8));
      }
    }
  }

  private static List<String> encodingFlags(String header) {
    if (header == null || header.isEmpty()) {
      return List.of();
    }
    return List.copyOf(new java.util.LinkedHashSet<>(List.of(header.split(",", -1))));
  }

  /** GET /loki/api/v1/query_range: streams for a log query, a matrix for a metric query. */
  private String rangeQuery(HttpServletRequest req, String tenant, List<String> flags) throws Refusal {
    long now = now();
    long[] bounds = bounds(req, now);
    long start = bounds[0];
    long end = bounds[1];
    if (end < start) {
      throw Refusal.badRequest("end timestamp must not be before or equal to start time");
    }
    int limit = limit(req.getParameter("limit"), "limit");
    boolean forward = forward(req.getParameter("direction"));
    long step = secondsOrDuration(req.getParameter("step"),
        Math.max((long) Math.floor((end - start) / 1e9 / 250), 1) * SECOND);
    if (step <= 0) {
      throw Refusal.badRequest(
          "zero or negative query resolution step widths are not accepted. Try a positive integer");
    }
    if ((end - start) / step > 11000) {
      throw Refusal.badRequest("exceeded maximum resolution of 11,000 points per time series. Try increasing the "
          + "value of the step parameter");
    }
    long interval = secondsOrDuration(req.getParameter("interval"), 0);
    if (interval < 0) {
      throw Refusal.badRequest("interval must be >= 0");
    }
    Query query = parse(req.getParameter("query"));
    if (query instanceof LogQuery) {
      checkMaxEntries(limit);
    }
    // pkg/querier/queryrange/limits.go: max_query_length (721h by default), on millisecond times.
    long length = (end / 1_000_000L - start / 1_000_000L) * 1_000_000L;
    if (length > MAX_QUERY_LENGTH) {
      throw Refusal.badRequest("the query time range exceeds the limit (query length: " + goDuration(length)
          + ", limit: 30d1h)");
    }
    if (query instanceof MetricQuery) {
      return matrix((MetricQuery) query, tenant, start, end, step, flags);
    }
    return streams((LogQuery) query, tenant, start, end, limit, forward, interval, flags);
  }

  /** Go's time.Duration.String for a duration of a second or more: {@code 745h0m0s}, {@code 1m30.5s}. */
  static String goDuration(long nanos) {
    long hours = nanos / (3600 * SECOND);
    long minutes = nanos / (60 * SECOND) % 60;
    BigDecimal seconds = BigDecimal.valueOf(nanos % (60 * SECOND), 9).stripTrailingZeros();
    return (hours > 0 ? hours + "h" : "") + (hours > 0 || minutes > 0 ? minutes + "m" : "")
        + seconds.toPlainString() + "s";
  }

  /** GET /loki/api/v1/query: a vector for a metric query; Loki refuses log queries here. */
  private String instantQuery(HttpServletRequest req, String tenant, List<String> flags) throws Refusal {
    limit(req.getParameter("limit"), "limit");
    long time;
    try {
      time = parseTimestamp(req.getParameter("time"), now());
    } catch (IllegalArgumentException e) {
      throw Refusal.badRequest(e.getMessage());
    }
    forward(req.getParameter("direction"));
    Query query = parse(req.getParameter("query"));
    if (!(query instanceof MetricQuery)) {
      throw Refusal.badRequest("log queries are not supported as an instant query type, please change your query "
          + "to a range query type");
    }
    MetricQuery metric = (MetricQuery) query;
    List<Map.Entry<SortedMap<String, String>, Long>> vector = new ArrayList<>(evaluate(metric, tenant, time)
        .entrySet());
    vector.sort((a, b) -> FakeLokiLogQL.compareLabels(a.getKey(), b.getKey()));
    StringBuilder out = new StringBuilder("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\"");
    flagsField(out, flags);
    out.append(",\"result\":[");
    for (int i = 0; i < vector.size(); i++) {
      out.append(i == 0 ? "" : ",").append("{\"metric\":");
      labels(out, vector.get(i).getKey());
      out.append(",\"value\":[").append(seconds(time)).append(",\"").append(vector.get(i).getValue())
          .append("\"]}");
    }
    out.append("],\"stats\":");
    stats(out, 0, vector.size());
    return out.append("}}\n").toString();
  }

  /** {@code count_over_time} at T: entries in (T - offset - range, T - offset], summed if asked. */
  private Map<SortedMap<String, String>, Long> evaluate(MetricQuery metric, String tenant, long at)
      throws Refusal {
    long windowEnd = at - metric.offsetNanos();
    Map<SortedMap<String, String>, Long> counts = new TreeMap<>(FakeLokiLogQL::compareLabels);
    for (Stored e : select(tenant, metric.log(), windowEnd - metric.rangeNanos() + 1, windowEnd + 1)) {
      Grouping g = metric.grouping();
      SortedMap<String, String> series = g == null ? e.all : g.apply(e.all);
      counts.merge(series, 1L, Long::sum);
    }
    checkSeries(counts.size());
    return counts;
  }

  /** pkg/logqlmodel/error.go NewSeriesLimitError, a 400 (pkg/util/server/error.go: ErrLimit is a client error). */
  private static void checkSeries(int series) throws Refusal {
    if (series > MAX_QUERY_SERIES) {
      throw Refusal.badRequest("maximum number of series (" + MAX_QUERY_SERIES + ") reached for a single query; "
          + "consider reducing query cardinality by adding more specific stream selectors, reducing the time "
          + "range, or aggregating results with functions like sum(), count() or topk()");
    }
  }

  private String matrix(MetricQuery metric, String tenant, long start, long end, long step, List<String> flags)
      throws Refusal {
    Map<SortedMap<String, String>, StringBuilder> series = new TreeMap<>(FakeLokiLogQL::compareLabels);
    for (long t = start; t <= end; t += step) {
      long at = t;
      evaluate(metric, tenant, at).forEach((labels, count) -> {
        StringBuilder values = series.computeIfAbsent(labels, k -> new StringBuilder());
        values.append(values.length() == 0 ? "" : ",").append('[').append(seconds(at)).append(",\"").append(count)
            .append("\"]");
      });
      checkSeries(series.size());
    }
    StringBuilder out = new StringBuilder("{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\"");
    flagsField(out, flags);
    out.append(",\"result\":[");
    boolean first = true;
    for (Map.Entry<SortedMap<String, String>, StringBuilder> s : series.entrySet()) {
      out.append(first ? "" : ",").append("{\"metric\":");
      labels(out, s.getKey());
      out.append(",\"values\":[").append(s.getValue()).append("]}");
      first = false;
    }
    out.append("],\"stats\":");
    stats(out, 0, series.size());
    return out.append("}}\n").toString();
  }

  private String streams(LogQuery query, String tenant, long start, long end, int limit, boolean forward,
      long interval, List<String> flags) {
    boolean categorize = flags.contains(CATEGORIZE_LABELS);
    List<Stored> matched = select(tenant, query, start, end);
    matched.sort(order(forward, categorize));
    // pkg/logql/engine.go readStreams: the limit across streams, and `interval` keeps one entry per interval.
    Map<String, List<Stored>> byStream = new TreeMap<>();
    int taken = 0;
    Long last = null;
    for (Stored e : matched) {
      if (taken >= limit) {
        break;
      }
      boolean keep = interval == 0 || last == null
          || (forward ? e.nanos >= last + interval : e.nanos <= last - interval);
      if (keep) {
        byStream.computeIfAbsent(categorize ? e.streamKey : e.allKey, k -> new ArrayList<>()).add(e);
        last = e.nanos;
        taken++;
      }
    }
    StringBuilder out = new StringBuilder("{\"status\":\"success\",\"data\":{\"resultType\":\"streams\"");
    flagsField(out, flags);
    out.append(",\"result\":[");
    boolean first = true;
    for (List<Stored> stream : byStream.values()) {
      out.append(first ? "" : ",").append("{\"stream\":");
      labels(out, categorize ? stream.get(0).stream : stream.get(0).all);
      out.append(",\"values\":[");
      for (int i = 0; i < stream.size(); i++) {
        out.append(i == 0 ? "" : ",");
        value(out, stream.get(i), categorize);
      }
      out.append("]}");
      first = false;
    }
    out.append("],\"stats\":");
    stats(out, matched.size(), taken);
    return out.append("}}\n").toString();
  }

  private void checkMaxEntries(int limit) throws Refusal {
    int max = maxEntriesLimitPerQuery;
    if (max != 0 && limit > max) {
      throw Refusal.badRequest("max entries limit per query exceeded, limit > max_entries_limit_per_query ("
          + limit + " > " + max + ")");
    }
  }

  /** GET /loki/api/v1/tail: checks as ParseTailQuery, then upgrades (pkg/querier/tail/http.go TailHandler). */
  private void tail(HttpServletRequest req, HttpServletResponse resp, String tenant, List<String> flags)
      throws Refusal, IOException {
    Query query = parse(req.getParameter("query"));
    int limit = limit(req.getParameter("limit"), "limit");
    long start = bounds(req, now())[0];
    String delayParam = req.getParameter("delay_for");
    long delay = delayParam == null || delayParam.isEmpty() ? 0 : atoi(delayParam);
    if (delay < 0 || delay > MAX_UINT32) {
      throw Refusal.badRequest("delay_for value " + delay + " is out of range [0, " + MAX_UINT32 + "]");
    }
    if (delay > 5) {
      throw Refusal.badRequest("delay_for can't be greater than 5");
    }
    // gorilla/websocket's Upgrader (vendor/github.com/gorilla/websocket/server.go): http.Error with the status text.
    resp.setHeader("Sec-Websocket-Version", "13");
    if (!hasToken(req, "Connection", "upgrade")) {
      throw new Refusal(400, "Bad Request\n");
    }
    if (!hasToken(req, "Upgrade", "websocket")) {
      resp.setHeader("Upgrade", "websocket");
      throw new Refusal(426, "Upgrade Required\n");
    }
    if (!req.getMethod().equals("GET")) {
      throw new Refusal(405, "Method Not Allowed\n");
    }
    if (!hasToken(req, "Sec-WebSocket-Version", "13")) {
      throw new Refusal(400, "Bad Request\n");
    }
    Tail tail = new Tail(tenant, query, limit, start, delay * SECOND, flags);
    ServerEndpointConfig config = ServerEndpointConfig.Builder.create(Tail.class, TAIL)
        .configurator(new ServerEndpointConfig.Configurator() {
          @Override
          public <T> T getEndpointInstance(Class<T> endpointClass) {
            return endpointClass.cast(tail);
          }
        })
        .build();
    try {
      webSockets.upgradeHttpToWebSocket(req, resp, config, Map.of());
    } catch (jakarta.websocket.DeploymentException e) {
      throw new IOException(e);
    }
  }

  private static boolean hasToken(HttpServletRequest req, String header, String token) {
    for (String value : Collections.list(req.getHeaders(header))) {
      for (String t : value.split(",")) {
        if (t.trim().equalsIgnoreCase(token)) {
          return true;
        }
      }
    }
    return false;
  }

  // ---------------------------------------------------------------- Loki's parameter parsing

  private static Query parse(String query) throws Refusal {
    try {
      return FakeLokiLogQL.parse(query == null ? "" : query);
    } catch (ParseError e) {
      throw Refusal.badRequest(e.getMessage());
    }
  }

  /** pkg/loghttp/params.go determineBounds: {start, end} in nanoseconds. */
  private static long[] bounds(HttpServletRequest req, long now) throws Refusal {
    long since = 3600 * SECOND;
    String sinceParam = req.getParameter("since");
    if (sinceParam != null && !sinceParam.isEmpty()) {
      try {
        since = FakeLokiLogQL.promDuration(sinceParam);
      } catch (IllegalArgumentException e) {
        throw Refusal.badRequest("could not parse 'since' parameter: " + e.getMessage());
      }
    }
    long end;
    try {
      end = parseTimestamp(req.getParameter("end"), now);
    } catch (IllegalArgumentException e) {
      throw Refusal.badRequest("could not parse 'end' parameter: " + e.getMessage());
    }
    long endOrNow = Math.min(end, now);
    try {
      return new long[] {parseTimestamp(req.getParameter("start"), endOrNow - since), end};
    } catch (IllegalArgumentException e) {
      throw Refusal.badRequest("could not parse 'start' parameter: " + e.getMessage());
    }
  }

  private static final java.util.regex.Pattern GO_FLOAT =
      java.util.regex.Pattern.compile("[+-]?([0-9]+\\.[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?");
  private static final java.util.regex.Pattern GO_INT = java.util.regex.Pattern.compile("[+-]?[0-9]+");
  private static final java.util.regex.Pattern RFC3339 = java.util.regex.Pattern.compile(
      "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})");

  /**
   * pkg/loghttp/params.go parseTimestamp, in nanoseconds: float seconds (fraction rounded to the millisecond) when
   * there is a dot, else an integer (seconds up to 10 characters, nanoseconds beyond), else RFC3339Nano; the error is
   * Go's integer parse error.
   */
  static long parseTimestamp(String value, long defaultNanos) {
    if (value == null || value.isEmpty()) {
      return defaultNanos;
    }
    if (value.contains(".") && GO_FLOAT.matcher(value).matches()) {
      double t = Double.parseDouble(value);
      long whole = (long) t;
      double fraction = t - whole;
      double millis = Math.signum(fraction) * Math.round(Math.abs(fraction) * 1000) / 1000;
      return whole * SECOND + (long) (millis * SECOND);
    }
    if (GO_INT.matcher(value).matches()) {
      long n;
      try {
        n = Long.parseLong(value);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("strconv.ParseInt: parsing " + FakeLokiLogQL.goQuote(value)
            + ": value out of range");
      }
      return value.length() <= 10 ? n * SECOND : n;
    }
    if (RFC3339.matcher(value).matches()) {
      try {
        Instant t = OffsetDateTime.parse(value, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        return t.getEpochSecond() * SECOND + t.getNano();
      } catch (DateTimeParseException e) {
        // falls through to the integer error, as Loki's does
      }
    }
    throw new IllegalArgumentException("strconv.ParseInt: parsing " + FakeLokiLogQL.goQuote(value)
        + ": invalid syntax");
  }

  /** Go's strconv.Atoi with its error text. */
  private static long atoi(String value) throws Refusal {
    if (!GO_INT.matcher(value).matches()) {
      throw Refusal.badRequest("strconv.Atoi: parsing " + FakeLokiLogQL.goQuote(value) + ": invalid syntax");
    }
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw Refusal.badRequest("strconv.Atoi: parsing " + FakeLokiLogQL.goQuote(value) + ": value out of range");
    }
  }

  /** pkg/loghttp/params.go limit(): default 100, positive, at most MaxUint32. */
  private static int limit(String value, String name) throws Refusal {
    long l = value == null || value.isEmpty() ? 100 : atoi(value);
    if (l <= 0) {
      throw Refusal.badRequest("limit must be a positive value");
    }
    if (l > MAX_UINT32) {
      throw Refusal.badRequest(name + " value " + l + " is out of range [0, " + MAX_UINT32 + "]");
    }
    return (int) Math.min(l, Integer.MAX_VALUE);
  }

  /** pkg/loghttp/params.go parseDirection: backward unless "forward", any case. */
  private static boolean forward(String value) throws Refusal {
    if (value == null || value.isEmpty()) {
      return false;
    }
    switch (value.toUpperCase(Locale.ROOT)) {
      case "FORWARD":
        return true;
      case "BACKWARD":
        return false;
      default:
        throw Refusal.badRequest("invalid direction '" + value + "'");
    }
  }

  /** pkg/loghttp/params.go parseSecondsOrDuration: float seconds or a Prometheus duration, in nanoseconds. */
  private static long secondsOrDuration(String value, long defaultNanos) throws Refusal {
    if (value == null || value.isEmpty()) {
      return defaultNanos;
    }
    try {
      double seconds = Double.parseDouble(value);
      if (!value.matches("[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?")) {
        throw new NumberFormatException();
      }
      return (long) (seconds * SECOND);
    } catch (NumberFormatException e) {
      try {
        return FakeLokiLogQL.promDuration(value);
      } catch (IllegalArgumentException e2) {
        throw Refusal.badRequest("cannot parse " + FakeLokiLogQL.goQuote(value) + " to a valid duration");
      }
    }
  }

  // ---------------------------------------------------------------- JSON, as Loki's jsoniter writes it

  /** A value of a stream: {@code ["<ns>","<line>"]}, plus the metadata object when categorized. */
  private static void value(StringBuilder out, Stored e, boolean categorize) {
    out.append("[\"").append(e.nanos).append("\",");
    string(out, e.line, true);
    if (categorize) {
      out.append(",{");
      if (!e.metadata.isEmpty()) {
        out.append("\"structuredMetadata\":");
        labels(out, e.metadata);
      }
      out.append('}');
    }
    out.append(']');
  }

  private static void labels(StringBuilder out, Map<String, String> labels) {
    out.append('{');
    boolean first = true;
    for (Map.Entry<String, String> l : labels.entrySet()) {
      out.append(first ? "" : ",");
      string(out, l.getKey(), false);
      out.append(':');
      string(out, l.getValue(), false);
      first = false;
    }
    out.append('}');
  }

  private static void flagsField(StringBuilder out, List<String> flags) {
    if (!flags.isEmpty()) {
      out.append(",\"encodingFlags\":");
      stringArray(out, flags);
    }
  }

  private static void stringArray(StringBuilder out, List<String> values) {
    out.append('[');
    for (int i = 0; i < values.size(); i++) {
      out.append(i == 0 ? "" : ",");
      string(out, values.get(i), false);
    }
    out.append(']');
  }

  /** A minimal statistics object of Loki's shape (pkg/logqlmodel/stats). */
  private static void stats(StringBuilder out, int linesProcessed, int returned) {
    out.append("{\"summary\":{\"bytesProcessedPerSecond\":0,\"linesProcessedPerSecond\":0,")
        .append("\"totalBytesProcessed\":0,\"totalLinesProcessed\":").append(linesProcessed)
        .append(",\"execTime\":0,\"queueTime\":0,\"subqueries\":0,\"totalEntriesReturned\":").append(returned)
        .append(",\"splits\":0,\"shards\":0,\"totalPostFilterLines\":").append(linesProcessed)
        .append(",\"totalStructuredMetadataBytesProcessed\":0},\"querier\":{\"store\":{}},\"ingester\":{},")
        .append("\"cache\":{}}");
  }

  /** Prometheus' model.Time.String: seconds with up to three decimals, from nanoseconds truncated to millis. */
  static String seconds(long nanos) {
    long millis = nanos / 1_000_000L; // truncates toward zero, as Go's integer division
    return BigDecimal.valueOf(millis, 3).stripTrailingZeros().toPlainString();
  }

  /**
   * jsoniter's string writing: {@code "} and {@code \} escaped, \n \r \t, other control characters and U+2028/9 as
   * {@code \}{@code u00XX}; lines additionally escape {@code < > &} (WriteStringWithHTMLEscaped).
   */
  private static void string(StringBuilder out, String s, boolean html) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"':
          out.append("\\\"");
          break;
        case '\\':
          out.append("\\\\");
          break;
        case '\n':
          out.append("\\n");
          break;
        case '\r':
          out.append("\\r");
          break;
        case '\t':
          out.append("\\t");
          break;
        default:
          if (c < 0x20 || c == '\u2028' || c == '\u2029' || html && (c == '<' || c == '>' || c == '&')) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
      }
    }
    out.append('"');
  }
}
