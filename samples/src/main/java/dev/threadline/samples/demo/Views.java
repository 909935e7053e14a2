package dev.threadline.samples.demo;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The demo's printed views, from the parsed lines. */
final class Views {

  private final PrintStream out;

  Views(PrintStream out) {
    this.out = out;
  }

  /**
   * View 1: every line exactly as the services wrote it, service by service; stderr (JVM warnings, Logback's
   * status) is not part of the log stream and is only counted.
   */
  void raw(List<ChildJvm> services, List<LogLine> lines, List<String> unparsable) {
    header("1. The JSON lines, as the services wrote them to stdout");
    for (ChildJvm service : services) {
      List<LogLine> own = lines.stream().filter(l -> service.name().equals(l.source())).toList();
      out.println("--- " + service.name() + ": " + own.size() + " lines (" + service.stdout() + ")");
      own.forEach(l -> out.println(l.raw()));
    }
    for (ChildJvm service : services) {
      long count = lineCount(service.stderr());
      if (count > 0) {
        out.println("--- " + service.name() + " also wrote " + count + (count == 1 ? " line" : " lines")
            + " to stderr (" + service.stderr() + ")");
      }
    }
    if (!unparsable.isEmpty()) {
      out.println("--- lines that are not Threadline JSON: " + unparsable.size());
      unparsable.forEach(out::println);
    }
  }

  /**
   * View 2: one request, found by its requestId, every line from every service in timestamp order; indented by
   * span depth (a span is the child of the {@code parent_span_id} its lines name), so the hops read as a tree.
   */
  void trace(List<LogLine> all, String requestId, String what) {
    header("2. Request tracing: " + what);
    if (requestId == null) {
      out.println("(no request id: the failing request did not answer with X-Request-Id)");
      return;
    }
    List<LogLine> lines = new ArrayList<>(all.stream().filter(l -> requestId.equals(l.requestId())).toList());
    lines.sort(Comparator.comparing(LogLine::timestamp));
    Map<String, String> parents = new HashMap<>();
    for (LogLine line : lines) {
      if (line.spanId() != null && line.parentSpanId() != null) {
        parents.putIfAbsent(line.spanId(), line.parentSpanId());
      }
    }
    Set<String> spans = new HashSet<>();
    lines.forEach(l -> spans.add(l.spanId()));
    Map<String, Long> perService = new LinkedHashMap<>();
    lines.forEach(l -> perService.merge(l.service(), 1L, Long::sum));
    out.println("requestId=" + requestId + "  trace_id=" + new TreeSet<>(lines.stream().map(LogLine::traceId)
        .filter(java.util.Objects::nonNull).toList()) + "  lines: " + perService);
    out.println("(time order; the message is indented by span depth: each hop's span is the child of the parent"
        + " span its access or call line names)");
    out.printf("%-15s  %-18s  %-5s  %-20s  %-16s %-16s  %s%n", "time (UTC)", "service", "level", "logger", "span_id",
        "parent", "message");
    for (LogLine line : lines) {
      String time = line.timestamp().length() >= 26 ? line.timestamp().substring(11, 26) : line.timestamp();
      String indent = "  ".repeat(depth(line.spanId(), parents, spans));
      String message = line.message() == null ? "" : line.message();
      if (line.error() != null) {
        message += "  [" + simpleName(line.errorType()) + " " + line.fingerprint() + "]";
      }
      out.printf("%-15s  %-18s  %-5s  %-20s  %-16s %-16s  %s%s%n", time, line.service(), line.level(),
          shortLogger(line.logger()), line.spanId() == null ? "-" : line.spanId(),
          line.parentSpanId() == null ? "" : line.parentSpanId(), indent, message);
    }
  }

  /**
   * View 3: error events (error and warn lines with an exception) grouped by {@code error.fingerprint} across
   * both services, most frequent first.
   */
  void fingerprints(List<LogLine> lines) {
    header("3. Error fingerprints");
    Map<String, List<LogLine>> groups = new LinkedHashMap<>();
    lines.stream().filter(LogLine::isErrorEvent).sorted(Comparator.comparing(LogLine::timestamp))
        .forEach(l -> groups.computeIfAbsent(l.fingerprint(), k -> new ArrayList<>()).add(l));
    out.printf("%5s  %-16s  %-20s  %-34s  %s%n", "count", "fingerprint", "services", "error.type (simple name)",
        "first message");
    groups.entrySet().stream().sorted((a, b) -> Integer.compare(b.getValue().size(), a.getValue().size()))
        .forEach(e -> {
          LogLine first = e.getValue().get(0);
          Set<String> services = new TreeSet<>();
          Set<String> requests = new HashSet<>();
          e.getValue().forEach(l -> {
            services.add(l.service());
            requests.add(l.requestId());
          });
          out.printf("%5d  %-16s  %-20s  %-34s  %s (%d request%s)%n", e.getValue().size(), e.getKey(),
              String.join(",", services), simpleName(first.errorType()), first.message(), requests.size(),
              requests.size() == 1 ? "" : "s");
        });
  }

  /** With Loki: the same views as LogQL to paste into Grafana's Explore. */
  void logQl(String lokiUrl, String requestId) {
    header("Loki: the same lines were shipped to " + lokiUrl + " (requestId and error_fingerprint as structured"
        + " metadata)");
    String services = "{service=~\"" + Demo.ORDER_API + "|" + Demo.WORKER + "\"}";
    out.println("# the failing request, across both services");
    out.println(services + " | requestId=\"" + requestId + "\"");
    out.println("# error events (error and warn lines with an exception) by fingerprint, over the last 15 minutes");
    out.println("sum by (error_fingerprint) (count_over_time({service=~\"" + Demo.ORDER_API + "|" + Demo.WORKER
        + "\", level=~\"error|warn\"} | error_fingerprint!=\"\" [15m]))");
  }

  /** The same views, from the terminal: the threadline CLI over this run's files (and its Loki, when shipping). */
  void cli(java.nio.file.Path dir, String lokiUrl, String requestId) {
    header("The same, with the threadline CLI (README: \"threadline: a request's journey in a terminal\")");
    String files = dir.resolve(Demo.ORDER_API + ".log") + " " + dir.resolve(Demo.WORKER + ".log");
    String jar = "java -jar cli/target/threadline.jar";
    out.println(jar + " trace " + requestId + " " + files);
    out.println(jar + " errors " + files);
    out.println("cat " + files + " | " + jar + " tail --level warn");
    if (lokiUrl != null) {
      out.println(jar + " trace " + requestId + " --loki " + lokiUrl);
      out.println(jar + " errors --since 15m --loki " + lokiUrl);
    }
  }

  /** The checks, and the verdict the exit status follows. */
  void verdict(Demo.Result result, double seconds) {
    header("What the logs prove");
    result.passed().forEach(p -> out.println("  ok    " + p));
    result.problems().forEach(p -> out.println("  FAIL  " + p));
    out.printf("%s (%.1f s)%n", result.storyHappened() ? "The story happened as told"
        : "The story did NOT happen as told: " + result.problems().size() + " check(s) failed", seconds);
  }

  private static long lineCount(java.nio.file.Path file) {
    try (java.util.stream.Stream<String> lines = java.nio.file.Files.lines(file)) {
      return lines.filter(l -> !l.isBlank()).count();
    } catch (java.io.IOException | java.io.UncheckedIOException e) {
      return 0;
    }
  }

  private void header(String title) {
    out.println();
    out.println("=== " + title + " " + "=".repeat(Math.max(3, 100 - title.length())));
  }

  /** How many of the span's ancestors are spans of this request (the first span's caller, if any, is not). */
  private static int depth(String span, Map<String, String> parents, Set<String> spans) {
    int depth = 0;
    Set<String> seen = new HashSet<>();
    for (String s = parents.get(span); s != null && spans.contains(s) && seen.add(s); s = parents.get(s)) {
      depth++;
    }
    return depth;
  }

  private static String simpleName(String type) {
    return type == null ? "" : type.substring(Math.max(type.lastIndexOf('.'), type.lastIndexOf('$')) + 1);
  }

  private static String shortLogger(String logger) {
    int dot = logger.lastIndexOf('.');
    return dot < 0 ? logger : logger.substring(dot + 1);
  }
}
