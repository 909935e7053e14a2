package dev.threadline.loki;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadline.samples.demo.Demo;
import dev.threadline.samples.demo.LogLine;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo with {@code LOKI_URL} set, against loki-appender's Loki-faithful receiver (protobuf and Snappy decoded
 * independently, Loki's rules enforced): both services ship the failing request's lines, labelled by service, with
 * the request id and the fingerprint as structured metadata, and the LogQL printed names that request. In this
 * package only to reach that receiver.
 */
class DemoShipsToLokiTest {

  @Test
  void bothServicesShipTheFailingRequestWithItsIdsAsStructuredMetadata(@TempDir Path dir) throws Exception {
    try (LokiReceiver loki = LokiReceiver.start()) {
      ByteArrayOutputStream printed = new ByteArrayOutputStream();
      Demo.Result result = new Demo(dir, System.getProperty("java.class.path"), loki.url(),
          new PrintStream(printed, true, StandardCharsets.UTF_8)).run();
      assertThat(result.problems()).isEmpty();
      String requestId = result.cascadeRequestId();

      // Both services have stopped, so everything they queued was flushed on shutdown.
      List<LokiReceiver.Entry> shipped = loki.entries().stream()
          .filter(e -> requestId.equals(e.structuredMetadata().get("requestId"))).toList();
      List<LogLine> written = result.lines().stream().filter(l -> requestId.equals(l.requestId())).toList();
      Map<String, List<String>> shippedTimes = shipped.stream().collect(Collectors.groupingBy(
          e -> e.labels().get("service"), Collectors.mapping(e -> timestampOf(e.line()), Collectors.toList())));
      Map<String, List<String>> writtenTimes = written.stream().collect(Collectors.groupingBy(LogLine::service,
          Collectors.mapping(LogLine::timestamp, Collectors.toList())));
      assertThat(shippedTimes.keySet()).containsExactlyInAnyOrder("order-api", "fulfillment-worker");
      shippedTimes.forEach((service, times) -> assertThat(times).as(service)
          .containsExactlyInAnyOrderElementsOf(writtenTimes.get(service)));
      assertThat(shipped).allSatisfy(e -> {
        assertThat(e.labels()).containsEntry("env", "demo").containsKey("level").doesNotContainKey("requestId");
        assertThat(e.structuredMetadata()).containsKeys("trace_id", "span_id");
      });
      String fingerprint = written.stream().filter(l -> "java.net.http.HttpTimeoutException".equals(l.errorType()))
          .map(LogLine::fingerprint).findFirst().orElseThrow();
      assertThat(shipped.stream().filter(e -> fingerprint.equals(e.structuredMetadata().get("error_fingerprint"))))
          .hasSize(2);

      // The timeout is a handled failure logged at warn: an error event all the same, in the demo's view and in
      // the LogQL it prints (the same line as samples/README.md shows).
      assertThat(written.stream().filter(l -> fingerprint.equals(l.fingerprint())))
          .extracting(LogLine::level).contains("warn");
      assertThat(written.stream().filter(l -> fingerprint.equals(l.fingerprint()))).allMatch(LogLine::isErrorEvent);
      String readmeQuery = Files.readAllLines(Path.of(System.getProperty("basedir", ".")).resolve("README.md"))
          .stream().filter(l -> l.startsWith("sum by (error_fingerprint)")).findFirst().orElseThrow();
      assertThat(printed.toString(StandardCharsets.UTF_8))
          .contains("{service=~\"order-api|fulfillment-worker\"} | requestId=\"" + requestId + "\"")
          .contains(readmeQuery);

      // The threadline CLI over what the appenders shipped (labels and structured metadata as the receiver decoded
      // them, served by the CLI's Loki query fake) gives the same views as over the files the services wrote.
      try (dev.threadline.cli.FakeLoki query = dev.threadline.cli.FakeLoki.start()) {
        loki.entries().forEach(e -> query.push("fake", e.labels(), e.structuredMetadata(),
            java.time.Instant.ofEpochSecond(0, e.timestampNanos()), e.line()));
        String[] files = {dir.resolve("order-api.log").toString(), dir.resolve("fulfillment-worker.log").toString()};
        Cli fromLoki = cli("trace", requestId, "--loki", query.url());
        assertThat(fromLoki.status()).as(fromLoki.err()).isZero();
        assertThat(fromLoki.err()).isEmpty();
        assertThat(fromLoki.out()).isEqualTo(cli("trace", requestId, files[0], files[1]).out())
            .contains(written.size() + " lines from 2 services");
        Cli errorsFromLoki = cli("errors", "--loki", query.url());
        Cli errorsFromFiles = cli("errors", files[0], files[1]);
        assertThat(errorsFromLoki.status()).as(errorsFromLoki.err()).isZero();
        assertThat(table(errorsFromLoki.out())).isEqualTo(table(errorsFromFiles.out())).isNotEmpty();
      }
    }
  }

  /** The rows of the errors view, without its header (whose window ends at a different now). */
  private static List<String> table(String view) {
    return view.lines().filter(l -> l.matches("^\\s+\\d+  [0-9a-f]{16}  .*")).toList();
  }

  private record Cli(int status, String out, String err) {}

  private static Cli cli(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = dev.threadline.cli.Threadline.execute(args, new java.io.ByteArrayInputStream(new byte[0]),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
        Map.of());
    return new Cli(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private static String timestampOf(String line) {
    int start = line.indexOf("\"timestamp\":\"") + "\"timestamp\":\"".length();
    return line.substring(start, line.indexOf('"', start));
  }
}
