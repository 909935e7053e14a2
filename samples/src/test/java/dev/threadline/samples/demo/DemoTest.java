package dev.threadline.samples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo end to end, as the README's command runs it: order-api and fulfillment-worker in two child JVMs on this
 * module's class path, the scenario, and the lines read back from their stdout. The assertions read the parsed
 * lines themselves, not the demo's own verdict only.
 */
class DemoTest {

  @Test
  void theFailingRequestCanBeFollowedAcrossBothServicesByItsRequestId(@TempDir Path dir) throws Exception {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    Demo.Result result = new Demo(dir, System.getProperty("java.class.path"), null,
        new PrintStream(printed, true, StandardCharsets.UTF_8)).run();
    String output = printed.toString(StandardCharsets.UTF_8);

    assertThat(result.unparsable()).as("lines that are not Threadline JSON").isEmpty();
    assertThat(result.of(Demo.ORDER_API)).isNotEmpty().allSatisfy(l -> assertThat(l.service()).isEqualTo("order-api"));
    assertThat(result.of(Demo.WORKER)).isNotEmpty()
        .allSatisfy(l -> assertThat(l.service()).isEqualTo("fulfillment-worker"));

    Demo.Response cascade = only(result.responses().stream().filter(r -> "lamp".equals(r.sku())).toList());
    assertThat(cascade.status()).isEqualTo(500);
    String requestId = cascade.requestId();
    assertThat(requestId).isNotBlank().isEqualTo(result.cascadeRequestId());

    List<LogLine> lines = result.lines().stream().filter(l -> requestId.equals(l.requestId())).toList();
    assertThat(lines.stream().map(LogLine::service).collect(Collectors.toSet()))
        .containsExactlyInAnyOrder("order-api", "fulfillment-worker");
    assertThat(lines.stream().map(LogLine::traceId).collect(Collectors.toSet())).hasSize(1).doesNotContainNull();

    // order-api tried twice; each attempt is a client span whose child is one server span in the worker.
    List<LogLine> calls = lines.stream().filter(l -> "order-api".equals(l.service())
        && "dev.threadline.client".equals(l.logger())).toList();
    List<LogLine> workerSpans = lines.stream().filter(l -> "fulfillment-worker".equals(l.service())
        && "dev.threadline.access".equals(l.logger()) && "/fulfilments".equals(l.text("path"))).toList();
    assertThat(calls).hasSize(2).allSatisfy(l -> assertThat(l.json()).containsEntry("status", 504));
    assertThat(workerSpans).hasSize(2);
    assertThat(workerSpans.stream().map(LogLine::parentSpanId).collect(Collectors.toSet()))
        .isEqualTo(calls.stream().map(LogLine::spanId).collect(Collectors.toSet()));
    LogLine apiServer = only(lines.stream().filter(l -> "order-api".equals(l.service())
        && "dev.threadline.access".equals(l.logger())).toList());
    assertThat(apiServer.json()).containsEntry("status", 500);
    assertThat(calls).allSatisfy(c -> assertThat(c.parentSpanId()).isEqualTo(apiServer.spanId()));
    LogLine event = only(lines.stream().filter(l -> l.logger().endsWith("OrderEventListener")).toList());
    assertThat(event.service()).isEqualTo("fulfillment-worker");
    assertThat(event.parentSpanId()).isEqualTo(apiServer.spanId());

    // The two timeouts are one bug: the same fingerprint, counted twice.
    List<LogLine> timeouts = lines.stream().filter(l -> "java.net.http.HttpTimeoutException".equals(l.errorType()))
        .toList();
    assertThat(timeouts).hasSize(2);
    Set<String> fingerprints = timeouts.stream().map(LogLine::fingerprint).collect(Collectors.toSet());
    assertThat(fingerprints).hasSize(1);
    assertThat(output).containsPattern("(?m)^\\s+2  " + fingerprints.iterator().next() + "  fulfillment-worker ");

    Demo.Response bug = only(result.responses().stream().filter(r -> "ghost".equals(r.sku())).toList());
    assertThat(bug.status()).isEqualTo(500);
    assertThat(result.lines()).anySatisfy(l -> {
      assertThat(l.requestId()).isEqualTo(bug.requestId());
      assertThat(l.service()).isEqualTo("order-api");
      assertThat(l.errorType()).isEqualTo("java.lang.NullPointerException");
      assertThat(l.fingerprint()).matches("[0-9a-f]{16}");
    });

    assertThat(result.responses()).filteredOn(r -> Set.of("book", "mug").contains(r.sku()))
        .hasSize(3).allSatisfy(r -> assertThat(r.status()).isEqualTo(201));
    assertThat(output).contains("=== 2. Request tracing", "requestId=" + requestId, "=== 3. Error fingerprints");
    assertThat(result.problems()).isEmpty();
    assertThat(result.storyHappened()).isTrue();

    // The CLI over this run's files, as the demo's last section tells a user: the failing request's lines from both
    // services, the slowest hop being the inventory's late answer, the timeout's fingerprint counted twice.
    assertThat(output).contains("threadline.jar trace " + requestId + " " + dir.resolve("order-api.log"));
    String[] files = {dir.resolve("order-api.log").toString(), dir.resolve("fulfillment-worker.log").toString()};
    Cli trace = cli("trace", requestId, "--json", files[0], files[1]);
    assertThat(trace.status()).isZero();
    var doc = tools.jackson.databind.json.JsonMapper.builder().build().readTree(trace.out());
    assertThat(doc.get("lines")).hasSize(lines.size());
    var slowest = doc.get("lines").get(doc.get("slowestHop").asInt()).get("line");
    assertThat(slowest.get("service").asString()).isEqualTo("fulfillment-worker");
    assertThat(slowest.get("path").asString()).isEqualTo("/stock/lamp");
    assertThat(doc.get("lines").get(doc.get("firstError").asInt()).get("line").get("error").get("type").asString())
        .isEqualTo("java.net.http.HttpTimeoutException");
    // And the demo's printed command itself, as a user pastes it at the repository's root: the executable jar the
    // build made (cli's package phase ran before this module's tests), in its own JVM.
    String printedCommand = output.lines().filter(l -> l.startsWith("java -jar cli/target/threadline.jar trace "))
        .findFirst().orElseThrow();
    Path root = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().getParent();
    Process process = new ProcessBuilder("bash", "-c", printedCommand.replaceFirst("^java ",
        java.util.regex.Matcher.quoteReplacement(Path.of(System.getProperty("java.home"), "bin", "java").toString())
            + " ")).directory(root.toFile()).redirectErrorStream(true).start();
    String pasted = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as(pasted).isZero();
    assertThat(pasted).isEqualTo(cli("trace", requestId, files[0], files[1]).out());
    Cli errors = cli("errors", "--json", files[0], files[1]);
    assertThat(errors.status()).isZero();
    var timeout = tools.jackson.databind.json.JsonMapper.builder().build().readTree(errors.out()).get("fingerprints").get(0);
    assertThat(timeout.get("fingerprint").asString()).isEqualTo(fingerprints.iterator().next());
    assertThat(timeout.get("count").asInt()).isEqualTo(2);
  }

  private record Cli(int status, String out, String err) {}

  private static Cli cli(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = dev.threadline.cli.Threadline.execute(args, new java.io.ByteArrayInputStream(new byte[0]),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
        java.util.Map.of());
    return new Cli(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private static <T> T only(List<T> items) {
    assertThat(items).hasSize(1);
    return items.get(0);
  }
}
