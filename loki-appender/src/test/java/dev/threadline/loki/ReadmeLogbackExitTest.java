package dev.threadline.loki;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The README's plain-Logback block, exactly as written, in a child JVM whose {@code main} logs and returns: every
 * line reaches Loki before the JVM exits; with Loki unreachable the trouble shows on standard error while standard
 * output carries only JSON lines; a configuration mistake is reported on standard error, not dumped into the JSON
 * stream.
 */
class ReadmeLogbackExitTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  @TempDir
  Path dir;

  record Run(int exit, List<String> stdout, String stderr) {
  }

  private Run run(String lokiUrl, int lines, long pauseMillis) throws Exception {
    Path config = dir.resolve("logback.xml");
    Files.writeString(config, ReadmeLogbackTest.snippet());
    Path out = dir.resolve("stdout.txt");
    Path err = dir.resolve("stderr.txt");
    ProcessBuilder builder = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"),
        "-Dlogback.configurationFile=" + config,
        ReadmeLogbackMain.class.getName(), Integer.toString(lines), Long.toString(pauseMillis))
        .redirectOutput(out.toFile()).redirectError(err.toFile());
    builder.environment().put("LOKI_URL", lokiUrl);
    builder.environment().remove("ENV");
    Process process = builder.start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the child JVM exits").isTrue();
    return new Run(process.exitValue(), Files.readAllLines(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  private static List<JsonNode> jsonLines(List<String> stdout) {
    List<JsonNode> lines = new ArrayList<>();
    for (String line : stdout) {
      // Every line on standard output is one JSON object: a status dump here would fail to parse.
      JsonNode node = JSON.readTree(line);
      assertThat(node.isObject()).as(line).isTrue();
      lines.add(node);
    }
    return lines;
  }

  @Test
  void aProgramThatLogsAndReturns_hasEveryLineInLoki() throws Exception {
    try (LokiReceiver loki = LokiReceiver.start()) {
      Run run = run(loki.url(), 4, 0);
      assertThat(run.exit()).isZero();
      assertThat(jsonLines(run.stdout())).hasSize(4);
      assertThat(loki.entries()).extracting(e -> JSON.readTree(e.line()).get("message").asString())
          .containsExactlyInAnyOrder("line 1 of 4", "line 2 of 4", "line 3 of 4", "line 4 of 4");
      assertThat(run.stderr()).doesNotContain("WARN").doesNotContain("ERROR");
    }
  }

  @Test
  void withLokiUnreachable_theTroubleShowsOnStderr_andStdoutStaysJson() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    long start = System.nanoTime();
    Run run = run("http://127.0.0.1:" + closedPort, 10, 300);
    assertThat(run.exit()).isZero();
    assertThat(jsonLines(run.stdout())).hasSize(10);
    assertThat(run.stderr()).contains("cannot reach Loki").contains("stopped with 10 events unsent");
    // A refused connection ends the shutdown at once, not after the 10 s shutdown timeout.
    assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).isLessThan(10);
  }

  @Test
  void aConfigurationMistake_isReportedOnStderr_notDumpedIntoTheJsonStream() throws Exception {
    Run run = run("localhost:3100", 3, 0);
    assertThat(run.exit()).isZero();
    assertThat(jsonLines(run.stdout())).hasSize(3);
    assertThat(run.stderr()).contains("has no scheme").contains("http://localhost:3100");
    assertThat(String.join("\n", run.stdout())).doesNotContain("|-");
  }

}
