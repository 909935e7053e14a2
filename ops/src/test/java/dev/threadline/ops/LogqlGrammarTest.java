package dev.threadline.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.threadline.ops.LogqlChecker.Expression;
import dev.threadline.ops.LogqlChecker.Report;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Every LogQL expression of the kit parses under Grafana's own grammar and uses only names the log-line schema,
 * the stream labels and the structured metadata define; and the checks themselves catch what they are for.
 */
class LogqlGrammarTest {

  @Test
  void everyExpressionOfTheKit_parsesUnderGrafanasGrammar() {
    List<Expression> kit = Expressions.kit();
    // Not vacuous: the three dashboards, the three alert rules and the README's recipes are all there.
    assertThat(Expressions.dashboards()).hasSizeGreaterThanOrEqualTo(15);
    assertThat(Expressions.alertRules()).hasSize(3);
    assertThat(Expressions.markdown(OpsFiles.README)).hasSizeGreaterThanOrEqualTo(8);
    assertThat(Expressions.markdown(OpsFiles.ROOT_README)).hasSizeGreaterThanOrEqualTo(6);

    assertThat(withErrors(LogqlChecker.get().check(kit), kit)).isEmpty();
  }

  @Test
  void everyExpressionOfTheKit_usesOnlySchemaFieldsThreadlineLabelsAndStructuredMetadata() {
    List<Expression> kit = Expressions.kit();
    assertThat(problems(LogqlChecker.get().check(kit), kit)).isEmpty();
  }

  @Test
  void theSchemaDocumentsOwnQueries_parseAndUseOnlySchemaNames() {
    List<Expression> doc = Expressions.markdown(OpsFiles.SCHEMA_DOC);
    assertThat(doc).isNotEmpty();
    List<Report> reports = LogqlChecker.get().check(doc);
    assertThat(withErrors(reports, doc)).isEmpty();
    assertThat(problems(reports, doc)).isEmpty();
  }

  @Test
  void theGrammarCheck_catchesBrokenLogql() {
    Map<String, String> broken = Map.of(
        "unbalanced brace", "{service=\"order-api\" | json",
        "missing range", "sum by (service) (count_over_time({service=\"order-api\"}))",
        "unknown stage", "{service=\"order-api\"} | jsonx | level=\"error\"",
        "dangling by", "sum by (count_over_time({service=\"order-api\"}[5m]))",
        "bad matcher", "{service==\"order-api\"}",
        "unsubstituted variable", "count_over_time({service=\"order-api\"}[$__auto])");
    List<Expression> expressions = broken.entrySet().stream()
        .map(e -> new Expression(e.getKey(), e.getValue()))
        .collect(Collectors.toList());
    expressions.add(new Expression("valid control",
        "sum by (service) (count_over_time({service=\"order-api\"} | json | level=\"error\" [5m]))"));

    List<Report> reports = LogqlChecker.get().check(expressions);

    for (Report report : reports) {
      if (report.id().equals("valid control")) {
        assertThat(report.errors()).as(report.id()).isEmpty();
      } else {
        assertThat(report.errors()).as(report.id()).isNotEmpty();
      }
    }
  }

  @Test
  void theNameCheck_catchesLabelsAndFieldsTheSchemaDoesNotDefine() {
    List<Expression> wrong = List.of(
        new Expression("label Threadline does not set", "{app=\"order-api\"}"),
        new Expression("high-cardinality id as a stream label", "{service=\"a\", requestId=\"r\"}"),
        new Expression("field not in the schema", "{service=\"a\"} | json | orderTotal > 10"),
        new Expression("filter before a parser on a line field", "{service=\"a\"} | logger=\"x\""),
        new Expression("json path not in the schema", "{service=\"a\"} | json kind=\"error.kind\""),
        new Expression("template field not in the schema", "{service=\"a\"} | json | line_format \"{{.msg}}\""),
        new Expression("grouping by a label nobody sets", "sum by (host) (count_over_time({service=\"a\"}[5m]))"));
    List<Report> reports = LogqlChecker.get().check(wrong);
    for (Report report : reports) {
      assertThat(report.errors()).as(report.id() + " parses").isEmpty();
      assertThat(Vocabulary.problems(report)).as(report.id()).isNotEmpty();
    }
  }

  @Test
  void theNamesComeFromTheContracts() {
    assertThat(Vocabulary.STRUCTURED_METADATA)
        .containsExactlyInAnyOrder("requestId", "trace_id", "span_id", "error_fingerprint");
    assertThat(Vocabulary.FIELDS)
        .contains("message", "logger", "error_type", "error_fingerprint", "error_stack", "duration_ms", "status")
        .doesNotContain("error", "orderId");
    assertThat(Vocabulary.JSON_PATHS).contains("error.type", "error.fingerprint", "path", "method");
  }

  @Test
  void grafanaVariables_areReplacedAndUnknownOnesRefused() {
    assertThat(Expressions.substitute("{service=~\"$service\"} | requestId=\"${requestId}\" [$__auto]"))
        .isEqualTo("{service=~\"order-api\"} | requestId=\"01kkp3m9z8r5w2f7c0x4\" [1m]");
    assertThat(Expressions.substitute("{service=~\"a$\"}")).isEqualTo("{service=~\"a$\"}");
    assertThatThrownBy(() -> Expressions.substitute("{service=\"$nosuch\"}"))
        .hasMessageContaining("$nosuch");
  }

  @Test
  void theReadmeRecipes_coverErrorsSlowRequestsOneRequestAndFingerprints() {
    List<String> recipes = Expressions.markdown(OpsFiles.README).stream().map(Expression::expr).toList();
    assertThat(recipes).anyMatch(r -> r.contains("level=\"error\"") && !r.contains("error_fingerprint"));
    assertThat(recipes).anyMatch(r -> r.contains("duration_ms >"));
    assertThat(recipes).anyMatch(r -> r.startsWith("{service=~\".+\"}") && r.contains("requestId=\""));
    assertThat(recipes).anyMatch(r -> r.contains("by (service, error_fingerprint)"));
  }

  private static List<String> withErrors(List<Report> reports, List<Expression> expressions) {
    return describe(reports, expressions, r -> r.errors().stream().map(e -> "error near «" + e.get("near") + "»").toList());
  }

  private static List<String> problems(List<Report> reports, List<Expression> expressions) {
    return describe(reports, expressions, Vocabulary::problems);
  }

  /** Each expression a rule finds fault with: its id, the findings, and the expression as it went to the checker. */
  static List<String> describe(List<Report> reports, List<Expression> expressions,
      java.util.function.Function<Report, List<String>> findings) {
    Map<String, String> exprById = expressions.stream()
        .collect(Collectors.toMap(Expression::id, Expression::expr, (a, b) -> a));
    return reports.stream()
        .filter(r -> !findings.apply(r).isEmpty())
        .map(r -> r.id() + ": " + findings.apply(r) + "\n    " + exprById.get(r.id()))
        .toList();
  }
}
