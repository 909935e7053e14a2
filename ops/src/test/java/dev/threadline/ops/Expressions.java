package dev.threadline.ops;

import com.fasterxml.jackson.databind.JsonNode;
import dev.threadline.ops.LogqlChecker.Expression;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every LogQL expression of the kit, found where Grafana and people read it: dashboard targets and variable
 * queries, alert-rule queries, and the {@code logql} code blocks of ops/README.md (and of docs/schema.md).
 *
 * <p>Grafana replaces its variables before a query reaches Loki, and {@code $service} is not LogQL, so each is
 * replaced here by a value of the kind Grafana would put there; a variable not listed below fails the test,
 * so a new one has to be given a value (and thought about) first.
 */
final class Expressions {

  /** Dashboard variables and Grafana's built-in ones, with plausible values. */
  static final Map<String, String> VARIABLES = Map.of(
      "service", "order-api",
      "env", "prod",
      "requestId", "01kkp3m9z8r5w2f7c0x4",
      "fingerprint", "9c77f360555cf0de",
      "__auto", "1m",
      "__interval", "1m",
      "__rate_interval", "4m",
      "__range", "6h");

  // $name, ${name} and ${name:format}; Grafana's forms that a LogQL string could hold.
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_]\\w*)(?::\\w+)?}|\\$([A-Za-z_]\\w*)");
  private static final Pattern LOGQL_BLOCK = Pattern.compile("```logql\\n(.*?)```", Pattern.DOTALL);

  private Expressions() {}

  static String substitute(String expr) {
    Matcher m = VARIABLE.matcher(expr);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String name = m.group(1) != null ? m.group(1) : m.group(2);
      String value = VARIABLES.get(name);
      if (value == null) {
        throw new IllegalArgumentException("unknown Grafana variable $" + name + " in: " + expr
            + " (give it a value in Expressions.VARIABLES)");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** Every target and LogQL variable query of every dashboard, variables substituted. */
  static List<Expression> dashboards() {
    List<Expression> all = new ArrayList<>();
    for (Path file : OpsFiles.dashboards()) {
      JsonNode dashboard = OpsFiles.json(file);
      String name = file.getFileName().toString();
      for (JsonNode panel : panels(dashboard)) {
        for (JsonNode target : panel.path("targets")) {
          all.add(new Expression(name + " / " + panel.path("title").asText() + " / " + target.path("refId").asText(),
              substitute(target.path("expr").asText())));
        }
      }
      for (JsonNode variable : dashboard.path("templating").path("list")) {
        JsonNode query = variable.path("query");
        String stream = query.isObject() ? query.path("stream").asText("") : "";
        if (!stream.isBlank()) {
          all.add(new Expression(name + " / variable " + variable.path("name").asText(), substitute(stream)));
        }
      }
    }
    return all;
  }

  /** Panels, including those inside collapsed rows. */
  static List<JsonNode> panels(JsonNode dashboard) {
    List<JsonNode> panels = new ArrayList<>();
    for (JsonNode panel : dashboard.path("panels")) {
      panels.add(panel);
      panel.path("panels").forEach(panels::add);
    }
    return panels;
  }

  /** The LogQL query of every alert rule (expression nodes such as reduce and threshold are not LogQL). */
  static List<Expression> alertRules() {
    List<Expression> all = new ArrayList<>();
    for (Path file : OpsFiles.alertRuleFiles()) {
      for (JsonNode group : OpsFiles.yaml(file).path("groups")) {
        for (JsonNode rule : group.path("rules")) {
          for (JsonNode query : rule.path("data")) {
            if (!"__expr__".equals(query.path("datasourceUid").asText())) {
              all.add(new Expression("alert " + rule.path("uid").asText() + " / " + query.path("refId").asText(),
                  substitute(query.path("model").path("expr").asText())));
            }
          }
        }
      }
    }
    return all;
  }

  /** Each non-comment line of each {@code logql} code block of a Markdown file is one expression. */
  static List<Expression> markdown(Path file) {
    List<Expression> all = new ArrayList<>();
    Matcher block = LOGQL_BLOCK.matcher(OpsFiles.text(file));
    int n = 0;
    while (block.find()) {
      for (String line : block.group(1).split("\n")) {
        if (!line.isBlank() && !line.stripLeading().startsWith("#")) {
          all.add(new Expression(file.getFileName() + " recipe " + ++n, substitute(line.strip())));
        }
      }
    }
    return all;
  }

  /** Everything the kit itself ships: dashboards, alert rules and the recipes of ops/README.md and README.md. */
  static List<Expression> kit() {
    List<Expression> all = new ArrayList<>(dashboards());
    all.addAll(alertRules());
    all.addAll(markdown(OpsFiles.README));
    all.addAll(markdown(OpsFiles.ROOT_README));
    return all;
  }
}
