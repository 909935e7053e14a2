package dev.threadline.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Node.js (winston) and Python (structlog) emitters of docs/other-languages.md, run with the machine's Node.js and
 * Python: every line they print is one JSON object valid against the schema's JSON Schema, with the correlation ids,
 * the renames and the error object the page promises.
 */
class OtherLanguagesTest {

  private static final Path DOCS = Path.of("..", "docs");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static JsonSchema schema;

  @BeforeAll
  static void loadSchema() throws IOException {
    schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(
        Files.readString(DOCS.resolve("schema/threadline-log-line-1.0.0.schema.json")));
  }

  @Test
  void winstonLines_followTheSchema() throws Exception {
    Path work = Path.of("target", "winston");
    copyTree(DOCS.resolve("other-languages/node"), work);
    run(work, List.of("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"));
    List<JsonNode> lines = validLines(run(work, List.of("node", "example.js")));

    assertThat(lines).hasSize(5);
    assertThat(lines).allSatisfy(line -> assertThat(line.get("service").asText()).isEqualTo("checkout-node"));
    JsonNode charging = lines.get(1);
    assertThat(charging.get("logger").asText()).isEqualTo("checkout.http");
    assertThat(charging.get("requestId").asText()).isEqualTo("req-node-1");
    assertThat(charging.get("trace_id").asText()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(charging.get("orderId").isInt()).isTrue();
    assertThat(lines.get(2).get("_timestamp").asText()).isEqualTo("user value");
    assertThat(lines.get(2).get("level").asText()).isEqualTo("warn");
    JsonNode error = lines.get(3).get("error");
    assertThat(error.get("type").asText()).isEqualTo("TypeError");
    assertThat(error.get("stack").asText()).startsWith("TypeError: card is undefined");
    assertThat(lines.get(4).get("level").asText()).isEqualTo("debug");
    assertThat(lines.get(0).has("requestId")).isFalse();
  }

  @Test
  void structlogLines_followTheSchema() throws Exception {
    List<JsonNode> lines = validLines(run(DOCS.resolve("other-languages/python"), List.of("python3", "example.py")));

    assertThat(lines).hasSize(4);
    assertThat(lines.get(1).get("logger").asText()).isEqualTo("billing.http");
    assertThat(lines.get(1).get("span_id").asText()).isEqualTo("00f067aa0ba902b7");
    assertThat(lines.get(2).get("_message").asText()).isEqualTo("user value");
    assertThat(lines.get(2).get("level").asText()).isEqualTo("warn");
    JsonNode error = lines.get(3).get("error");
    assertThat(error.get("type").asText()).isEqualTo("KeyError");
    assertThat(error.get("fingerprint").asText()).matches("[0-9a-f]{16}");
  }

  private static List<JsonNode> validLines(String output) throws IOException {
    List<JsonNode> lines = new ArrayList<>();
    for (String raw : output.split("\n")) {
      if (raw.isBlank()) {
        continue;
      }
      JsonNode line = JSON.readTree(raw);
      assertThat(line.isObject()).as("one JSON object per line: %s", raw).isTrue();
      assertThat(schema.validate(line)).as("schema errors in %s", raw).isEmpty();
      lines.add(line);
    }
    return lines;
  }

  private static String run(Path directory, List<String> command) throws Exception {
    Process process;
    try {
      process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new AssertionError(command.get(0) + " is needed to test docs/other-languages.md and was not found on "
          + "the PATH (" + e.getMessage() + ")", e);
    }
    byte[] out = process.getInputStream().readAllBytes();
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("%s finished", command).isTrue();
    String text = new String(out, StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as("%s exit status; output:%n%s", command, text).isZero();
    return text;
  }

  private static void copyTree(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (var files = Files.list(from)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        if (Files.isRegularFile(file)) {
          Files.copy(file, to.resolve(file.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }
}
