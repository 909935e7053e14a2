package dev.threadline.cli;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.function.Consumer;

/**
 * Loki's query API as the tool uses it (grafana/loki docs/sources/reference/loki-http-api.md): log queries through
 * {@code query_range}, paged through {@code limit}; metric queries through the instant {@code query}; the tenant
 * ({@code X-Scope-OrgID}) and authorization sent as the appender sends them. Every failure becomes a
 * {@link Failure} whose message says what happened and what to check, with Loki's own text when it gave one.
 */
final class LokiClient {

  /** Loki's default {@code max_entries_limit_per_query} is 5000; pages of 1000 stay well under it. */
  static final int DEFAULT_PAGE = 1000;

  /** Loki's default {@code max_entries_limit_per_query}: no page asks for more, whatever a boundary holds. */
  static final int MAX_LIMIT = 5000;

  /** One log entry of an answer: Loki's time in nanoseconds, the labels it came with, the line. */
  record Entry(long nanos, Map<String, String> labels, String line) {}

  /** One series of a metric answer: its labels and value. */
  record Sample(Map<String, String> metric, double value) {}

  private long crowded;
  private final URI base;
  private final Map<String, String> headers;
  private final HttpClient http;
  private final Duration timeout;

  LokiClient(URI base, Map<String, String> headers, Duration timeout) {
    this.base = base;
    this.headers = headers;
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
        .followRedirects(HttpClient.Redirect.NORMAL).build();
  }

  /** Nanoseconds left before all their entries were read: more entries in one than a query may return. */
  long crowded() {
    return crowded;
  }

  URI base() {
    return base;
  }

  Map<String, String> headers() {
    return headers;
  }

  HttpClient http() {
    return http;
  }

  /**
   * Every entry {@code query} selects in [{@code from}, {@code to}), oldest first, fed to {@code sink} page by
   * page; stops after {@code max} entries and returns how many it fed. Pages go forward from the last time seen;
   * the entries of that last nanosecond that were already fed are skipped on the next page, so nothing is fed twice
   * and nothing is skipped when a page ends in the middle of a nanosecond.
   */
  long queryRange(String query, Instant from, Instant to, int page, long max, Consumer<Entry> sink)
      throws Failure {
    long start = nanos(from);
    long end = nanos(to);
    long fed = 0;
    long boundary = Long.MIN_VALUE;
    Set<Entry> atBoundary = new HashSet<>();
    while (fed < max && start < end) {
      // Ask for the entries of the boundary nanosecond already fed as well as a page of new ones, so that a
      // nanosecond holding more entries than a page is still read through (up to Loki's default entries limit).
      long wanted = Math.min(page, max - fed) + atBoundary.size();
      int limit = (int) Math.min(wanted, Math.max(page, MAX_LIMIT));
      Map<String, String> params = new LinkedHashMap<>();
      params.put("query", query);
      params.put("start", Long.toString(start));
      params.put("end", Long.toString(end));
      params.put("limit", Integer.toString(limit));
      params.put("direction", "forward");
      List<Entry> entries = streams(get("/loki/api/v1/query_range", params), query);
      long fresh = 0;
      for (Entry entry : entries) {
        if (entry.nanos() == boundary && atBoundary.contains(entry)) {
          continue;
        }
        if (fed < max) {
          sink.accept(entry);
          fed++;
          fresh++;
        }
      }
      if (entries.size() < limit) {
        return fed;
      }
      long last = entries.get(entries.size() - 1).nanos();
      if (last != boundary) {
        atBoundary.clear();
        boundary = last;
      }
      for (Entry entry : entries) {
        if (entry.nanos() == last) {
          atBoundary.add(entry);
        }
      }
      if (fresh == 0) {
        // More entries in one nanosecond than one query may return: go past it rather than ask again forever,
        // and say so.
        crowded++;
        start = last + 1;
        atBoundary.clear();
      } else {
        start = last;
      }
    }
    return fed;
  }

  /** The first or last entry {@code query} selects in [{@code from}, {@code to}); null when there is none. */
  Entry one(String query, Instant from, Instant to, boolean newest) throws Failure {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("query", query);
    params.put("start", Long.toString(nanos(from)));
    params.put("end", Long.toString(nanos(to)));
    params.put("limit", "1");
    params.put("direction", newest ? "backward" : "forward");
    List<Entry> entries = streams(get("/loki/api/v1/query_range", params), query);
    if (entries.isEmpty()) {
      return null;
    }
    return newest ? entries.get(entries.size() - 1) : entries.get(0);
  }

  /** A metric query's vector at {@code time}. */
  List<Sample> instant(String query, Instant time) throws Failure {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("query", query);
    params.put("time", Long.toString(nanos(time)));
    Map<String, Object> data = data(get("/loki/api/v1/query", params), query);
    if (!"vector".equals(data.get("resultType"))) {
      throw new Failure("Loki answered a " + data.get("resultType") + " for a metric query; expected a vector: "
          + query);
    }
    List<Sample> samples = new ArrayList<>();
    for (Object item : list(data.get("result"))) {
      Map<String, Object> series = map(item);
      List<Object> value = list(series.get("value"));
      if (value.size() != 2) {
        throw unexpected("a vector sample without [time, value]");
      }
      double v;
      try {
        v = new BigDecimal(String.valueOf(value.get(1))).doubleValue();
      } catch (NumberFormatException e) {
        throw unexpected("a sample value that is not a number: " + value.get(1));
      }
      samples.add(new Sample(strings(map(series.get("metric"))), v));
    }
    return samples;
  }

  /** The entries of a {@code streams} answer (query_range, or a tail message), oldest first. */
  static List<Entry> entries(List<Object> streams) throws Failure {
    List<Entry> entries = new ArrayList<>();
    for (Object item : streams) {
      Map<String, Object> stream = map(item);
      Map<String, String> labels = strings(map(stream.get("stream")));
      for (Object v : list(stream.get("values"))) {
        List<Object> value = list(v);
        if (value.size() < 2 || !(value.get(0) instanceof String ns) || !(value.get(1) instanceof String line)) {
          throw unexpected("a stream value that is not [\"<ns>\", \"<line>\", …]");
        }
        try {
          entries.add(new Entry(Long.parseLong(ns), labels, line));
        } catch (NumberFormatException e) {
          throw unexpected("a timestamp that is not nanoseconds: " + ns);
        }
      }
    }
    // Stable: entries of one nanosecond keep Loki's order.
    entries.sort(Comparator.comparingLong(Entry::nanos));
    return entries;
  }

  private List<Entry> streams(String body, String query) throws Failure {
    Map<String, Object> data = data(body, query);
    if (!"streams".equals(data.get("resultType"))) {
      throw new Failure("Loki answered a " + data.get("resultType") + " for a log query; expected streams: "
          + query);
    }
    return entries(list(data.get("result")));
  }

  private static Map<String, Object> data(String body, String query) throws Failure {
    Object parsed;
    try {
      parsed = Json.parse(body);
    } catch (Json.Malformed e) {
      throw unexpected("an answer that is not JSON (" + e.getMessage() + ")");
    }
    Map<String, Object> answer = map(parsed);
    if (!"success".equals(answer.get("status"))) {
      throw new Failure("Loki refused the query " + query + ": " + answer.get("error"));
    }
    return map(answer.get("data"));
  }

  private String get(String path, Map<String, String> params) throws Failure {
    StringJoiner query = new StringJoiner("&");
    params.forEach((k, v) -> query.add(k + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8)));
    URI uri = endpoint(path, query.toString(), false);
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout).GET()
        .header("Accept", "application/json");
    headers.forEach(request::header);
    int attempt = 0;
    while (true) {
      HttpResponse<String> response;
      try {
        response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      } catch (HttpConnectTimeoutException | ConnectException e) {
        throw new Failure("cannot reach Loki at " + base + ": " + describe(e));
      } catch (HttpTimeoutException e) {
        throw new Failure("Loki at " + base + " did not answer within " + timeout.toSeconds()
            + " s (--timeout); a narrower --since, or --service, makes the query cheaper");
      } catch (IOException e) {
        throw new Failure("cannot reach Loki at " + base + ": " + describe(e));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new Failure("interrupted");
      }
      int status = response.statusCode();
      if (status == 200) {
        return response.body();
      }
      // Queries that Loki's scheduler could not take now (429) or a querier that failed (502-504) are worth
      // two more tries; a refusal (4xx) says something about the query and is shown at once.
      if ((status == 429 || status == 502 || status == 503 || status == 504) && attempt++ < 2) {
        sleep(500L << attempt);
        continue;
      }
      throw refusal(status, response.body(), path, params.get("query"));
    }
  }

  Failure refusal(int status, String body, String path, String query) {
    String text = body == null ? "" : body.strip();
    if (text.length() > 500) {
      text = text.substring(0, 500) + "…";
    }
    String said = text.isEmpty() ? "" : ": " + text;
    return switch (status) {
      case 400 -> new Failure("Loki refused the query (400)" + said + "\n  query: " + query);
      case 401, 403 -> new Failure("Loki at " + base + " answered " + status + said
          + "\n  (check --tenant, --username/--password or --bearer-token)");
      case 404 -> new Failure("no Loki query API at " + base + " (404 for " + path + ")" + said
          + "\n  (--loki takes Loki's base URL, such as http://localhost:3100)");
      default -> new Failure("Loki at " + base + " answered " + status + said + "\n  query: " + query);
    };
  }

  /** {@code path} on Loki's base URL, as http(s) or, for the tail, ws(s). */
  URI endpoint(String path, String query, boolean websocket) {
    String scheme = base.getScheme();
    if (websocket) {
      scheme = "https".equals(scheme) ? "wss" : "ws";
    }
    String basePath = base.getRawPath() == null ? "" : base.getRawPath().replaceAll("/+$", "");
    return URI.create(scheme + "://" + base.getRawAuthority() + basePath + path + (query.isEmpty() ? "" : "?"
        + query));
  }

  static String describe(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.nio.channels.UnresolvedAddressException || t instanceof java.net.UnknownHostException) {
        return "unknown host";
      }
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ConnectException || t instanceof java.nio.channels.ClosedChannelException) {
        return "connection refused";
      }
      if (t instanceof javax.net.ssl.SSLException) {
        return "TLS failed: " + t.getMessage();
      }
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        return t.getMessage() + " (" + t.getClass().getSimpleName() + ")";
      }
    }
    return e.getClass().getSimpleName();
  }

  static long nanos(Instant time) {
    return Math.addExact(Math.multiplyExact(time.getEpochSecond(), 1_000_000_000L), time.getNano());
  }

  static Instant instant(long nanos) {
    return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
  }

  private static void sleep(long millis) throws Failure {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Failure("interrupted");
    }
  }

  static Failure unexpected(String what) {
    return new Failure("unexpected answer from Loki: " + what);
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object value) throws Failure {
    if (value instanceof Map<?, ?> m) {
      return (Map<String, Object>) m;
    }
    if (value == null) {
      return Map.of();
    }
    throw unexpected("a " + value.getClass().getSimpleName() + " where an object belongs");
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Object value) throws Failure {
    if (value instanceof List<?> l) {
      return (List<Object>) l;
    }
    if (value == null) {
      return List.of();
    }
    throw unexpected("a " + value.getClass().getSimpleName() + " where an array belongs");
  }

  static Map<String, String> strings(Map<String, Object> map) {
    Map<String, String> out = new LinkedHashMap<>();
    map.forEach((k, v) -> out.put(k, v == null ? "" : v.toString()));
    return out;
  }
}
