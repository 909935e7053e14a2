package dev.threadline.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The three dashboards have the panels and variables the issue asks for, all on the provisioned datasource. */
class DashboardsTest {

  private static Map<String, JsonNode> byUid() {
    return OpsFiles.dashboards().stream().map(OpsFiles::json)
        .collect(Collectors.toMap(d -> d.path("uid").asText(), d -> d));
  }

  @Test
  void theThreeDashboards_areThere_withUniqueUidsAndPanelIds() {
    Map<String, JsonNode> dashboards = byUid();
    assertThat(dashboards).containsOnlyKeys(
        "threadline-service-overview", "threadline-request-tracing", "threadline-error-deep-dive");
    for (JsonNode dashboard : dashboards.values()) {
      List<Integer> ids = Expressions.panels(dashboard).stream().map(p -> p.path("id").asInt()).toList();
      assertThat(ids).as(dashboard.path("uid").asText()).doesNotHaveDuplicates().doesNotContain(0);
      assertThat(dashboard.path("title").asText()).startsWith("Threadline / ");
    }
  }

  @Test
  void everyVariableAQueryUses_isDefinedOnItsDashboard_orIsGrafanasOwn() {
    java.util.regex.Pattern variable = java.util.regex.Pattern.compile("\\$\\{?([A-Za-z_]\\w*)");
    for (Path file : OpsFiles.dashboards()) {
      JsonNode dashboard = OpsFiles.json(file);
      java.util.Set<String> defined = new java.util.HashSet<>(variables(dashboard).keySet());
      defined.addAll(List.of("__auto", "__interval", "__range", "__rate_interval"));
      for (JsonNode panel : Expressions.panels(dashboard)) {
        for (JsonNode target : panel.path("targets")) {
          java.util.regex.Matcher m = variable.matcher(target.path("expr").asText());
          while (m.find()) {
            assertThat(defined).as(file.getFileName() + " / " + panel.path("title").asText()).contains(m.group(1));
          }
        }
      }
    }
  }

  @Test
  void everyDatasourceReference_isTheProvisionedLokiDatasource() {
    String uid = OpsFiles.datasourceUid();
    assertThat(uid).isEqualTo("threadline-loki");
    List<JsonNode> references = new ArrayList<>();
    for (Path file : OpsFiles.dashboards()) {
      JsonNode dashboard = OpsFiles.json(file);
      for (JsonNode panel : Expressions.panels(dashboard)) {
        references.add(panel.path("datasource"));
        panel.path("targets").forEach(t -> references.add(t.path("datasource")));
      }
      for (JsonNode variable : dashboard.path("templating").path("list")) {
        if (variable.path("type").asText().equals("query")) {
          references.add(variable.path("datasource"));
        }
      }
    }
    assertThat(references).hasSizeGreaterThan(20).allSatisfy(ref -> {
      assertThat(ref.path("uid").asText()).isEqualTo(uid);
      assertThat(ref.path("type").asText()).isEqualTo("loki");
    });
  }

  @Test
  void serviceOverview_showsErrorRateVolumeAndTopErrorMessagesPerService() {
    JsonNode dashboard = byUid().get("threadline-service-overview");
    assertThat(variables(dashboard)).containsKeys("service", "env");
    assertThat(variables(dashboard).get("service").path("includeAll").asBoolean()).isTrue();
    Map<String, JsonNode> panels = panelsByTitle(dashboard);
    assertThat(panels.keySet()).anyMatch(t -> t.startsWith("Error rate"))
        .anyMatch(t -> t.startsWith("Log volume"))
        .anyMatch(t -> t.startsWith("Top error messages"));
    JsonNode errorRate = panel(panels, "Error rate");
    assertThat(expr(errorRate)).contains("level=\"error\"", " / ", "sum by (service)");
    assertThat(errorRate.path("fieldConfig").path("defaults").path("unit").asText()).isEqualTo("percentunit");
    JsonNode top = panel(panels, "Top error messages");
    assertThat(top.path("type").asText()).isEqualTo("table");
    assertThat(expr(top)).startsWith("topk(10,").contains("by (service, message)", "[$__range]");
    assertThat(top.path("targets").get(0).path("queryType").asText()).isEqualTo("instant");
  }

  @Test
  void requestTracing_showsEveryLineOfOneRequestAcrossServicesOldestFirst() {
    JsonNode dashboard = byUid().get("threadline-request-tracing");
    JsonNode requestId = variables(dashboard).get("requestId");
    assertThat(requestId).isNotNull();
    assertThat(requestId.path("type").asText()).isEqualTo("textbox");
    JsonNode lines = panel(panelsByTitle(dashboard), "Lines of the request");
    assertThat(lines.path("type").asText()).isEqualTo("logs");
    assertThat(lines.path("options").path("sortOrder").asText()).isEqualTo("Ascending");
    // Every service, matched on the structured metadata, not on a label.
    assertThat(expr(lines)).startsWith("{service=~\".+\"").contains("| requestId=\"${requestId}\"");
  }

  @Test
  void errorDeepDive_groupsByFingerprintWithCountFirstAndLastSeen() {
    JsonNode dashboard = byUid().get("threadline-error-deep-dive");
    JsonNode table = panel(panelsByTitle(dashboard), "Errors by fingerprint");
    assertThat(table.path("type").asText()).isEqualTo("table");
    List<String> exprs = new ArrayList<>();
    table.path("targets").forEach(t -> exprs.add(t.path("expr").asText()));
    assertThat(exprs).hasSize(3).allMatch(e -> e.contains("error_fingerprint"));
    assertThat(exprs.get(0)).contains("count_over_time(");
    // To the millisecond: the line's timestamp in milliseconds, shown with them.
    assertThat(exprs.get(1)).contains("min_over_time(", "__timestamp__ | unixEpochMillis").doesNotContain("1000 *");
    assertThat(exprs.get(2)).contains("max_over_time(", "__timestamp__ | unixEpochMillis").doesNotContain("1000 *");
    assertThat(table.path("fieldConfig").path("overrides").findValuesAsText("value"))
        .contains("time:YYYY-MM-DD HH:mm:ss.SSS");
    String renames = table.path("transformations").toString();
    assertThat(renames).contains("\"Count\"", "\"First seen\"", "\"Last seen\"");
  }

  private static Map<String, JsonNode> variables(JsonNode dashboard) {
    Map<String, JsonNode> all = new java.util.LinkedHashMap<>();
    dashboard.path("templating").path("list").forEach(v -> all.put(v.path("name").asText(), v));
    return all;
  }

  private static Map<String, JsonNode> panelsByTitle(JsonNode dashboard) {
    Map<String, JsonNode> all = new java.util.LinkedHashMap<>();
    Expressions.panels(dashboard).forEach(p -> all.put(p.path("title").asText(), p));
    return all;
  }

  private static JsonNode panel(Map<String, JsonNode> panels, String titleStart) {
    return panels.entrySet().stream().filter(e -> e.getKey().startsWith(titleStart)).map(Map.Entry::getValue)
        .findFirst().orElseThrow(() -> new AssertionError("no panel titled " + titleStart + "…: " + panels.keySet()));
  }

  private static String expr(JsonNode panel) {
    return panel.path("targets").get(0).path("expr").asText();
  }
}
