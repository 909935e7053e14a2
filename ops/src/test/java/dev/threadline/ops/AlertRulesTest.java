package dev.threadline.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The provisioned alert rules are complete Grafana rules with the thresholds the issue sets. */
class AlertRulesTest {

  private record Rule(JsonNode group, JsonNode rule) {
    String expr() {
      for (JsonNode query : rule.path("data")) {
        if (!query.path("datasourceUid").asText().equals("__expr__")) {
          return query.path("model").path("expr").asText();
        }
      }
      throw new AssertionError("rule " + rule.path("uid").asText() + " has no LogQL query");
    }

    JsonNode node(String refId) {
      for (JsonNode query : rule.path("data")) {
        if (query.path("refId").asText().equals(refId)) {
          return query;
        }
      }
      throw new AssertionError("rule " + rule.path("uid").asText() + " has no " + refId);
    }

    double threshold() {
      JsonNode condition = node(rule.path("condition").asText()).path("model");
      assertThat(condition.path("type").asText()).isEqualTo("threshold");
      return condition.path("conditions").get(0).path("evaluator").path("params").get(0).asDouble();
    }
  }

  private static Map<String, Rule> rules() {
    Map<String, Rule> rules = new LinkedHashMap<>();
    for (var file : OpsFiles.alertRuleFiles()) {
      JsonNode root = OpsFiles.yaml(file);
      assertThat(root.path("apiVersion").asInt()).isEqualTo(1);
      for (JsonNode group : root.path("groups")) {
        for (JsonNode rule : group.path("rules")) {
          assertThat(rules.put(rule.path("uid").asText(), new Rule(group, rule))).as("duplicate uid").isNull();
        }
      }
    }
    return rules;
  }

  @Test
  void everyRule_hasWhatGrafanaFileProvisioningRequires() {
    Map<String, Rule> rules = rules();
    assertThat(rules).containsOnlyKeys("threadline-error-rate", "threadline-no-logs", "threadline-new-fingerprint");
    String datasource = OpsFiles.datasourceUid();
    for (Rule r : rules.values()) {
      JsonNode group = r.group();
      assertThat(group.path("name").asText()).isNotBlank();
      assertThat(group.path("folder").asText()).isNotBlank();
      assertThat(group.path("interval").asText()).matches("\\d+[smh]");
      JsonNode rule = r.rule();
      String uid = rule.path("uid").asText();
      assertThat(uid).as("uid").matches("[a-zA-Z0-9_-]{1,40}");
      for (String field : new String[] {"title", "condition", "for", "noDataState", "execErrState"}) {
        assertThat(rule.path(field).asText()).as(uid + " " + field).isNotBlank();
      }
      assertThat(rule.path("for").asText()).matches("\\d+[smh]");
      assertThat(rule.path("labels").path("severity").asText()).as(uid + " severity").isNotBlank();
      assertThat(rule.path("annotations").path("summary").asText()).as(uid + " summary").isNotBlank();
      assertThat(rule.path("annotations").path("description").asText()).as(uid + " description").isNotBlank();

      Set<String> refIds = new HashSet<>();
      for (JsonNode query : rule.path("data")) {
        String refId = query.path("refId").asText();
        assertThat(refIds.add(refId)).as(uid + " refId " + refId + " unique").isTrue();
        assertThat(query.path("model").path("refId").asText()).isEqualTo(refId);
        String source = query.path("datasourceUid").asText();
        assertThat(source).as(uid + " " + refId).isIn(datasource, "__expr__");
        if (source.equals(datasource)) {
          assertThat(query.path("model").path("queryType").asText()).isEqualTo("instant");
          assertThat(query.path("relativeTimeRange").path("from").asInt()).isPositive();
        } else {
          // Expressions refer to earlier queries only.
          assertThat(refIds).contains(query.path("model").path("expression").asText());
        }
      }
      assertThat(refIds).contains(rule.path("condition").asText());
    }
  }

  @Test
  void errorRate_firesAbove5PercentPerServiceFor5Minutes() {
    Rule rule = rules().get("threadline-error-rate");
    assertThat(rule.expr()).startsWith("sum by (service) (count_over_time({service=~\".+\", level=\"error\"}[5m]))")
        .contains("/ sum by (service) (count_over_time({service=~\".+\"}[5m]))");
    assertThat(rule.threshold()).isEqualTo(0.05);
    assertThat(rule.rule().path("for").asText()).isEqualTo("5m");
  }

  @Test
  void noLogs_firesForAServiceSilentFor10Minutes() {
    Rule rule = rules().get("threadline-no-logs");
    assertThat(rule.expr()).contains("[10m]", "offset 10m", " unless ").contains("sum by (service)");
    assertThat(rule.threshold()).isEqualTo(0.0);
    // The query looks back 1h10m; the rule's time range must cover it.
    assertThat(rule.node("A").path("relativeTimeRange").path("from").asInt()).isGreaterThanOrEqualTo(70 * 60);
    assertThat(rule.rule().path("noDataState").asText()).isEqualTo("OK");
  }

  @Test
  void newFingerprint_firesForAFingerprintNotSeenInThePrevious7Days() {
    Rule rule = rules().get("threadline-new-fingerprint");
    String expr = rule.expr();
    assertThat(expr).contains("sum by (service, error_fingerprint)", "[10m]", " unless ", "[7d] offset 10m");
    assertThat(expr.indexOf("[10m]")).isLessThan(expr.indexOf(" unless ")).isLessThan(expr.indexOf("[7d]"));
    assertThat(rule.threshold()).isEqualTo(0.0);
    // Evaluated once per window, so each new fingerprint is reported once.
    assertThat(rule.group().path("interval").asText()).isEqualTo("10m");
    assertThat(rule.node("A").path("relativeTimeRange").path("from").asInt())
        .isGreaterThanOrEqualTo(7 * 24 * 3600 + 600);
  }
}
