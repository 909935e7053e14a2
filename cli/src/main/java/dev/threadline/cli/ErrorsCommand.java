package dev.threadline.cli;

import dev.threadline.cli.LokiClient.Entry;
import dev.threadline.cli.LokiClient.Sample;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code threadline errors}: see {@link ErrorsView}. */
@Command(name = "errors", mixinStandardHelpOptions = true,
    description = {"Error events (error and warn lines with an exception) grouped by error.fingerprint: count,"
        + " services, first and last seen, and the newest example with its requestId."},
    footer = {"", "Examples:", "  threadline errors --loki http://localhost:3100 --since 24h --new",
        "  threadline errors --since 7d order-api.log.gz order-api.log"})
final class ErrorsCommand extends SourceCommand {

  /** The ops kit's new-fingerprint alert looks this far back. */
  static final Duration LOOK_BACK = Duration.ofDays(7);

  @Parameters(paramLabel = "FILE", arity = "0..*",
      description = "JSON-lines files (.gz too); - or none for standard input. Not with --loki.")
  List<String> files = new ArrayList<>();

  @Option(names = "--since", paramLabel = "WHEN", defaultValue = "24h",
      description = "Start of the window: a duration ago (24h, 7d) or a UTC time (default: ${DEFAULT-VALUE}).")
  String since;

  @Option(names = "--until", paramLabel = "WHEN", description = "End of the window (default: now).")
  String until;

  @Option(names = "--new", description = "Only fingerprints not seen in the 7 days before the window.")
  boolean onlyNew;

  @Option(names = "--top", paramLabel = "N", defaultValue = "50",
      description = "Show the N most frequent (default: ${DEFAULT-VALUE}).")
  int top;

  @Override
  public Integer call() {
    Threadline.Io io = parent.io();
    Instant now = Instant.now();
    Instant to = until == null ? now : point("--until", until, now);
    Instant from = point("--since", since, to);
    if (!from.isBefore(to)) {
      throw usage("--since must be before --until");
    }
    if (top < 1) {
      throw usage("--top must be at least 1");
    }
    oneSource(files);
    Ansi ansi = output.ansi(io, spec);
    String windowName = Duration.between(from, to).equals(Times.tryDuration(since)) ? "last " + since.trim()
        : "window";
    ErrorsView view = new ErrorsView(from, to, windowName, onlyNew, LOOK_BACK);
    try {
      if (source.isLoki()) {
        fromLoki(source.client(), view, from, to);
      } else {
        FileScan scan = new FileScan(files, io.in(), io.err(), io.terminal());
        scan.scan("\"fingerprint\"".getBytes(StandardCharsets.UTF_8), line -> {
          if (line.isErrorEvent() && filters.accepts(line)) {
            view.add(line);
          }
        });
        String summary = scan.summary();
        if (summary != null) {
          io.err().println(summary);
        }
      }
    } catch (Failure f) {
      io.err().println("threadline: " + f.getMessage());
      return Threadline.SOURCE_FAILED;
    }
    List<ErrorsView.Group> all = view.shown();
    List<ErrorsView.Group> shown = all.subList(0, Math.min(top, all.size()));
    if (shown.isEmpty()) {
      io.err().println("threadline: no " + (onlyNew ? "new " : "") + "error events between " + from + " and "
          + to + (source.isLoki() ? " (Loki counts them by the error_fingerprint structured metadata that the"
              + " appender and the ops kit's Alloy pipeline attach)" : ""));
      return Threadline.NOTHING;
    }
    if (output.json) {
      view.printJson(io.out(), shown, all.size() - shown.size());
    } else {
      view.printText(io.out(), ansi, shown, all.size() - shown.size());
    }
    return Threadline.FOUND;
  }

  /**
   * Counts come from one metric query (Loki counts; no line crosses the network for them); first seen, last seen
   * and the example from one log query each way per fingerprint shown, four at a time; {@code --new} from one more
   * metric query over the 7 days before the window.
   */
  private void fromLoki(LokiClient loki, ErrorsView view, Instant from, Instant to) throws Failure {
    Duration window = Duration.between(from, to);
    String selector = Logql.errorSelector(filters.services, filters.env);
    for (Sample sample : loki.instant(Logql.errorCounts(selector, window), to)) {
      String fingerprint = sample.metric().get("error_fingerprint");
      if (fingerprint == null || fingerprint.isEmpty()) {
        continue;
      }
      ErrorsView.Group group = view.group(fingerprint);
      group.count += Math.round(sample.value());
      String service = sample.metric().get("service");
      if (service != null && !service.isEmpty()) {
        group.services.add(service);
      }
    }
    if (onlyNew) {
      for (Sample sample : loki.instant(Logql.fingerprintsBefore(selector, window, LOOK_BACK), from)) {
        String fingerprint = sample.metric().get("error_fingerprint");
        if (fingerprint != null) {
          view.seenBefore(fingerprint);
        }
      }
    }
    List<ErrorsView.Group> shown = view.shown();
    shown = shown.subList(0, Math.min(top, shown.size()));
    // Loki's range for log queries ends before `end`; the metric query's window includes `to`.
    Instant end = to.plusNanos(1);
    ExecutorService pool = Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "threadline-loki");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<Entry[]>> answers = new ArrayList<>();
      for (ErrorsView.Group group : shown) {
        String query = Logql.fingerprint(selector, group.fingerprint);
        answers.add(pool.submit(() -> new Entry[] {loki.one(query, from, end, false), loki.one(query, from, end,
            true)}));
      }
      for (int i = 0; i < shown.size(); i++) {
        Entry[] pair;
        try {
          pair = answers.get(i).get();
        } catch (ExecutionException e) {
          if (e.getCause() instanceof Failure f) {
            throw f;
          }
          throw new Failure("querying Loki failed: " + LokiClient.describe(e.getCause()));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new Failure("interrupted");
        }
        for (Entry entry : pair) {
          if (entry != null) {
            LogLine line = LogLine.parse(entry);
            if (line != null) {
              shown.get(i).seen(line);
            }
          }
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
