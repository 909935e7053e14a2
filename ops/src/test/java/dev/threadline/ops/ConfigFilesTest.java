package dev.threadline.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
    // The S3-compatible alternative is documented in place, in the Thanos clients' keys.
    assertThat(OpsFiles.text(OpsFiles.LOKI_CONFIG)).contains("#   s3:", "bucket_name", "bucket_lookup_type: path");
    // The new-fingerprint alert reads 7 days and 10 minutes back.
    assertThat(hours(loki.path("limits_config").path("max_query_length").asText())).isGreaterThan(7 * 24);
  }

  /**
   * Everything Loki stores lands in the compose file's data volume, whichever object-store clients the Loki
   * line defaults to. grafana/loki pkg/storage/factory.go registers {@code use_thanos_objstore} with default
   * false up to 3.7 (tag v3.7.6) and true from the 3.8 line on; with it true, only {@code object_store}'s
   * {@code filesystem.dir} places chunks and the shipped index, and pkg/loki/config_wrapper.go copies
   * {@code common.storage.filesystem.chunks_directory} into the legacy client's config only, so that key is
   * ignored (chunks went to ./fake/ and the index to ./index/ of the working directory). The setting is stated,
   * and each directory is named, under {@code common.path_prefix}, which is the volume's mount point.
   */
  @Test
  void loki_keepsEverythingItStoresInTheDataVolume_onEveryLokiLineItTargets() {
    JsonNode loki = OpsFiles.yaml(OpsFiles.LOKI_CONFIG);
    String volume = texts(OpsFiles.yaml(OpsFiles.COMPOSE).path("services").path("loki").path("volumes")).stream()
        .filter(v -> v.startsWith("loki-data:")).map(v -> v.split(":")[1]).findFirst().orElseThrow();
    assertThat(loki.path("common").path("path_prefix").asText()).isEqualTo(volume);

    JsonNode storage = loki.path("storage_config");
    assertThat(storage.path("use_thanos_objstore").isBoolean())
        .as("storage_config.use_thanos_objstore is stated: its default differs between Loki 3.7 and 3.8").isTrue();
    Map<String, String> directories = new java.util.LinkedHashMap<>();
    if (storage.path("use_thanos_objstore").asBoolean()) {
      directories.put("chunks and index (object_store.filesystem.dir)",
          storage.path("object_store").path("filesystem").path("dir").asText(null));
      assertThat(loki.path("common").path("storage").path("filesystem").isMissingNode())
          .as("common.storage.filesystem is ignored by the Thanos clients; it would only mislead").isTrue();
    } else {
      directories.put("chunks and index (common.storage.filesystem.chunks_directory)",
          loki.path("common").path("storage").path("filesystem").path("chunks_directory").asText(null));
    }
    directories.put("tsdb_shipper.active_index_directory",
        storage.path("tsdb_shipper").path("active_index_directory").asText(null));
    directories.put("tsdb_shipper.cache_location", storage.path("tsdb_shipper").path("cache_location").asText(null));
    directories.put("ingester.wal.dir", loki.path("ingester").path("wal").path("dir").asText(null));
    directories.put("compactor.working_directory", loki.path("compactor").path("working_directory").asText(null));
    directories.forEach((what, dir) -> assertThat(dir).as(what).isNotNull().startsWith(volume + "/"));
    assertThat(new java.util.HashSet<>(directories.values())).as("no two share a directory")
        .hasSameSizeAs(directories.values());

    // And no other directory of the file points elsewhere.
    List<String> paths = new java.util.ArrayList<>();
    collectPaths(loki, "", paths);
    assertThat(paths).isNotEmpty().allSatisfy(p -> assertThat(p.substring(p.indexOf('=') + 1))
        .as(p).startsWith(volume));
  }

  private static void collectPaths(JsonNode node, String at, List<String> out) {
    for (Map.Entry<String, JsonNode> field : node.properties()) {
      String key = field.getKey();
      JsonNode value = field.getValue();
      if (value.isObject()) {
        collectPaths(value, at + key + ".", out);
      } else if (value.isTextual() && (key.equals("dir") || key.endsWith("directory") || key.endsWith("_location")
          || key.endsWith("path_prefix") || key.endsWith("_path"))) {
        out.add(at + key + "=" + value.asText());
      }
    }
  }

  private static int hours(String duration) {
    assertThat(duration).matches("\\d+h");
    return Integer.parseInt(duration.substring(0, duration.length() - 1));
  }

  private static List<String> texts(JsonNode array) {
    return java.util.stream.StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
  }
}
