package dev.threadline.cli;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code threadline trace ID}: see {@link TraceView}. */
@Command(name = "trace", mixinStandardHelpOptions = true,
    description = {"Every line of one request (by requestId) or trace (by trace_id), from every service, in time"
        + " order, indented by span, with the slowest hop and the first error marked."},
    footer = {"", "Examples:", "  threadline trace 01kkp3m9z8r5w2f7c0x4 --loki http://localhost:3100",
        "  kubectl logs deploy/order-api | threadline trace 01kkp3m9z8r5w2f7c0x4",
        "  threadline trace 5e1460e869101c0e845f95a88f3cc45d order-api.log worker.log"})
final class TraceCommand extends SourceCommand {

  /** At most this many lines are kept for one request (they are sorted in memory). */
  static final long DEFAULT_MAX_LINES = 100_000;

  @Parameters(index = "0", paramLabel = "ID", description = "A requestId, or a trace_id (32 hex digits).")
  String id;

  @Parameters(index = "1..*", paramLabel = "FILE",
      description = "JSON-lines files (.gz too); - or none for standard input. Not with --loki.")
  List<String> files = new ArrayList<>();

  @Option(names = "--since", paramLabel = "WHEN",
      description = "Start of the search: a duration ago (24h, 7d) or a UTC time. Default: 24h with --loki,"
          + " the whole input otherwise.")
  String since;

  @Option(names = "--until", paramLabel = "WHEN", description = "End of the search (default: now).")
  String until;

  @Option(names = "--max-lines", paramLabel = "N", defaultValue = "" + DEFAULT_MAX_LINES,
      description = "At most this many lines (default: ${DEFAULT-VALUE}).")
  long maxLines;

  @Option(names = "--page-size", paramLabel = "N", defaultValue = "" + LokiClient.DEFAULT_PAGE, hidden = true,
      description = "Entries per query_range page (Loki's max_entries_limit_per_query caps it; default 1000).")
  int pageSize;

  @Override
  public Integer call() {
    Threadline.Io io = parent.io();
    validateId();
    Instant now = Instant.now();
    Instant to = until == null ? null : point("--until", until, now);
    Instant from = since == null ? null : point("--since", since, to == null ? now : to);
    oneSource(files);
    if (pageSize < 1) {
      throw usage("--page-size must be at least 1");
    }
    if (maxLines < 1) {
      throw usage("--max-lines must be at least 1");
    }
    Ansi ansi = output.ansi(io, spec);
    List<LogLine> matched = new ArrayList<>();
    boolean[] capped = {false};
    try {
      if (source.isLoki()) {
        LokiClient loki = source.client();
        Instant end = to == null ? now : to;
        Instant start = from == null ? end.minus(Duration.ofHours(24)) : from;
        String query = Logql.trace(Logql.selector(filters.services, filters.env, List.of()), id);
        java.util.function.Consumer<LokiClient.Entry> keep = entry -> {
          LogLine line = LogLine.parse(entry);
          if (line != null && line.belongsTo(id)) {
            matched.add(line);
          }
        };
        long fed = loki.queryRange(query, start, end, pageSize, maxLines, keep);
        if (fed == 0) {
          // Nothing by structured metadata: lines shipped without it (the appender's structuredMetadata=false, an
          // older Loki, a shipper that sets none) still hold the id in their text.
          String byText = Logql.containing(Logql.selector(filters.services, filters.env, List.of()), id);
          fed = loki.queryRange(byText, start, end, pageSize, maxLines, keep);
          if (!matched.isEmpty()) {
            io.err().println("threadline: found by the id in the lines' text: these lines carry no requestId or"
                + " trace_id structured metadata (the appender's structuredMetadata is off, or Loki is older than"
                + " 3.0), so Loki searched the text");
          }
        }
        capped[0] = fed >= maxLines;
        if (loki.crowded() > 0) {
          io.err().println("threadline: " + loki.crowded() + " nanosecond(s) held more entries than one query may"
              + " return (" + LokiClient.MAX_LIMIT + "); some of their lines may be missing");
        }
        if (matched.isEmpty()) {
          io.err().println("threadline: no line of " + id + " in Loki between " + start + " and " + end
              + (from == null ? " (the last 24h; --since 7d looks further back)" : ""));
        }
      } else {
        FileScan scan = new FileScan(files, io.in(), io.err(), io.terminal());
        scan.scan(id.getBytes(StandardCharsets.UTF_8), line -> {
          if (line.belongsTo(id) && filters.accepts(line) && (from == null || !line.time().isBefore(from))
              && (to == null || line.time().isBefore(to))) {
            if (matched.size() < maxLines) {
              matched.add(line);
            } else {
              capped[0] = true;
            }
          }
        });
        String summary = scan.summary();
        if (summary != null) {
          io.err().println(summary);
        }
        if (matched.isEmpty()) {
          io.err().println("threadline: no line of " + id + " in " + scan.lines() + " lines read");
        }
      }
    } catch (Failure f) {
      io.err().println("threadline: " + f.getMessage());
      return Threadline.SOURCE_FAILED;
    }
    if (capped[0]) {
      io.err().println("threadline: stopped at " + maxLines + " lines (--max-lines); the request has more");
    }
    if (matched.isEmpty()) {
      return Threadline.NOTHING;
    }
    TraceView view = new TraceView(id, matched);
    if (output.json) {
      view.printJson(io.out());
    } else {
      view.printText(io.out(), ansi);
    }
    return Threadline.FOUND;
  }

  /** An id goes into LogQL and is searched as bytes: printable, no quotes, no spaces, at most 128 characters. */
  private void validateId() {
    boolean ok = !id.isEmpty() && id.length() <= 128;
    for (int i = 0; ok && i < id.length(); i++) {
      char c = id.charAt(i);
      ok = c > ' ' && c < 0x7f && c != '"' && c != '\\' && c != '`';
    }
    if (!ok) {
      throw usage("'" + id + "' is not a request id or trace id (printable"
          + " ASCII without spaces or quotes, at most 128 characters)");
    }
  }
}
