package dev.threadline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs the tool in this JVM, as its command line would, and keeps what it printed and its exit status. */
final class Cli {

  static final ObjectMapper JSON = new ObjectMapper();

  record Run(int status, String out, String err) {
    JsonNode json() {
      try {
        return JSON.readTree(out);
      } catch (Exception e) {
        throw new AssertionError("not JSON: " + out, e);
      }
    }

    /** Each output line parsed as JSON (tail --json). */
    List<JsonNode> jsonLines() {
      List<JsonNode> nodes = new ArrayList<>();
      for (String line : out.split("\n")) {
        if (!line.isBlank()) {
          try {
            nodes.add(JSON.readTree(line));
          } catch (Exception e) {
            throw new AssertionError("not JSON: " + line, e);
          }
        }
      }
      return nodes;
    }
  }

  private Cli() {}

  static Run run(String... args) {
    return run(new ByteArrayInputStream(new byte[0]), Map.of(), args);
  }

  static Run runWithInput(String input, String... args) {
    return run(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), Map.of(), args);
  }

  static Run run(InputStream in, Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = Threadline.execute(args, in, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), env);
    return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** The demo's two services' stdout, captured from a run of samples' demo (real lines of both services). */
  static Path demo(String service) {
    try {
      return Path.of(Cli.class.getResource("/demo/" + service + ".log").toURI());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
