package dev.threadline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The demo's lines as the Loki appender stores them: the stream labels {@code service}, {@code env} and
 * {@code level}, and the structured metadata {@code requestId}, {@code trace_id}, {@code span_id} and
 * {@code error_fingerprint} (README, loki-appender), each line's text unchanged. Loki's entry times are the lines'
 * own, moved as a block so the newest is {@code newest}: the queries' windows end now, and the files were written
 * on the day the demo ran.
 */
final class DemoInLoki {

  private DemoInLoki() {}

  /** One stored entry. */
  record Stored(Map<String, String> labels, Map<String, String> metadata, Instant time, String line) {}

  static List<Stored> entries(Instant newest) throws IOException {
    List<Stored> stored = new ArrayList<>();
    Instant last = Instant.parse("2026-12-07T04:03:48.047206Z");
    Duration shift = Duration.between(last, newest);
    for (String service : List.of("order-api", "fulfillment-worker")) {
      for (String text : Files.readAllLines(Cli.demo(service), StandardCharsets.UTF_8)) {
        JsonNode line = Cli.JSON.readTree(text);
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("service", line.get("service").asText());
        labels.put("env", line.get("env").asText());
        labels.put("level", line.get("level").asText());
        Map<String, String> metadata = new LinkedHashMap<>();
        for (String key : List.of("requestId", "trace_id", "span_id")) {
          if (line.has(key)) {
            metadata.put(key, line.get(key).asText());
          }
        }
        if (line.has("error")) {
          metadata.put("error_fingerprint", line.get("error").get("fingerprint").asText());
        }
        stored.add(new Stored(labels, metadata, Instant.parse(line.get("timestamp").asText()).plus(shift), text));
      }
    }
    return stored;
  }

  /** Pushes the demo's lines into {@code loki} for {@code tenant}, the newest at {@code newest}. */
  static List<Stored> load(FakeLoki loki, String tenant, Instant newest) throws IOException {
    List<Stored> stored = entries(newest);
    for (Stored s : stored) {
      loki.push(tenant, s.labels(), s.metadata(), s.time(), s.line());
    }
    return stored;
  }

  static Path file(String service) {
    return Cli.demo(service);
  }
}
