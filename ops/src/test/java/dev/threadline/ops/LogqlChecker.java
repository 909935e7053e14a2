package dev.threadline.ops;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs LogQL through Grafana's own grammar, {@code @grafana/lezer-logql}, under the machine's Node.js.
 *
 * <p>The npm project in {@code ops/logql-check} (package.json, package-lock.json, check.mjs) is copied to
 * {@code target/logql-check} and installed there with {@code npm ci} the first time, and again only when the
 * lock file changes; after that a check is one {@code node} process of well under a second.
 */
final class LogqlChecker {

  /** What {@code check.mjs} reports for one expression. */
  record Report(
      String id,
      List<Map<String, Object>> errors,
      List<String> streamLabels,
      List<String> groupingLabels,
      List<String> filterLabels,
      List<String> parserFields,
      List<String> jsonPaths,
      List<String> defined,
      boolean fullParser,
      List<List<Matcher>> selectors,
      List<LabelFilter> labelFilters) {}

  /** A matcher of a stream selector: {@code name op "value"} with op one of {@code = != =~ !~}. */
  record Matcher(String name, String op, String value) {

    /**
     * Whether the matcher accepts the empty string, which is how Loki sees a label a stream or line does not
     * have (Prometheus' {@code labels.Matcher.Matches("")}; regular expressions are anchored at both ends).
     */
    boolean matchesEmpty() {
      return switch (op) {
        case "=" -> value.isEmpty();
        case "!=" -> !value.isEmpty();
        case "=~" -> java.util.regex.Pattern.compile(value).matcher("").matches();
        case "!~" -> !java.util.regex.Pattern.compile(value).matcher("").matches();
        default -> throw new AssertionError("unknown matcher operator " + op);
      };
    }
  }

  /** A label-filter matcher of a pipeline; {@code afterParser} when a parser stage came before it. */
  record LabelFilter(String name, String op, String value, boolean afterParser) {

    Matcher matcher() {
      return new Matcher(name, op, value);
    }
  }

  /** One expression to check, named by where it came from. */
  record Expression(String id, String expr) {}

  private static final long INSTALL_TIMEOUT_SECONDS = 300;
  private static final long CHECK_TIMEOUT_SECONDS = 60;
  private static LogqlChecker instance;

  private final Path dir;

  private LogqlChecker(Path dir) {
    this.dir = dir;
  }

  /** The installed checker, installing it on first use. Fails with a clear message without node or npm. */
  static synchronized LogqlChecker get() {
    if (instance == null) {
      LogqlChecker checker = new LogqlChecker(OpsFiles.OPS.resolve("target/logql-check"));
      checker.install();
      instance = checker;
    }
    return instance;
  }

  List<Report> check(List<Expression> expressions) {
    try {
      Path input = Files.createTempFile(dir, "expressions", ".json");
      try {
        OpsFiles.JSON.writeValue(input.toFile(), expressions);
        Run run = run(List.of("node", "check.mjs", input.toString()), CHECK_TIMEOUT_SECONDS);
        if (run.exit != 0) {
          throw new AssertionError("node check.mjs failed (exit " + run.exit + "):\n" + run.output);
        }
        List<Report> reports = OpsFiles.JSON.copy()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
            .readValue(run.stdout, new TypeReference<List<Report>>() {});
        if (reports.size() != expressions.size()) {
          throw new AssertionError("check.mjs answered " + reports.size() + " of " + expressions.size());
        }
        return reports;
      } finally {
        Files.deleteIfExists(input);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void install() {
    try {
      Files.createDirectories(dir);
      for (String name : List.of("package.json", "package-lock.json", "check.mjs")) {
        Files.copy(OpsFiles.LOGQL_CHECK.resolve(name), dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
      }
      requireTool("node");
      String lock = Files.readString(dir.resolve("package-lock.json"));
      Path marker = dir.resolve("node_modules/.threadline-installed-lock");
      boolean installed = Files.isRegularFile(dir.resolve("node_modules/@grafana/lezer-logql/package.json"))
          && Files.isRegularFile(marker) && Files.readString(marker).equals(lock);
      if (!installed) {
        requireTool(npm());
        Run run = run(List.of(npm(), "ci", "--no-audit", "--no-fund"), INSTALL_TIMEOUT_SECONDS);
        if (run.exit != 0) {
          throw new AssertionError("`npm ci` in " + dir + " failed (exit " + run.exit + "); the LogQL grammar"
              + " check needs @grafana/lezer-logql from the npm registry:\n" + run.output);
        }
        Files.writeString(marker, lock);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String npm() {
    return System.getProperty("os.name").toLowerCase(Locale.ROOT).startsWith("windows") ? "npm.cmd" : "npm";
  }

  private void requireTool(String tool) {
    try {
      Run run = run(List.of(tool, "--version"), 60);
      if (run.exit != 0) {
        throw new AssertionError("`" + tool + " --version` failed: " + run.output);
      }
    } catch (IOException e) {
      throw new AssertionError("The ops tests parse every LogQL expression with Grafana's grammar"
          + " (@grafana/lezer-logql) under Node.js, and `" + tool + "` is not on the PATH. Install Node.js 18 or"
          + " later with npm (the build machines have Node 20), then run the build again.", e);
    }
  }

  private record Run(int exit, String stdout, String output) {}

  private Run run(List<String> command, long timeoutSeconds) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(command)).directory(dir.toFile());
    // Both streams go to files, so a chatty or hung process can neither block on a full pipe nor outlive the
    // timeout.
    Path out = Files.createTempFile("logql-check", ".out");
    Path err = Files.createTempFile("logql-check", ".err");
    builder.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE);
    Process process = builder.start();
    try {
      process.getOutputStream().close();
      if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(String.join(" ", command) + " did not finish in " + timeoutSeconds + " s");
      }
      String stdout = Files.readString(out, StandardCharsets.UTF_8);
      return new Run(process.exitValue(), stdout, stdout + Files.readString(err, StandardCharsets.UTF_8));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      throw new AssertionError("interrupted while running " + command, e);
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }
}
