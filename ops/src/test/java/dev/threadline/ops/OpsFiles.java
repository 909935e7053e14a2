package dev.threadline.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Where the kit's files are, and how they are read: YAML and JSON as Jackson trees. */
final class OpsFiles {

  static final ObjectMapper JSON = new ObjectMapper();
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** The ops module's folder (Surefire runs in it; {@code basedir} says so when run from elsewhere). */
  static final Path OPS = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
  static final Path ROOT = OPS.getParent();

  static final Path DASHBOARDS = OPS.resolve("grafana/dashboards");
  static final Path DATASOURCE = OPS.resolve("grafana/provisioning/datasources/loki.yaml");
  static final Path DASHBOARD_PROVIDER = OPS.resolve("grafana/provisioning/dashboards/threadline.yaml");
  static final Path ALERTING = OPS.resolve("grafana/provisioning/alerting");
  static final Path LOKI_CONFIG = OPS.resolve("loki/loki-config.yaml");
  static final Path COMPOSE = OPS.resolve("docker-compose.yml");
  static final Path ALLOY_CONFIG = OPS.resolve("alloy/config.alloy");
  static final Path README = OPS.resolve("README.md");
  static final Path LOGQL_CHECK = OPS.resolve("logql-check");

  static final Path SCHEMA = ROOT.resolve("docs/schema/threadline-log-line-1.0.0.schema.json");
  static final Path ACCESS_EXAMPLE = ROOT.resolve("docs/schema/examples/access.json");
  static final Path SCHEMA_DOC = ROOT.resolve("docs/schema.md");
  static final Path ROOT_README = ROOT.resolve("README.md");
  static final Path SAMPLES_README = ROOT.resolve("samples/README.md");
  static final Path APPENDER_RECORD =
      ROOT.resolve("loki-appender/src/main/java/dev/threadline/loki/LokiRecord.java");

  private OpsFiles() {}

  static JsonNode yaml(Path file) {
    try {
      return YAML.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot parse " + OPS.relativize(file), e);
    }
  }

  static JsonNode json(Path file) {
    try {
      return JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot parse " + file, e);
    }
  }

  static String text(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The kit's own files with the given endings, without build output and installed packages. */
  static List<Path> files(String... endings) {
    try (Stream<Path> all = Files.walk(OPS)) {
      return all.filter(Files::isRegularFile)
          .filter(p -> !OPS.relativize(p).startsWith("target") && !p.toString().contains("node_modules"))
          .filter(p -> Stream.of(endings).anyMatch(e -> p.getFileName().toString().endsWith(e)))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<Path> dashboards() {
    return files(".json").stream().filter(p -> p.startsWith(DASHBOARDS)).toList();
  }

  static List<Path> alertRuleFiles() {
    return files(".yaml", ".yml").stream().filter(p -> p.startsWith(ALERTING)).toList();
  }

  /** The uid of the one provisioned Loki datasource. */
  static String datasourceUid() {
    JsonNode sources = yaml(DATASOURCE).path("datasources");
    if (sources.size() != 1) {
      throw new AssertionError("expected exactly one provisioned datasource, found " + sources.size());
    }
    return sources.get(0).path("uid").asText();
  }
}
