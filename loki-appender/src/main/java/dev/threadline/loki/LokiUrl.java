package dev.threadline.loki;

import java.net.URI;
import java.util.List;
import java.util.Locale;

/** Loki's base URL as configured: checked with a message that says what to write, and shown without user-info. */
final class LokiUrl {

  private LokiUrl() {
  }

  /** The push URI for Loki's base {@code url}; null, with the mistake in {@code problems}, when it is not one. */
  static URI pushUri(String url, List<String> problems) {
    String u = url.trim();
    String shown = redact(u);
    if (!u.contains("://")) {
      if (u.matches("(?i)https?//.*")) {
        problems.add("url '" + shown + "' lacks the ':' after its scheme; write " + redact(u.replaceFirst("//", "://")));
      } else {
        problems.add("url '" + shown + "' has no scheme; write http://" + shown + " (or https://)");
      }
      return null;
    }
    URI uri;
    try {
      uri = URI.create(u.replaceAll("/+$", "") + LokiClient.PUSH_PATH);
    } catch (IllegalArgumentException e) {
      problems.add("url '" + shown + "' is not a valid URL (" + e.getMessage().replace(u, shown) + ")");
      return null;
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      problems.add("url '" + shown + "' must start with http:// or https://, not " + scheme + "://");
      return null;
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      problems.add("url '" + shown + "' has no host; write it as http://loki:3100");
      return null;
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      problems.add("url '" + shown + "' must be Loki's base URL, without a query or fragment");
      return null;
    }
    return uri;
  }

  /** A URL as it may be shown: without user-info (a password in it). */
  static String redact(String url) {
    return url == null ? null : url.replaceAll("(?<=://)[^/@?#]*@", "");
  }
}
