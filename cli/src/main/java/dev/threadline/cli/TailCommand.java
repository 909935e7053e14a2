package dev.threadline.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code threadline tail}: new lines as they are written, one per line for a person (colours on a terminal,
 * plain when piped) or as they are ({@code --json}). Over Loki it follows Loki's tail endpoint ({@link LokiTail});
 * over files it follows them as {@code tail -F} does, through truncation and rotation; standard input is read to
 * its end.
 */
@Command(name = "tail", mixinStandardHelpOptions = true,
    description = {"Follow new lines: from Loki's tail API, from files (as tail -F), or from standard input."},
    footer = {"", "Examples:", "  threadline tail --loki http://localhost:3100 --service order-api --level warn",
        "  threadline tail --request 01kkp3m9z8r5w2f7c0x4 /var/log/order-api/app.log",
        "  kubectl logs -f deploy/order-api | threadline tail --level error"})
final class TailCommand extends SourceCommand {

  @Parameters(paramLabel = "FILE", arity = "0..*",
      description = "Files to follow; - or none for standard input. Not with --loki.")
  List<String> files = new ArrayList<>();

  @Option(names = {"-l", "--level"}, paramLabel = "LEVEL",
      description = "This level and above: trace, debug, info, warn or error.")
  String level;

  @Option(names = {"-r", "--request"}, paramLabel = "ID", description = "Only this requestId or trace_id.")
  String request;

  @Option(names = "--since", paramLabel = "WHEN",
      description = "Also show lines since then (a duration ago or a UTC time); default: only new lines.")
  String since;

  @Option(names = "--poll", paramLabel = "DURATION", defaultValue = "250ms", hidden = true,
      description = "How often a followed file is checked for more.")
  String poll;

  private long shown;

  @Override
  public Integer call() {
    Threadline.Io io = parent.io();
    if (level != null && !List.of("trace", "debug", "info", "warn", "error").contains(level.toLowerCase(Locale.ROOT))) {
      throw usage("--level: '" + level
          + "' is not trace, debug, info, warn or error");
    }
    int minRank = level == null ? 0 : LogLine.rank(level.toLowerCase(Locale.ROOT));
    oneSource(files);
    Instant now = Instant.now();
    Instant from;
    try {
      from = since == null ? null : Times.point(since, now);
    } catch (IllegalArgumentException e) {
      throw usage("--since: " + e.getMessage());
    }
    Ansi ansi = output.ansi(io, spec);
    PrintStream out = io.out();
    java.util.function.Consumer<LogLine> show = line -> {
      if (line.levelRank() < minRank || !filters.accepts(line) || (request != null && !line.belongsTo(request))
          || (from != null && line.time().isBefore(from))) {
        return;
      }
      shown++;
      if (output.json) {
        out.println(line.raw());
      } else {
        out.println(render(line, ansi));
      }
      out.flush();
      if (out.checkError()) {
        throw new OutputClosed(); // the reader went away (threadline tail | head -3): stop following
      }
    };
    try {
      if (source.isLoki()) {
        List<String> levels = new ArrayList<>();
        // Most severe first: --level warn asks for level=~"error|warn", the ops kit's spelling of that set.
        for (String l : List.of("error", "warn", "info", "debug", "trace")) {
          if (LogLine.rank(l) >= minRank) {
            levels.add(l);
          }
        }
        String selector = Logql.selector(filters.services, filters.env, minRank == 0 ? List.of() : levels);
        LokiTail tail = new LokiTail(source.client(), io.err());
        tail.follow(Logql.tail(selector, request), from == null ? now : from, 1000,
            entry -> {
              LogLine line = LogLine.parse(entry);
              if (line != null) {
                show.accept(line);
              }
            });
      } else if (files.isEmpty() || files.equals(List.of("-"))) {
        LineReader reader = new LineReader(io.in());
        while (!Thread.currentThread().isInterrupted() && (reader.next() || reader.finish())) {
          LogLine line = LogLine.parse(reader.line(), null);
          if (line != null) {
            show.accept(line);
          }
        }
      } else {
        follow(from != null, show);
      }
    } catch (OutputClosed e) {
      return Threadline.FOUND;
    } catch (Failure f) {
      io.err().println("threadline: " + f.getMessage());
      return Threadline.SOURCE_FAILED;
    } catch (IOException e) {
      io.err().println("threadline: " + LokiClient.describe(e));
      return Threadline.SOURCE_FAILED;
    }
    return shown > 0 ? Threadline.FOUND : Threadline.NOTHING;
  }

  /** Standard output was closed by its reader. */
  static final class OutputClosed extends RuntimeException {
    OutputClosed() {
      super(null, null, false, false);
    }
  }

  /** One line for a person: time, service, level, logger, message, request and error. */
  static String render(LogLine line, Ansi ansi) {
    StringBuilder b = new StringBuilder();
    b.append(ansi.dim(Times.clock(line.time()))).append("  ");
    b.append(ansi.cyan(Ansi.pad(line.service() == null ? "?" : Ansi.safe(line.service()), 18))).append("  ");
    b.append(ansi.level(line.level(), 5)).append("  ");
    b.append(Ansi.pad(TraceView.shortLogger(line.logger()), 20)).append("  ");
    String message = TraceView.oneLine(line.message());
    b.append(line.isProblem() ? ansi.red(message) : message);
    if (line.errorType() != null) {
      b.append(ansi.dim("  [" + TraceView.simpleName(line.errorType()) + " " + Ansi.safe(line.fingerprint()) + "]"));
    }
    if (line.requestId() != null) {
      b.append(ansi.dim("  " + Ansi.safe(line.requestId())));
    }
    return b.toString();
  }

  /** Follows the files as {@code tail -F}: from their end (or start, with --since), through truncation and rotation. */
  private void follow(boolean fromStart, java.util.function.Consumer<LogLine> show) throws Failure, IOException {
    List<Followed> followed = new ArrayList<>();
    for (String file : files) {
      Path path = Path.of(file);
      try {
        followed.add(new Followed(path, fromStart));
      } catch (NoSuchFileException e) {
        throw new Failure("cannot read " + file + ": no such file");
      }
    }
    long pollMillis = Times.duration(poll).toMillis();
    try {
      while (!Thread.currentThread().isInterrupted()) {
        boolean any = false;
        for (Followed f : followed) {
          any |= f.drain(show);
        }
        if (!any) {
          Thread.sleep(pollMillis);
          for (Followed f : followed) {
            f.checkRotation(show);
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      for (Followed f : followed) {
        f.close();
      }
    }
  }

  /** One followed file: its channel, its reader, and the identity of the file it reads. */
  private static final class Followed {
    private final Path path;
    private FileChannel channel;
    private LineReader reader;
    private Object key;

    Followed(Path path, boolean fromStart) throws IOException {
      this.path = path;
      open(fromStart);
    }

    private void open(boolean fromStart) throws IOException {
      channel = FileChannel.open(path, StandardOpenOption.READ);
      key = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
      if (!fromStart) {
        channel.position(channel.size());
      }
      InputStream in = Channels.newInputStream(channel);
      reader = new LineReader(in);
    }

    boolean drain(java.util.function.Consumer<LogLine> show) throws IOException {
      boolean any = false;
      while (reader.next()) {
        any = true;
        LogLine line = LogLine.parse(reader.line(), null);
        if (line != null) {
          show.accept(line);
        }
      }
      return any;
    }

    /** A file cut shorter is read again from its start; a file replaced (rotated) is drained, then the new one read. */
    void checkRotation(java.util.function.Consumer<LogLine> show) throws IOException {
      Object current;
      long size;
      try {
        BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
        current = attributes.fileKey();
        size = attributes.size();
      } catch (NoSuchFileException e) {
        return; // between the rename and the new file: look again next time
      }
      if (!Objects.equals(current, key)) {
        drain(show);
        if (reader.finish()) {
          LogLine line = LogLine.parse(reader.line(), null);
          if (line != null) {
            show.accept(line);
          }
        }
        channel.close();
        open(true);
      } else if (size < channel.position()) {
        channel.position(0);
        reader = new LineReader(Channels.newInputStream(channel));
      }
    }

    void close() throws IOException {
      channel.close();
    }
  }
}
