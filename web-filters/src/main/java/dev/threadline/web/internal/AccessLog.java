package dev.threadline.web.internal;

import dev.threadline.core.Correlation;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * The access line of an inbound request, the same for every server integration (servlet, WebFlux): its settings,
 * which requests get one, its level by status and its fields ({@code method}, {@code path}, {@code query},
 * {@code status}, {@code duration_ms}, {@code user_agent}, {@code client_ip}, {@code parent_span_id}).
 * Settings are written at configuration time and read by every request.
 */
public final class AccessLog {

  /** The paths that get no access line by default: health checks. */
  public static final String DEFAULT_SKIP = "/actuator/health,/actuator/health/**,/health,/healthz,/livez,/readyz";

  private static final int MAX_USER_AGENT = 512;
  private static final int MAX_PATH = 2048;

  private volatile boolean enabled = true;
  private volatile Logger logger = LoggerFactory.getLogger("dev.threadline.access");
  private volatile List<PathPattern> skip = PathPattern.parseAll(DEFAULT_SKIP);
  private volatile boolean logQuery;
  private volatile boolean trustForwardedFor;
  private volatile Level clientErrorLevel = Level.WARN;
  private volatile Level serverErrorLevel = Level.ERROR;

  /** What the access line reads of one request; each server integration adapts its own request to it. */
  public interface Request {
    /** The HTTP method. */
    String method();

    /** The path as sent, without query string (path parameters are removed here). */
    String rawPath();

    /** The query string as sent; {@code null}: none. */
    String query();

    /** A request header's first value; {@code null}: absent. */
    String header(String name);

    /** The peer's IP address; {@code null}: unknown. */
    String remoteAddress();
  }

  /** Whether access lines are written at all. */
  public boolean enabled() {
    return enabled;
  }

  /**
   * Whether the request whose path within the application (decoded, dot segments resolved, no path parameters) is
   * {@code path} gets no access line.
   */
  public boolean skips(String path) {
    for (PathPattern p : skip) {
      if (p.matches(path)) {
        return true;
      }
    }
    return false;
  }

  /** INFO below 400, the client-error level for 4xx, the server-error level for 5xx. */
  public Level level(int status) {
    return AccessLines.level(status, clientErrorLevel, serverErrorLevel);
  }

  /**
   * Writes the access line, unless its level is off. The caller has the request's correlation in scope and has
   * checked {@link #enabled()} and {@link #skips}.
   */
  public void write(Request request, int status, long nanos, Correlation correlation) {
    Level level = level(status);
    if (!logger.isEnabledForLevel(level)) {
      return;
    }
    String method = request.method();
    String loggedPath = AccessLines.cap(Paths.withoutPathParameters(request.rawPath()), MAX_PATH);
    double durationMs = AccessLines.millis(nanos);
    LoggingEventBuilder line = logger.atLevel(level)
        .addKeyValue("method", method)
        .addKeyValue("path", loggedPath);
    String query = request.query();
    if (logQuery && query != null) {
      line = line.addKeyValue("query", AccessLines.cap(query, MAX_PATH));
    }
    line = line.addKeyValue("status", status).addKeyValue("duration_ms", durationMs);
    String userAgent = request.header("User-Agent");
    if (userAgent != null) {
      line = line.addKeyValue("user_agent", AccessLines.cap(userAgent, MAX_USER_AGENT));
    }
    String clientIp = clientIp(request);
    if (clientIp != null) {
      line = line.addKeyValue("client_ip", clientIp);
    }
    if (correlation.parentSpanId().isPresent()) {
      line = line.addKeyValue("parent_span_id", correlation.parentSpanId().get());
    }
    line.log("{} {} {} {} ms", method, loggedPath, status, durationMs);
  }

  private String clientIp(Request request) {
    if (trustForwardedFor) {
      String forwarded = request.header("X-Forwarded-For");
      if (forwarded != null) {
        int comma = forwarded.indexOf(',');
        String first = (comma < 0 ? forwarded : forwarded.substring(0, comma)).trim();
        if (isIpLiteral(first)) {
          return first;
        }
      }
    }
    String remote = request.remoteAddress();
    return remote != null && isIpLiteral(remote) ? remote : null;
  }

  /** IPv4 or IPv6 text: digits, hex letters, dots and colons (and a zone's %), at most 45 characters. */
  public static boolean isIpLiteral(String s) {
    if (s.isEmpty() || s.length() > 45) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '.'
          || c == ':' || c == '%';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  // ---- settings

  /** Whether to write the access line. Default true. */
  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  /** The logger name of the access lines. Default {@code dev.threadline.access}. */
  public void setLogger(String name) {
    this.logger = LoggerFactory.getLogger(name.trim());
  }

  /**
   * Comma-separated path patterns that get no access line: exact paths, or a prefix ending in {@code /**}.
   *
   * @throws IllegalArgumentException for a pattern that does not start with '/'
   */
  public void setSkip(String patterns) {
    this.skip = PathPattern.parseAll(patterns);
  }

  /** Whether the access line carries the query string as {@code query}. Default false. */
  public void setLogQuery(boolean logQuery) {
    this.logQuery = logQuery;
  }

  /** Whether {@code client_ip} is the first address of {@code X-Forwarded-For}. Default false. */
  public void setTrustForwardedFor(boolean trustForwardedFor) {
    this.trustForwardedFor = trustForwardedFor;
  }

  /** The level of 4xx lines. */
  public void setClientErrorLevel(String level) {
    this.clientErrorLevel = AccessLines.parseLevel(level, "clientErrorLevel");
  }

  /** The level of 5xx lines. */
  public void setServerErrorLevel(String level) {
    this.serverErrorLevel = AccessLines.parseLevel(level, "serverErrorLevel");
  }

  /** An exact path, or a prefix ending in {@code /**}. */
  static final class PathPattern {
    private final String exact;
    private final String prefix;

    private PathPattern(String exact, String prefix) {
      this.exact = exact;
      this.prefix = prefix;
    }

    static List<PathPattern> parseAll(String patterns) {
      List<PathPattern> result = new ArrayList<>();
      for (String p : patterns.split(",")) {
        String t = p.trim();
        if (t.isEmpty()) {
          continue;
        }
        if (!t.startsWith("/")) {
          throw new IllegalArgumentException("skip patterns start with '/': '" + t + "'");
        }
        result.add(t.endsWith("/**") ? new PathPattern(null, t.substring(0, t.length() - 2))
            : new PathPattern(t, null));
      }
      return List.copyOf(result);
    }

    boolean matches(String path) {
      return exact != null ? exact.equals(path) : path.startsWith(prefix);
    }
  }
}
