package dev.threadline.cli;

import dev.threadline.cli.LogLine.Hop;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code threadline trace}: one request's lines from every service in time order, each indented by the depth of
 * its span in the request's tree. A span's parent is the {@code parent_span_id} that an access, call or message
 * line names, so the hops (those lines) are the tree's edges. The slowest hop and the first problem are marked.
 */
final class TraceView {

  /** One line of the view: the log line, its depth, and its marks. */
  record Row(LogLine line, int depth, Hop hop, boolean slowest, boolean firstError) {}

  private final String id;
  private final List<Row> rows;
  private final Set<String> requestIds = new LinkedHashSet<>();
  private final Set<String> traceIds = new LinkedHashSet<>();
  private final Map<String, Integer> services = new LinkedHashMap<>();
  private final Row slowest;
  private final Row firstError;

  TraceView(String id, List<LogLine> matched) {
    this.id = id;
    List<LogLine> lines = new ArrayList<>(matched);
    // Time order; within one microsecond, the order the lines were read in (a sort is stable).
    lines.sort(Comparator.comparing(LogLine::time));
    Map<String, String> parents = new HashMap<>();
    Set<String> spans = new HashSet<>();
    for (LogLine line : lines) {
      if (line.spanId() != null) {
        spans.add(line.spanId());
        if (line.parentSpanId() != null) {
          parents.putIfAbsent(line.spanId(), line.parentSpanId());
        }
      }
      if (line.requestId() != null) {
        requestIds.add(line.requestId());
      }
      if (line.traceId() != null) {
        traceIds.add(line.traceId());
      }
      services.merge(line.service() == null ? "?" : line.service(), 1, Integer::sum);
    }
    // The slowest hop: the longest timed edge inside the request. The entry's own access line (its parent is the
    // caller outside these lines, if any) spans the whole request, so it is not a hop; it is the fallback.
    LogLine slow = null;
    LogLine entry = null;
    LogLine problem = null;
    for (LogLine line : lines) {
      Hop hop = line.hop();
      if (line.durationMs() != null && hop != Hop.NONE) {
        boolean inside = spans.contains(line.parentSpanId());
        if (inside && (slow == null || line.durationMs() > slow.durationMs())) {
          slow = line;
        }
        if (!inside && (entry == null || line.durationMs() > entry.durationMs())) {
          entry = line;
        }
      }
      if (problem == null && line.isProblem()) {
        problem = line;
      }
    }
    if (slow == null) {
      slow = entry;
    }
    List<Row> built = new ArrayList<>(lines.size());
    Row slowRow = null;
    Row errorRow = null;
    for (LogLine line : lines) {
      Row row = new Row(line, depth(line.spanId(), parents, spans), line.hop(), line == slow, line == problem);
      built.add(row);
      if (row.slowest()) {
        slowRow = row;
      }
      if (row.firstError()) {
        errorRow = row;
      }
    }
    this.rows = built;
    this.slowest = slowRow;
    this.firstError = errorRow;
  }

  List<Row> rows() {
    return rows;
  }

  Row slowest() {
    return slowest;
  }

  Row firstError() {
    return firstError;
  }

  /** How many of the span's ancestors are spans of this request (the entry span's caller, if any, is not). */
  private static int depth(String span, Map<String, String> parents, Set<String> spans) {
    int depth = 0;
    Set<String> seen = new HashSet<>();
    for (String s = parents.get(span); s != null && spans.contains(s) && seen.add(s); s = parents.get(s)) {
      depth++;
    }
    return depth;
  }

  void printText(PrintStream out, Ansi ansi) {
    LogLine first = rows.get(0).line();
    LogLine last = rows.get(rows.size() - 1).line();
    StringBuilder head = new StringBuilder();
    head.append(ansi.bold("request " + (requestIds.isEmpty() ? "-" : Ansi.safe(String.join(", ", requestIds)))));
    head.append("   trace ").append(traceIds.isEmpty() ? "-" : Ansi.safe(String.join(", ", traceIds)));
    out.println(head);
    StringBuilder perService = new StringBuilder();
    services.forEach((s, n) -> perService.append(perService.length() == 0 ? "" : ", ").append(Ansi.safe(s)).append(' ')
        .append(n));
    Duration span = Duration.between(first.time(), last.time());
    out.println(rows.size() + (rows.size() == 1 ? " line" : " lines") + " from " + services.size()
        + (services.size() == 1 ? " service" : " services") + " (" + perService + "), "
        + Times.clock(first.time()) + " → " + Times.clock(last.time()) + " (" + Times.seconds(span) + ")");
    if (slowest != null) {
      LogLine s = slowest.line();
      out.println(ansi.magenta("slowest hop: ") + Ansi.safe(s.service()) + " " + oneLine(s.message())
          + ansi.dim("  (span " + Ansi.safe(s.spanId()) + ")"));
    }
    if (firstError != null) {
      LogLine e = firstError.line();
      out.println(ansi.red("first error: ") + Times.clock(e.time()) + " " + Ansi.safe(e.service()) + " "
          + Ansi.safe(e.level()).toUpperCase(java.util.Locale.ROOT) + " " + oneLine(e.message())
          + (e.errorType() != null ? "  [" + simpleName(e.errorType()) + " " + Ansi.safe(e.fingerprint()) + "]"
              : ""));
    }
    out.println();
    int serviceWidth = Math.max(7, services.keySet().stream().mapToInt(String::length).max().orElse(7));
    int loggerWidth = Math.min(24, Math.max(6, rows.stream().mapToInt(r -> shortLogger(r.line().logger()).length())
        .max().orElse(6)));
    out.println(ansi.dim(Ansi.pad("TIME (UTC)", 15) + "  " + Ansi.pad("SERVICE", serviceWidth) + "  "
        + Ansi.pad("LEVEL", 5) + "  " + Ansi.pad("LOGGER", loggerWidth) + "  " + Ansi.pad("SPAN", 16) + "  "
        + "MESSAGE"));
    for (Row row : rows) {
      LogLine line = row.line();
      StringBuilder b = new StringBuilder();
      b.append(Times.clock(line.time())).append("  ");
      b.append(ansi.cyan(Ansi.pad(line.service() == null ? "?" : Ansi.safe(line.service()), serviceWidth)))
          .append("  ");
      b.append(ansi.level(line.level(), 5)).append("  ");
      b.append(Ansi.pad(cut(shortLogger(line.logger()), loggerWidth), loggerWidth)).append("  ");
      b.append(ansi.dim(Ansi.pad(line.spanId() == null ? "-" : Ansi.safe(line.spanId()), 16))).append("  ");
      b.append("  ".repeat(row.depth()));
      String message = switch (row.hop()) {
        case CALL -> "→ " + oneLine(line.message());
        case SERVED -> "⇢ " + oneLine(line.message());
        case RECEIVED -> "✉ " + oneLine(line.message());
        case NONE -> oneLine(line.message());
      };
      b.append(line.isProblem() ? ansi.red(message) : message);
      if (line.errorType() != null) {
        b.append(ansi.dim("  [" + simpleName(line.errorType()) + " " + Ansi.safe(line.fingerprint()) + "]"));
      }
      if (row.slowest()) {
        b.append("  ").append(ansi.magenta("◆ slowest hop"));
      }
      if (row.firstError()) {
        b.append("  ").append(ansi.boldRed("✖ first error"));
      }
      out.println(b);
    }
  }

  /** The view for scripts: one JSON object. */
  void printJson(PrintStream out) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("id", id);
    doc.put("requestIds", List.copyOf(requestIds));
    doc.put("traceIds", List.copyOf(traceIds));
    doc.put("services", services);
    doc.put("first", rows.get(0).line().timestamp());
    doc.put("last", rows.get(rows.size() - 1).line().timestamp());
    doc.put("slowestHop", slowest == null ? null : rows.indexOf(slowest));
    doc.put("firstError", firstError == null ? null : rows.indexOf(firstError));
    List<Object> lines = new ArrayList<>(rows.size());
    for (Row row : rows) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("depth", row.depth());
      r.put("hop", row.hop() == Hop.NONE ? null : row.hop().name().toLowerCase(java.util.Locale.ROOT));
      r.put("line", new Json.Raw(row.line().raw()));
      lines.add(r);
    }
    doc.put("lines", lines);
    out.println(Json.write(doc));
  }

  static String oneLine(String message) {
    if (message == null) {
      return "";
    }
    int newline = message.indexOf('\n');
    return Ansi.safe(newline < 0 ? message : message.substring(0, newline)) + (newline < 0 ? "" : " …");
  }

  static String simpleName(String type) {
    return type == null ? "" : Ansi.safe(type.substring(Math.max(type.lastIndexOf('.'), type.lastIndexOf('$')) + 1));
  }

  static String shortLogger(String logger) {
    if (logger == null) {
      return "";
    }
    int dot = logger.lastIndexOf('.');
    return Ansi.safe(dot < 0 ? logger : logger.substring(dot + 1));
  }

  private static String cut(String s, int width) {
    return s.length() <= width ? s : s.substring(0, width - 1) + "…";
  }
}
