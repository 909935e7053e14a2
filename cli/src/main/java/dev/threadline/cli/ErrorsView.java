package dev.threadline.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code threadline errors}: error events (error and warn lines with an exception, as the ops kit counts them)
 * grouped by {@code error.fingerprint}, most frequent first, with the services, first and last seen and one
 * example (the newest, with its request id, so {@code threadline trace} is one step away). With {@code --new}, only
 * the fingerprints not seen in the 7 days before the window: the ops kit's third alert rule, at a prompt.
 */
final class ErrorsView {

  /** One fingerprint's events in the window. */
  static final class Group {
    final String fingerprint;
    long count;
    final Set<String> services = new TreeSet<>();
    Instant first;
    Instant last;
    LogLine example;

    Group(String fingerprint) {
      this.fingerprint = fingerprint;
    }

    void add(LogLine line) {
      count++;
      if (line.service() != null) {
        services.add(line.service());
      }
      seen(line);
    }

    /** Widens first and last seen to the line's time; the newest line is the example. */
    void seen(LogLine line) {
      if (first == null || line.time().isBefore(first)) {
        first = line.time();
      }
      if (last == null || !line.time().isBefore(last)) {
        last = line.time();
        example = line;
      }
    }
  }

  private final Instant from;
  private final Instant to;
  private final String windowName;
  private final boolean onlyNew;
  private final Duration lookBack;
  private final Map<String, Group> groups = new LinkedHashMap<>();
  private final Set<String> seenBefore = new java.util.HashSet<>();

  ErrorsView(Instant from, Instant to, String windowName, boolean onlyNew, Duration lookBack) {
    this.from = from;
    this.to = to;
    this.windowName = windowName;
    this.onlyNew = onlyNew;
    this.lookBack = lookBack;
  }

  /** An error event of a file or standard input: counted when in the window, remembered when before it. */
  void add(LogLine line) {
    Instant t = line.time();
    if (!t.isBefore(from) && t.isBefore(to)) {
      groups.computeIfAbsent(line.fingerprint(), Group::new).add(line);
    } else if (t.isBefore(from) && !t.isBefore(from.minus(lookBack))) {
      seenBefore.add(line.fingerprint());
    }
  }

  Group group(String fingerprint) {
    return groups.computeIfAbsent(fingerprint, Group::new);
  }

  void seenBefore(String fingerprint) {
    seenBefore.add(fingerprint);
  }

  /** The groups to show: new ones only with {@code --new}, most frequent first, then the newest first. */
  List<Group> shown() {
    List<Group> list = new ArrayList<>();
    for (Group g : groups.values()) {
      if (g.count > 0 && (!onlyNew || !seenBefore.contains(g.fingerprint))) {
        list.add(g);
      }
    }
    list.sort(Comparator.comparingLong((Group g) -> g.count).reversed()
        .thenComparing(g -> g.last, Comparator.nullsLast(Comparator.reverseOrder()))
        .thenComparing(g -> g.fingerprint));
    return list;
  }

  void printText(PrintStream out, Ansi ansi, List<Group> shown, int hidden) {
    long events = shown.stream().mapToLong(g -> g.count).sum();
    out.println(ansi.bold((onlyNew ? "new error fingerprints" : "error fingerprints") + ", " + windowName)
        + " (" + Times.dateTime(from) + " → " + Times.dateTime(to) + " UTC): " + shown.size()
        + (shown.size() == 1 ? " fingerprint, " : " fingerprints, ") + events
        + (events == 1 ? " error event" : " error events"));
    if (onlyNew) {
      out.println(ansi.dim("(not seen in the " + Logql.duration(lookBack) + " before the window)"));
    }
    out.println();
    int serviceWidth = Math.max(8, shown.stream().mapToInt(g -> String.join(",", g.services).length()).max()
        .orElse(8));
    out.println(ansi.dim(String.format("%6s  %-16s  %-" + serviceWidth + "s  %-19s  %-19s  %s", "COUNT",
        "FINGERPRINT", "SERVICES", "FIRST SEEN (UTC)", "LAST SEEN (UTC)", "EXAMPLE (the newest)")));
    for (Group g : shown) {
      LogLine e = g.example;
      String example = e == null ? "" : (e.errorType() == null ? "" : TraceView.simpleName(e.errorType()) + ": ")
          + TraceView.oneLine(e.message());
      String request = e == null || e.requestId() == null ? "" : ansi.dim("  (request " + Ansi.safe(e.requestId())
          + ")");
      out.println(String.format("%6d  %s  %-" + serviceWidth + "s  %-19s  %-19s  ", g.count,
          ansi.yellow(Ansi.pad(Ansi.safe(g.fingerprint), 16)), Ansi.safe(String.join(",", g.services)),
          g.first == null ? "-" : Times.dateTime(g.first), g.last == null ? "-" : Times.dateTime(g.last))
          + example + request);
    }
    if (hidden > 0) {
      out.println(ansi.dim("… and " + hidden + " more (--top)"));
    }
  }

  void printJson(PrintStream out, List<Group> shown, int hidden) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("from", from.toString());
    doc.put("to", to.toString());
    doc.put("new", onlyNew);
    List<Object> list = new ArrayList<>();
    for (Group g : shown) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("fingerprint", g.fingerprint);
      m.put("count", g.count);
      m.put("services", List.copyOf(g.services));
      m.put("firstSeen", g.first == null ? null : g.first.toString());
      m.put("lastSeen", g.last == null ? null : g.last.toString());
      LogLine e = g.example;
      if (e != null) {
        Map<String, Object> ex = new LinkedHashMap<>();
        ex.put("type", e.errorType());
        ex.put("errorMessage", e.errorMessage());
        ex.put("message", e.message());
        ex.put("service", e.service());
        ex.put("requestId", e.requestId());
        ex.put("trace_id", e.traceId());
        ex.put("timestamp", e.timestamp());
        m.put("example", ex);
      }
      list.add(m);
    }
    doc.put("fingerprints", list);
    doc.put("more", hidden);
    out.println(Json.write(doc));
  }
}
