package dev.threadline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * README's "threadline: a request's journey in a terminal", run as written: every {@code threadline} line of its
 * command block (the demo's files are the lines kept in this module's test resources, {@code localhost:3100} a
 * {@link FakeLoki} holding the same lines as the appender stores them, {@code kubectl logs} the order-api's file),
 * the three views it shows compared with what the tool prints, and its LogQL block compared with what the tool sends.
 */
class ReadmeCliTest {

  static final Path README = Path.of("..", "README.md");
  static final Pattern FENCE = Pattern.compile("```(\\w+)\\n(.*?)```", Pattern.DOTALL);

  static FakeLoki loki;

  @BeforeAll
  static void lokiWithTheDemo() throws Exception {
    // As a single-binary Loki runs by default (auth_enabled: false): the tenant header is sent, and ignored.
    loki = FakeLoki.start();
    DemoInLoki.load(loki, "fake", Instant.now().minusSeconds(60));
  }

  @AfterAll
  static void stop() {
    loki.close();
  }

  @Test
  void everyCommandOfTheBlock_runs_andTheViewsItShowsAreWhatTheToolPrints() throws Exception {
    List<String> commands = block("<!-- ReadmeCliTest (cli)", "bash").lines()
        .filter(l -> l.contains("threadline ")).toList();
    assertThat(commands).hasSizeGreaterThanOrEqualTo(7);
    List<String> views = List.of(block("<!-- ReadmeCliTest: the tool's own output for the block's first line", "text"),
        block("<!-- ReadmeCliTest: the tool's own output for the block's second line", "text"),
        block("<!-- ReadmeCliTest: the tool's own output for the block's third line", "text"));

    for (int i = 0; i < commands.size(); i++) {
      String command = commands.get(i);
      Cli.Run run = command.contains("threadline tail") && command.contains("--loki") ? tailLoki(command)
          : run(command);
      assertThat(run.status()).as(command + "\n" + run.err()).isZero();
      if (i < views.size()) {
        assertThat(run.out()).as(command).isEqualTo(views.get(i));
      }
    }
    // The tenant given went to Loki as the appender sends it.
    assertThat(loki.requests()).anySatisfy(r -> assertThat(r.headers()).containsEntry("x-scope-orgid", "team-a"));
  }

  @Test
  void theHelpAndTheCompletionScript_areThere() {
    Cli.Run help = Cli.run("--help");
    assertThat(help.status()).isZero();
    assertThat(help.out()).contains("trace", "errors", "tail", "generate-completion", "Exit status: 0 found");
    Cli.Run completion = Cli.run("generate-completion");
    assertThat(completion.status()).isZero();
    assertThat(completion.out()).contains("complete -F");
  }

  @Test
  void theLogqlBlock_isWhatTheToolSends() throws Exception {
    List<String> documented = block("**What it asks Loki.**", "logql").lines().toList();
    String errors = Logql.errorSelector(List.of(), null);
    assertThat(documented).containsExactly(
        Logql.trace(Logql.selector(List.of(), null, List.of()), "01m97ar1s6t1nzp8zv9g"),
        Logql.errorCounts(errors, Duration.ofHours(24)),
        Logql.fingerprintsBefore(errors, Duration.ofHours(24), ErrorsCommand.LOOK_BACK),
        Logql.fingerprint(errors, "856f788126142173"),
        Logql.selector(List.of("order-api"), null, List.of("error", "warn")));
    // And the tool sent exactly those (the README's Loki commands ran against the fake in the other test).
    Cli.Run run = Cli.run("trace", "01m97ar1s6t1nzp8zv9g", "--loki", loki.url());
    assertThat(run.status()).isZero();
    assertThat(loki.requests()).anySatisfy(r -> assertThat(r.params().get("query")).isEqualTo(documented.get(0)));
  }

  /** Runs one line of the block: {@code cat FILES |} and {@code kubectl logs … |} become standard input. */
  private static Cli.Run run(String command) throws Exception {
    String line = localise(command);
    InputStream in = new ByteArrayInputStream(new byte[0]);
    int pipe = line.indexOf(" | ");
    if (pipe >= 0) {
      String producer = line.substring(0, pipe);
      ByteArrayOutputStream input = new ByteArrayOutputStream();
      if (producer.startsWith("cat ")) {
        for (String file : producer.substring(4).trim().split("\\s+")) {
          input.writeBytes(Files.readAllBytes(Path.of(file)));
        }
      } else {
        assertThat(producer).isEqualTo("kubectl logs deploy/order-api");
        input.writeBytes(Files.readAllBytes(DemoInLoki.file("order-api")));
      }
      in = new ByteArrayInputStream(input.toByteArray());
      line = line.substring(pipe + 3);
    }
    return Cli.run(in, Map.of(), args(line));
  }

  /** {@code tail --loki} follows until stopped: it runs until a line pushed after it opened is shown. */
  private static Cli.Run tailLoki(String command) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int[] status = {-1};
    Thread tail = new Thread(() -> status[0] = Threadline.execute(args(localise(command)),
        new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), Map.of()));
    int before = (int) loki.requests().stream().filter(r -> r.path().endsWith("/tail")).count();
    tail.start();
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (loki.requests().stream().filter(r -> r.path().endsWith("/tail")).count() == before
        && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    Thread.sleep(200);
    String late = "{\"timestamp\":\"" + Instant.now() + "\",\"level\":\"warn\",\"service\":\"order-api\","
        + "\"logger\":\"late\",\"thread\":\"t\",\"message\":\"a warning after the tail opened\"}";
    loki.push("fake", Map.of("service", "order-api", "env", "demo", "level", "warn"), Map.of(), Instant.now(), late);
    while (!out.toString(StandardCharsets.UTF_8).contains("a warning after the tail opened")
        && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    tail.interrupt();
    tail.join(5_000);
    assertThat(tail.isAlive()).isFalse();
    return new Cli.Run(status[0], out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private static String localise(String command) {
    return command.replace("samples/target/demo/order-api.log", DemoInLoki.file("order-api").toString())
        .replace("samples/target/demo/fulfillment-worker.log", DemoInLoki.file("fulfillment-worker").toString())
        .replace("http://localhost:3100", loki.url());
  }

  private static String[] args(String line) {
    List<String> words = new ArrayList<>(Arrays.asList(line.trim().split("\\s+")));
    assertThat(words.get(0)).isEqualTo("threadline");
    return words.subList(1, words.size()).toArray(String[]::new);
  }

  /** The first fenced block of {@code language} after {@code marker}. */
  static String block(String marker, String language) throws Exception {
    String readme = Files.readString(README, StandardCharsets.UTF_8);
    int at = readme.indexOf(marker);
    assertThat(at).as(marker).isNotNegative();
    Matcher m = FENCE.matcher(readme);
    while (m.find(at)) {
      if (m.group(1).equals(language)) {
        return m.group(2);
      }
      at = m.end();
    }
    throw new AssertionError("no " + language + " block after " + marker);
  }
}
