package dev.threadline.loki;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Loki stand-in for tests: an HTTP server on 127.0.0.1 that decodes pushes as a real Loki does and enforces
 * Loki's rules with its default limits, records what it accepted, and misbehaves on request.
 *
 * <p><b>What it accepts.</b> {@code POST /loki/api/v1/push} only: another path is a 404
 * ({@code 404 page not found}), another method on that path a 405, as Loki's router answers. The body is decoded by
 * {@code Content-Encoding} ({@code gzip}, {@code deflate} or none) and then by {@code Content-Type}:
 * {@code application/json} is JSON (timestamps as strings of nanoseconds; a number is a 400), any other media type
 * a snappy block of a protobuf {@code logproto.PushRequest}, read with protobuf-java's {@code DynamicMessage}
 * ({@link LokiReceiverProto}) and snappy-java, independently of the appender's encoder. A missing
 * {@code Content-Type} is a 400 {@code mime: no media type}, as in Loki's code (see {@link LokiReceiverPush}).
 *
 * <p><b>Loki's rules</b> ({@link LokiReceiverRules}): label text parsed as Prometheus does, names
 * {@code [a-zA-Z_][a-zA-Z0-9_]*} and never {@code __}-prefixed, no duplicates, at least one and at most 15 labels,
 * names up to 1024 bytes and values up to 2048; lines up to {@code maxLineBytes} (256 KiB by default); structured
 * metadata up to 128 pairs and 64 KiB; timestamps no older than 168 h and no more than 10 min ahead of the
 * receiver's clock, and no more than an hour behind the newest entry the stream has had (the out-of-order window,
 * answered as the ingester does, {@code total ignored: N out of M}). A decoded {@code PushRequest} over 4 MiB is a 500 ({@code grpc_server_max_recv_msg_size}),
 * checked before anything else. Like Loki, a request with some invalid streams or entries stores the valid ones and
 * then answers 400 with the last error's text; a fully valid one is a 204. Error bodies end with a newline, as Go's
 * {@code http.Error} writes them. The tenant is {@code X-Scope-OrgID}, {@code "fake"} when absent; two tenants
 * ({@code a|b}) or an invalid one are a 400.
 *
 * <p><b>Faults</b>, thread-safe and usable while clients are sending: {@link #respondNextWith} and
 * {@link #resetNextConnections} queue one-shot behaviours for the next pushes in the order they were queued;
 * {@link #latency} delays every response; {@link #goDown}, {@link #comeUp} and {@link #downFor} take the listener
 * away and bring it back on the same port, so {@link #url()} stays valid.
 *
 * <p>The server runs handlers on a pool of {@value #HANDLER_THREADS} threads, so delayed responses overlap.
 */
final class LokiReceiver implements AutoCloseable {

  /** The one path Loki's push API answers. */
  static final String PUSH_PATH = "/loki/api/v1/push";
  /** gRPC's default {@code grpc_server_max_recv_msg_size} in Loki: 4 MiB. */
  static final int MAX_RECV_MSG_SIZE = 4 * 1024 * 1024;
  /** The tenant Loki uses when auth is off, and this receiver when {@code X-Scope-OrgID} is absent. */
  static final String DEFAULT_TENANT = "fake";

  private static final int HANDLER_THREADS = 4;
  private static final int MAX_TENANT_LENGTH = 150;
  private static final String TEXT_PLAIN = "text/plain; charset=utf-8";

  /**
   * An accepted entry.
   *
   * @param tenant the {@code X-Scope-OrgID} it came with, or {@value #DEFAULT_TENANT}
   * @param labels the stream's labels as Loki stores them: parsed, sorted by name, empty values dropped
   * @param timestampNanos nanoseconds since the epoch
   * @param line the log line
   * @param structuredMetadata the entry's structured metadata in wire order, empty if none
   */
  record Entry(String tenant, Map<String, String> labels, long timestampNanos, String line,
      Map<String, String> structuredMetadata) {
  }

  /**
   * One HTTP request as it was received and answered.
   *
   * @param method the HTTP method
   * @param path the request path, without the query
   * @param headers the request headers; the map is case-insensitive, as HTTP header names are
   * @param status the status sent, or 0 when the connection was closed without a response ({@link #resetNextConnections})
   * @param bodyBytes the body's size as sent
   * @param decodedBytes the body after decoding: the JSON after gzip or deflate, the protobuf after snappy; 0 when it
   *     could not be decoded or was not a push
   * @param entries the number of entries decoded from the body, accepted or not
   */
  record Request(String method, String path, Map<String, List<String>> headers, int status, int bodyBytes,
      int decodedBytes, int entries) {

    /** The first value of a header, or null when it is absent. */
    String header(String name) {
      List<String> values = headers.get(name);
      return values == null || values.isEmpty() ? null : values.get(0);
    }
  }

  /** A queued one-shot behaviour; {@code reset} faults have no status. */
  private static final class Fault {
    final boolean reset;
    final int status;
    final String body;
    final Map<String, String> headers;
    int remaining;

    Fault(boolean reset, int status, String body, Map<String, String> headers, int times) {
      this.reset = reset;
      this.status = status;
      this.body = body;
      this.headers = headers;
      this.remaining = times;
    }
  }

  private final InetSocketAddress address;
  private final LokiReceiverRules rules;
  private final ExecutorService handlers;
  private final ScheduledExecutorService timer;

  private final Object lifecycle = new Object();
  private HttpServer server; // guarded by lifecycle; null while down
  private boolean closed; // guarded by lifecycle

  private final Object records = new Object();
  private final List<Entry> entries = new ArrayList<>(); // guarded by records
  private final List<Request> requests = new ArrayList<>(); // guarded by records
  private int acceptedBatches; // guarded by records

  private final Deque<Fault> faults = new ArrayDeque<>(); // guarded by itself
  private volatile Duration latency = Duration.ZERO;
  private volatile java.util.function.Consumer<Entry> sink;

  private LokiReceiver(int maxLineBytes, Clock clock) {
    if (maxLineBytes < 0) {
      throw new IllegalArgumentException("maxLineBytes must be >= 0 (0 disables the limit): " + maxLineBytes);
    }
    this.rules = new LokiReceiverRules(maxLineBytes, Objects.requireNonNull(clock, "clock"));
    this.handlers = Executors.newFixedThreadPool(HANDLER_THREADS, daemonThreads("loki-receiver-"));
    this.timer = Executors.newSingleThreadScheduledExecutor(daemonThreads("loki-receiver-timer-"));
    HttpServer first;
    try {
      first = bind(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0));
    } catch (IOException e) {
      handlers.shutdownNow();
      timer.shutdownNow();
      throw new UncheckedIOException("cannot bind the Loki receiver to 127.0.0.1", e);
    }
    this.address = first.getAddress();
    this.server = first;
  }

  /** Starts a receiver with Loki's default limits on a free port of 127.0.0.1. */
  static LokiReceiver start() {
    return start(LokiReceiverRules.DEFAULT_MAX_LINE_BYTES);
  }

  /** Starts a receiver whose {@code max_line_size} is {@code maxLineBytes} (0 disables it, as in Loki). */
  static LokiReceiver start(int maxLineBytes) {
    return start(maxLineBytes, Clock.systemUTC());
  }

  /**
   * Starts a receiver that judges timestamps by {@code clock} (too old: before now - 168 h; too new: after
   * now + 10 min), for tests whose appender runs on a fixed or fake clock.
   */
  static LokiReceiver start(int maxLineBytes, Clock clock) {
    return new LokiReceiver(maxLineBytes, clock);
  }

  /** {@code http://127.0.0.1:<port>}, the base URL a client appends {@value #PUSH_PATH} to; the same across restarts. */
  String url() {
    return "http://127.0.0.1:" + address.getPort();
  }

  /** The accepted entries, in the order they were accepted; a snapshot. */
  List<Entry> entries() {
    synchronized (records) {
      return List.copyOf(entries);
    }
  }

  /** Every request received, in the order they were answered; a snapshot. */
  List<Request> requests() {
    synchronized (records) {
      return List.copyOf(requests);
    }
  }

  /** How many push requests were answered 204: fully accepted batches (a partly accepted 400 does not count). */
  int acceptedBatches() {
    synchronized (records) {
      return acceptedBatches;
    }
  }

  /** Forgets the recorded entries, requests and accepted batches; queued faults and latency stay. */
  void clear() {
    synchronized (records) {
      entries.clear();
      requests.clear();
      acceptedBatches = 0;
    }
  }

  /**
   * Answers the next {@code times} pushes with {@code status}, {@code body} and {@code headers} instead of Loki's
   * answer, e.g. {@code 429} with {@code Retry-After: 1}, or {@code 500}. The pushes are read and decoded (their
   * size and entry count appear in {@link #requests()}) but, like pushes Loki refuses, add nothing to
   * {@link #entries()}. Queued after any faults already pending.
   */
  void respondNextWith(int status, String body, Map<String, String> headers, int times) {
    if (status < 100 || status > 999) {
      throw new IllegalArgumentException("status must be a 3-digit HTTP status: " + status);
    }
    enqueue(new Fault(false, status, body == null ? "" : body, Map.copyOf(headers), times));
  }

  /**
   * Drops the connection of each of the next {@code n} pushes without answering: the request is read in full,
   * nothing is recorded as accepted, and the connection is closed (FIN, no status line; {@link Request#status()} is
   * 0). The JDK 17 {@code HttpClient}, set to HTTP/1.1 or to its default HTTP/2 (which this server answers in
   * HTTP/1.1), on a fresh or a reused connection alike, fails the send with a plain {@link IOException}
   * "HTTP/1.1 header parser received no bytes" (not a {@link java.net.ConnectException}) and does not retry the POST
   * by itself. Queued after any faults already pending.
   */
  void resetNextConnections(int n) {
    enqueue(new Fault(true, 0, "", Map.of(), n));
  }

  /** Drops the queued faults that have not fired yet. */
  void clearFaults() {
    synchronized (faults) {
      faults.clear();
    }
  }

  /** Waits {@code delay} after reading each request and before answering it (or resetting it); zero to stop. */
  void latency(Duration delay) {
    if (delay.isNegative()) {
      throw new IllegalArgumentException("latency must not be negative: " + delay);
    }
    latency = delay;
  }

  /**
   * Stops listening and closes every open connection, so new connections are refused
   * ({@link java.net.ConnectException}) and requests in flight fail. Does nothing if already down.
   */
  void goDown() {
    synchronized (lifecycle) {
      if (server != null) {
        server.stop(0);
        server = null;
      }
    }
  }

  /**
   * Listens again on the same port (server sockets bind with {@code SO_REUSEADDR}, so connections of the previous
   * server in {@code TIME_WAIT} do not block it). Does nothing if up or closed.
   *
   * @throws UncheckedIOException if another process took the port meanwhile
   */
  void comeUp() {
    synchronized (lifecycle) {
      if (server != null || closed) {
        return;
      }
      IOException failure = null;
      for (int attempt = 0; attempt < 50; attempt++) {
        try {
          server = bind(address);
          return;
        } catch (BindException e) {
          failure = e;
          sleep(Duration.ofMillis(100));
        } catch (IOException e) {
          failure = e;
          break;
        }
      }
      throw new UncheckedIOException("cannot listen on " + address + " again", failure);
    }
  }

  /** Goes down now and comes up again on the same port after {@code downtime}, on a timer thread. */
  void downFor(Duration downtime) {
    goDown();
    timer.schedule(this::comeUp, downtime.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** Stops listening and releases the threads; the receiver does not come up again. */
  @Override
  public void close() {
    synchronized (lifecycle) {
      closed = true;
      if (server != null) {
        server.stop(0);
        server = null;
      }
    }
    timer.shutdownNow();
    handlers.shutdownNow();
    try {
      handlers.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private HttpServer bind(InetSocketAddress at) throws IOException {
    HttpServer created = HttpServer.create(at, 0);
    created.createContext("/", this::handle);
    created.setExecutor(handlers);
    created.start();
    return created;
  }

  private void enqueue(Fault fault) {
    if (fault.remaining < 1) {
      throw new IllegalArgumentException("times must be at least 1: " + fault.remaining);
    }
    synchronized (faults) {
      faults.addLast(fault);
    }
  }

  private Fault nextFault() {
    synchronized (faults) {
      Fault fault = faults.peekFirst();
      if (fault != null && --fault.remaining == 0) {
        faults.removeFirst();
      }
      return fault;
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    String method = exchange.getRequestMethod();
    String path = exchange.getRequestURI().getPath();
    Map<String, List<String>> headers = copy(exchange.getRequestHeaders());
    try (exchange) {
      byte[] body = exchange.getRequestBody().readAllBytes();
      if (!PUSH_PATH.equals(path)) {
        record(new Request(method, path, headers, 404, body.length, 0, 0), List.of(), false);
        respond(exchange, 404, "404 page not found\n", Map.of("Content-Type", TEXT_PLAIN));
        return;
      }
      if (!"POST".equals(method)) {
        record(new Request(method, path, headers, 405, body.length, 0, 0), List.of(), false);
        respond(exchange, 405, "", Map.of());
        return;
      }
      push(exchange, method, path, headers, body);
    } catch (RuntimeException e) {
      // A bug here must not look like a network fault to the client under test: answer 500 and say so.
      e.printStackTrace();
      record(new Request(method, path, headers, 500, 0, 0, 0), List.of(), false);
      try {
        respond(exchange, 500, "Loki receiver failed: " + e + "\n", Map.of("Content-Type", TEXT_PLAIN));
      } catch (IOException | RuntimeException ignored) {
        // the response was already under way; the connection closes with the exchange
      }
    }
  }

  private void push(HttpExchange exchange, String method, String path, Map<String, List<String>> headers,
      byte[] body) throws IOException {
    String tenant = exchange.getRequestHeaders().getFirst("X-Scope-OrgID");
    String error = null;
    LokiReceiverPush.Decoded decoded = null;
    if (tenant == null || tenant.isEmpty()) {
      tenant = DEFAULT_TENANT;
    } else {
      error = validateTenant(tenant);
    }
    if (error == null) {
      try {
        decoded = LokiReceiverPush.decode(exchange.getRequestHeaders().getFirst("Content-Type"),
            exchange.getRequestHeaders().getFirst("Content-Encoding"), body);
      } catch (LokiReceiverPush.Rejected e) {
        error = e.getMessage();
      }
    }
    int decodedBytes = decoded == null ? 0 : decoded.decodedBytes();
    int decodedEntries = decoded == null ? 0
        : decoded.streams().stream().mapToInt(stream -> stream.entries().size()).sum();

    Duration delay = latency;
    if (!delay.isZero()) {
      sleep(delay);
    }
    Fault fault = nextFault();
    if (fault != null && fault.reset) {
      record(new Request(method, path, headers, 0, body.length, decodedBytes, decodedEntries), List.of(), false);
      // Closing before sendResponseHeaders makes the JDK server close the TCP connection: no status line at all.
      exchange.close();
      return;
    }
    if (fault != null) {
      record(new Request(method, path, headers, fault.status, body.length, decodedBytes, decodedEntries), List.of(),
          false);
      respond(exchange, fault.status, fault.body, fault.headers);
      return;
    }
    if (error != null) {
      record(new Request(method, path, headers, 400, body.length, decodedBytes, decodedEntries), List.of(), false);
      respond(exchange, 400, error + "\n", Map.of("Content-Type", TEXT_PLAIN));
      return;
    }
    if (decoded.messageBytes() > MAX_RECV_MSG_SIZE) {
      record(new Request(method, path, headers, 500, body.length, decodedBytes, decodedEntries), List.of(), false);
      respond(exchange, 500, "rpc error: code = ResourceExhausted desc = grpc: received message larger than max ("
          + decoded.messageBytes() + " vs. " + MAX_RECV_MSG_SIZE + ")\n", Map.of("Content-Type", TEXT_PLAIN));
      return;
    }
    LokiReceiverRules.Outcome outcome = rules.apply(tenant, decoded.streams());
    List<Entry> accepted = new ArrayList<>(outcome.kept().size());
    for (LokiReceiverRules.Kept kept : outcome.kept()) {
      LokiReceiverPush.Entry entry = kept.entry();
      Map<String, String> metadata = new LinkedHashMap<>();
      entry.structuredMetadata().forEach(pair -> metadata.put(pair.name(), pair.value()));
      accepted.add(new Entry(tenant, kept.labels(), entry.timestampNanos(), entry.line(),
          Collections.unmodifiableMap(metadata)));
    }
    int status = outcome.lastError() == null ? 204 : 400;
    // Loki has stored the entries by the time it answers: a response lost on the way does not undo them.
    record(new Request(method, path, headers, status, body.length, decodedBytes, decodedEntries), accepted,
        status == 204);
    if (status == 204) {
      respond(exchange, 204, "", Map.of());
    } else {
      respond(exchange, 400, outcome.lastError() + "\n", Map.of("Content-Type", TEXT_PLAIN));
    }
  }

  /** dskit's tenant checks: one tenant, at most 150 characters of {@code [a-zA-Z0-9!-_.*'()]}, not "." or "..". */
  private static String validateTenant(String tenant) {
    if (tenant.indexOf('|') >= 0) {
      return "multiple org IDs present";
    }
    if (tenant.length() > MAX_TENANT_LENGTH) {
      return "tenant ID is too long: max " + MAX_TENANT_LENGTH + " characters";
    }
    if (tenant.equals(".") || tenant.equals("..")) {
      return "tenant ID is '.' or '..'";
    }
    for (int i = 0; i < tenant.length(); i++) {
      char c = tenant.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || "!-_.*'()".indexOf(c) >= 0;
      if (!ok) {
        return "tenant ID '" + tenant + "' contains unsupported character '" + c + "'";
      }
    }
    return null;
  }

  /**
   * Hands every accepted entry to {@code sink} instead of keeping it (for runs of millions of entries); {@code null}
   * keeps them again. The sink is called under the receiver's lock, in the order entries are accepted.
   */
  void sink(java.util.function.Consumer<Entry> sink) {
    this.sink = sink;
  }

  private void record(Request request, List<Entry> accepted, boolean batchAccepted) {
    synchronized (records) {
      requests.add(request);
      java.util.function.Consumer<Entry> to = sink;
      if (to == null) {
        entries.addAll(accepted);
      } else {
        accepted.forEach(to);
      }
      if (batchAccepted) {
        acceptedBatches++;
      }
    }
  }

  private static void respond(HttpExchange exchange, int status, String body, Map<String, String> headers)
      throws IOException {
    headers.forEach(exchange.getResponseHeaders()::set);
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    if (status == 204 || status == 304 || bytes.length == 0) {
      exchange.sendResponseHeaders(status, -1);
      return;
    }
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static Map<String, List<String>> copy(Headers headers) {
    Map<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.forEach((name, values) -> copy.put(name, List.copyOf(values)));
    return Collections.unmodifiableMap(copy);
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis(), duration.toNanosPart() % 1_000_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
