package dev.threadline.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;

/**
 * JSON-lines files and standard input as a source: each is streamed once through a {@link LineReader}, so memory
 * does not grow with the input. A line is decoded and parsed only when it contains the command's needle (the
 * request id for {@code trace}, the error key for {@code errors}); lines that hold no Threadline object are skipped
 * and counted, and an input none of whose first lines is a Threadline line is reported as such. Files ending in
 * {@code .gz} are read through gzip.
 */
final class FileScan {

  /** How many lines of an input are looked at to tell whether it is Threadline JSON at all. */
  private static final int PROBE_LINES = 200;

  private final List<String> files;
  private final InputStream stdin;
  private final PrintStream err;
  private long lines;
  private long threadlineLines;
  private long otherLines;
  private long tooLong;

  private final boolean terminal;

  FileScan(List<String> files, InputStream stdin, PrintStream err) {
    this(files, stdin, err, false);
  }

  /** {@code terminal}: the user is at a terminal, so reading standard input is said, not silent. */
  FileScan(List<String> files, InputStream stdin, PrintStream err, boolean terminal) {
    this.files = files == null || files.isEmpty() ? List.of("-") : files;
    this.stdin = stdin;
    this.err = err;
    this.terminal = terminal;
  }

  /** Feeds {@code sink} every Threadline line that contains {@code needle} (every line when it is null). */
  void scan(byte[] bytes, Consumer<LogLine> sink) throws Failure {
    LineReader.Needle needle = bytes == null ? null : LineReader.Needle.of(bytes);
    for (String file : files) {
      String name = file.equals("-") ? "standard input" : file;
      if (file.equals("-") && terminal) {
        err.println("threadline: reading JSON lines from standard input (Ctrl-D ends it); give --loki URL or files"
            + " to read those instead");
      }
      try (InputStream in = open(file)) {
        scan(name, in, needle, sink);
      } catch (NoSuchFileException e) {
        throw new Failure("cannot read " + name + ": no such file");
      } catch (IOException e) {
        throw new Failure("cannot read " + name + ": " + LokiClient.describe(e));
      }
    }
  }

  private InputStream open(String file) throws IOException {
    if (file.equals("-")) {
      return new java.io.FilterInputStream(stdin) {
        @Override
        public void close() {
          // standard input stays open
        }
      };
    }
    Path path = Path.of(file);
    if (Files.isDirectory(path)) {
      throw new IOException("it is a directory");
    }
    InputStream in = Files.newInputStream(path);
    return file.endsWith(".gz") ? new GZIPInputStream(in, 64 * 1024) : in;
  }

  private void scan(String name, InputStream in, LineReader.Needle needle, Consumer<LogLine> sink) throws IOException {
    LineReader reader = new LineReader(in);
    long probed = 0;
    long probedThreadline = 0;
    String firstOther = null;
    while (reader.next() || reader.finish()) {
      lines++;
      boolean probe = probed < PROBE_LINES;
      if (!probe && needle != null && !reader.contains(needle)) {
        continue;
      }
      String text = reader.line();
      if (probe && text.isBlank()) {
        continue;
      }
      LogLine line = LogLine.parse(text, null);
      if (probe) {
        probed++;
        if (line != null) {
          probedThreadline++;
        } else if (firstOther == null) {
          firstOther = text;
        }
      }
      if (line == null) {
        otherLines++;
        continue;
      }
      threadlineLines++;
      if (needle == null || reader.contains(needle)) {
        sink.accept(line);
      }
    }
    tooLong += reader.tooLong();
    if (probed > 0 && probedThreadline == 0) {
      err.println("threadline: " + name + " does not look like Threadline JSON lines: none of its first " + probed
          + (probed == 1 ? " line is" : " lines is") + " a JSON object with timestamp, level and message (first: "
          + cut(firstOther) + ")");
    }
  }

  private static String cut(String text) {
    return text == null ? "" : text.length() <= 120 ? text : text.substring(0, 120) + "…";
  }

  /** One line for standard error about what was read, or null when there is nothing worth saying. */
  String summary() {
    if (otherLines == 0 && tooLong == 0) {
      return null;
    }
    StringBuilder b = new StringBuilder("threadline: read " + lines + " lines");
    if (otherLines > 0) {
      b.append("; skipped ").append(otherLines).append(otherLines == 1 ? " that is" : " that are")
          .append(" not Threadline JSON");
    }
    if (tooLong > 0) {
      b.append("; skipped ").append(tooLong).append(" longer than ").append(LineReader.MAX_LINE_BYTES / 1024 / 1024)
          .append(" MiB");
    }
    return b.toString();
  }

  long lines() {
    return lines;
  }

  long threadlineLines() {
    return threadlineLines;
  }
}
