package dev.threadline.cli;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The options every command shares: the source, the filters, the output. */
final class Options {

  private Options() {}

  /** Where the lines come from: Loki, or files, or standard input. */
  static final class Source {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--loki", paramLabel = "URL",
        description = "Loki's base URL (http://localhost:3100). Default: $THREADLINE_LOKI_URL, else $LOKI_ADDR.")
    String loki;

    @Option(names = "--tenant", paramLabel = "ID",
        description = "Sent as X-Scope-OrgID, as the appender's tenant. Default: $THREADLINE_LOKI_TENANT, else"
            + " $LOKI_ORG_ID.")
    String tenant;

    @Option(names = "--username", description = "Basic authentication, as the appender's username.")
    String username;

    @Option(names = "--password", description = "Basic authentication's password. Default: $THREADLINE_LOKI_PASSWORD,"
        + " else $LOKI_PASSWORD (better than the command line, which other users can see).")
    String password;

    @Option(names = "--bearer-token", paramLabel = "TOKEN", description = "Sent as Authorization: Bearer."
        + " Default: $THREADLINE_LOKI_BEARER_TOKEN, else $LOKI_BEARER_TOKEN.")
    String bearerToken;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "60s",
        description = "How long one Loki request may take (default: ${DEFAULT-VALUE}).")
    String timeout;

    boolean isLoki() {
      return loki != null && !loki.isBlank();
    }

    /** The client for {@code --loki}, with the tenant and authorization headers the appender would send. */
    LokiClient client() {
      URI uri;
      try {
        uri = new URI(loki.trim());
      } catch (URISyntaxException e) {
        throw usage("--loki: '" + loki + "' is not a URL (write http://localhost:3100)");
      }
      if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
          || uri.getHost() == null) {
        throw usage("--loki: '" + loki + "' is not an http(s) URL with a host (write http://localhost:3100)");
      }
      Map<String, String> headers = new LinkedHashMap<>();
      if (tenant != null && !tenant.isBlank()) {
        headers.put("X-Scope-OrgID", tenant.trim());
      }
      boolean basic = username != null && !username.isBlank();
      boolean bearer = bearerToken != null && !bearerToken.isBlank();
      if (basic && bearer) {
        throw usage("give --bearer-token or --username/--password, not both");
      }
      if (bearer) {
        headers.put("Authorization", "Bearer " + bearerToken.trim());
      } else if (basic) {
        String pair = username.trim() + ":" + (password == null ? "" : password);
        headers.put("Authorization", "Basic "
            + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
      }
      return new LokiClient(uri, headers, duration("--timeout", timeout));
    }

    ParameterException usage(String message) {
      return new ParameterException(spec.commandLine(), message);
    }

    Duration duration(String option, String text) {
      try {
        return Times.duration(text);
      } catch (IllegalArgumentException e) {
        throw usage(option + ": " + e.getMessage());
      }
    }
  }

  /** Which services and environment. */
  static final class Filters {
    @Option(names = {"-s", "--service"}, paramLabel = "NAME", split = ",",
        description = "Only these services (repeat, or separate with commas).")
    List<String> services = new ArrayList<>();

    @Option(names = {"-e", "--env"}, paramLabel = "ENV", description = "Only this environment (the env label).")
    String env;

    boolean accepts(LogLine line) {
      return (services.isEmpty() || services.contains(line.service())) && (env == null || env.equals(line.env()));
    }
  }

  /** How the result is written. */
  static final class Output {
    @Option(names = "--json", description = "JSON for scripts instead of the view for a person.")
    boolean json;

    @Option(names = "--color", paramLabel = "WHEN", defaultValue = "auto",
        description = "auto (on a terminal, unless NO_COLOR is set), always or never.")
    String color;

    Ansi ansi(Threadline.Io io, CommandSpec spec) {
      return switch (color) {
        case "always" -> new Ansi(true);
        case "never" -> Ansi.OFF;
        case "auto" -> new Ansi(io.terminal() && !io.env().containsKey("NO_COLOR")
            && !"dumb".equals(io.env().get("TERM")));
        default -> throw new ParameterException(spec.commandLine(),
            "--color: '" + color + "' is not auto, always or never");
      };
    }
  }
}
