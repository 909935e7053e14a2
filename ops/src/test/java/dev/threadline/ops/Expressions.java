package dev.threadline.ops;

import com.fasterxml.jackson.databind.JsonNode;
import dev.threadline.ops.LogqlChecker.Expression;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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

  /** Dashboard variables with a plausible chosen value each. */
  static final Map<String, String> VARIABLES = Map.of(
      "service", "order-api",
      "env", "prod",
      "requestId", "01kkp3m9z8r5w2f7c0x4",
      "fingerprint", "9c77f360555cf0de");

  /** Grafana's built-in variables, with plausible values. */
  static final Map<String, String> BUILT_IN = Map.of(
      "__auto", "1m",
      "__interval", "1m",
      "__rate_interval", "4m",
      "__range", "6h");

  // $name, ${name} and ${name:format}; Grafana's forms that a LogQL string could hold.
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_]\\w*)(?::\\w+)?}|\\$([A-Za-z_]\\w*)");
  private static final Pattern LOGQL_BLOCK = Pattern.compile("```logql\\n(.*?)```", Pattern.DOTALL);

  private Expressions() {}

  static String substitute(String expr) {
    return substitute(expr, VARIABLES);
  }

  static String substitute(String expr, Map<String, String> values) {
    Matcher m = VARIABLE.matcher(expr);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String name = m.group(1) != null ? m.group(1) : m.group(2);
      String value = values.containsKey(name) ? values.get(name) : BUILT_IN.get(name);
      if (value == null) {
        throw new IllegalArgumentException("unknown Grafana variable $" + name + " in: " + expr
            + " (give it a value in Expressions.VARIABLES)");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  /**
   * The values Grafana can put in place of each variable of a dashboard: the default it opens with, All (the
   * variable's {@code allValue}, which Grafana inserts as written), one chosen value, and for a text box the
   * empty box. A dashboard variable of another kind fails the test until it is given its states here.
   */
  static Map<String, Map<String, String>> variableStates(JsonNode dashboard) {
    Map<String, Map<String, String>> states = new LinkedHashMap<>();
    for (JsonNode variable : dashboard.path("templating").path("list")) {
      String name = variable.path("name").asText();
      String type = variable.path("type").asText();
      String chosen = VARIABLES.get(name);
      if (chosen == null) {
        throw new AssertionError("dashboard variable $" + name + " has no plausible value in Expressions.VARIABLES");
      }
      Map<String, String> values = new LinkedHashMap<>();
      JsonNode current = variable.path("current").path("value");
      String currentValue = current.isArray() && current.size() == 1 ? current.get(0).asText() : current.asText();
      switch (type) {
        case "query" -> {
          String all = null;
          if (variable.path("includeAll").asBoolean()) {
            all = variable.path("allValue").isTextual() ? variable.path("allValue").asText() : null;
            if (all == null) {
              throw new AssertionError("$" + name + " offers All but sets no allValue, so what Loki receives"
                  + " depends on the values Grafana found; set allValue");
            }
            values.put("All", all);
          }
          values.put("default", "$__all".equals(currentValue) ? all : currentValue);
          values.put("chosen", chosen);
        }
        case "textbox" -> {
          values.put("default", currentValue);
          values.put("empty", "");
          values.put("chosen", chosen);
        }
        default -> throw new AssertionError("dashboard variable $" + name + " is of type " + type
            + "; give its states in Expressions.variableStates");
      }
      if (values.containsValue(null)) {
        throw new AssertionError("$" + name + " has no usable default: " + variable);
      }
      states.put(name, values);
    }
    return states;
  }

  /**
   * Every target and LogQL variable query of every dashboard, expanded with every combination of its variables'
   * states ({@link #variableStates}); the id names the combination, and each distinct expansion appears once.
   */
  static List<Expression> dashboardsInEveryState() {
    List<Expression> all = new ArrayList<>();
    for (Path file : OpsFiles.dashboards()) {
      JsonNode dashboard = OpsFiles.json(file);
      String name = file.getFileName().toString();
      List<Map<String, String>> combinations = new ArrayList<>(List.of(Map.of()));
      Map<String, String> labels = new LinkedHashMap<>();
      for (Map.Entry<String, Map<String, String>> variable : variableStates(dashboard).entrySet()) {
        List<Map<String, String>> next = new ArrayList<>();
        for (Map<String, String> combination : combinations) {
          for (Map.Entry<String, String> state : variable.getValue().entrySet()) {
            Map<String, String> extended = new LinkedHashMap<>(combination);
            extended.put(variable.getKey(), state.getValue());
            extended.put("#" + variable.getKey(), state.getKey());
            next.add(extended);
          }
        }
        combinations = next;
      }
      for (Map.Entry<String, String> query : rawQueries(dashboard, name).entrySet()) {
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (Map<String, String> combination : combinations) {
          String expanded = substitute(query.getValue(), combination);
          if (seen.add(expanded)) {
            StringBuilder state = new StringBuilder();
            combination.forEach((k, v) -> {
              if (k.startsWith("#")) {
                state.append(state.isEmpty() ? "" : ", ").append(k.substring(1)).append('=').append(v);
              }
            });
            all.add(new Expression(query.getKey() + " [" + state + "]", expanded));
          }
        }
      }
    }
    return all;
  }

  /** The targets and LogQL variable queries of one dashboard as written, Grafana's variables in place. */
  private static Map<String, String> rawQueries(JsonNode dashboard, String name) {
    Map<String, String> queries = new LinkedHashMap<>();
    for (JsonNode panel : panels(dashboard)) {
      for (JsonNode target : panel.path("targets")) {
        queries.put(name + " / " + panel.path("title").asText() + " / " + target.path("refId").asText(),
            target.path("expr").asText());
      }
    }
    for (JsonNode variable : dashboard.path("templating").path("list")) {
      JsonNode query = variable.path("query");
      String stream = query.isObject() ? query.path("stream").asText("") : "";
      if (!stream.isBlank()) {
        queries.put(name + " / variable " + variable.path("name").asText(), stream);
      }
    }
    return queries;
  }

  /** Every target and LogQL variable query of every dashboard, each variable at one plausible value. */
  static List<Expression> dashboards() {
    List<Expression> all = new ArrayList<>();
    for (Path file : OpsFiles.dashboards()) {
      rawQueries(OpsFiles.json(file), file.getFileName().toString())
          .forEach((id, expr) -> all.add(new Expression(id, substitute(expr))));
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
          all.add(new Expression(OpsFiles.ROOT.relativize(file) + " recipe " + ++n, substitute(line.strip())));
        }
      }
    }
    return all;
  }

  /**
   * Everything the kit itself ships: dashboards (in every state of their variables), alert rules and the recipes
   * of ops/README.md and README.md.
   */
  static List<Expression> kit() {
    List<Expression> all = new ArrayList<>(dashboardsInEveryState());
    all.addAll(alertRules());
    all.addAll(markdown(OpsFiles.README));
    all.addAll(markdown(OpsFiles.ROOT_README));
    return all;
  }

  /** The kit, and the recipes other documents print: docs/schema.md and samples/README.md. */
  static List<Expression> everywhere() {
    List<Expression> all = new ArrayList<>(kit());
    all.addAll(markdown(OpsFiles.SCHEMA_DOC));
    all.addAll(markdown(OpsFiles.SAMPLES_README));
    return all;
  }
}
