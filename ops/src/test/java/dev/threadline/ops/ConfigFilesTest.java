package dev.threadline.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Every YAML and JSON file of the kit parses; compose pins its images; Loki keeps 30 days with metadata on. */
class ConfigFilesTest {

  // A released version: digits, optionally a leading v, no "latest", "main" or floating major tag.
  private static final Pattern PINNED = Pattern.compile("[^:]+:v?\\d+\\.\\d+\\.\\d+");

  @Test
  void everyYamlAndJsonFile_parses() {
    List<Path> yaml = OpsFiles.files(".yaml", ".yml");
    List<Path> json = OpsFiles.files(".json");
    assertThat(yaml).hasSizeGreaterThanOrEqualTo(5);
    assertThat(json).hasSizeGreaterThanOrEqualTo(5);
    yaml.forEach(file -> assertThat(OpsFiles.yaml(file).isObject()).as(file.toString()).isTrue());
    json.forEach(file -> assertThat(OpsFiles.json(file).isObject()).as(file.toString()).isTrue());
  }

  @Test
  void compose_pinsEveryImageToARelease() {
    JsonNode services = OpsFiles.yaml(OpsFiles.COMPOSE).path("services");
    assertThat(services.properties()).extracting(e -> e.getKey()).contains("loki", "grafana", "alloy");
    for (var service : services.properties()) {
      String image = service.getValue().path("image").asText();
      assertThat(image).as(service.getKey()).matches(PINNED);
    }
    assertThat(services.path("loki").path("image").asText()).startsWith("grafana/loki:3.");
    assertThat(services.path("alloy").path("image").asText()).startsWith("grafana/alloy:v1.");
  }

  @Test
  void compose_mountsWhatTheProvisioningFilesPointAt() {
    JsonNode services = OpsFiles.yaml(OpsFiles.COMPOSE).path("services");
    List<String> grafanaVolumes = texts(services.path("grafana").path("volumes"));
    String dashboardsPath = OpsFiles.yaml(OpsFiles.DASHBOARD_PROVIDER).path("providers").get(0)
        .path("options").path("path").asText();
    assertThat(grafanaVolumes).anyMatch(v -> v.startsWith("./grafana/dashboards:" + dashboardsPath));
    assertThat(grafanaVolumes).anyMatch(v -> v.startsWith("./grafana/provisioning:/etc/grafana/provisioning"));
    assertThat(texts(services.path("loki").path("volumes")))
        .anyMatch(v -> v.startsWith("./loki/loki-config.yaml:/etc/loki/loki-config.yaml"));
    assertThat(texts(services.path("alloy").path("volumes")))
        .anyMatch(v -> v.startsWith("./alloy/config.alloy:/etc/alloy/config.alloy"));
    String url = OpsFiles.yaml(OpsFiles.DATASOURCE).path("datasources").get(0).path("url").asText();
    assertThat(url).isEqualTo("http://loki:3100");
  }

  @Test
  void loki_keeps30DaysOnTsdbV13WithStructuredMetadata() {
    JsonNode loki = OpsFiles.yaml(OpsFiles.LOKI_CONFIG);
    assertThat(loki.path("compactor").path("retention_enabled").asBoolean()).isTrue();
    assertThat(loki.path("compactor").path("delete_request_store").asText()).isEqualTo("filesystem");
    assertThat(loki.path("limits_config").path("retention_period").asText()).isEqualTo("720h");
    assertThat(loki.path("limits_config").path("allow_structured_metadata").asBoolean()).isTrue();
    JsonNode schema = loki.path("schema_config").path("configs");
    assertThat(schema).hasSize(1);
    assertThat(schema.get(0).path("store").asText()).isEqualTo("tsdb");
    assertThat(schema.get(0).path("schema").asText()).isEqualTo("v13");
    assertThat(schema.get(0).path("index").path("period").asText()).isEqualTo("24h");
    assertThat(loki.path("common").path("storage").has("filesystem")).isTrue();
    // The S3-compatible alternative is documented in place.
    assertThat(OpsFiles.text(OpsFiles.LOKI_CONFIG)).contains("#   s3:", "bucketnames", "s3forcepathstyle");
    // The new-fingerprint alert reads 7 days and 10 minutes back.
    assertThat(hours(loki.path("limits_config").path("max_query_length").asText())).isGreaterThan(7 * 24);
  }

  private static int hours(String duration) {
    assertThat(duration).matches("\\d+h");
    return Integer.parseInt(duration.substring(0, duration.length() - 1));
  }

  private static List<String> texts(JsonNode array) {
    return java.util.stream.StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
  }
}
