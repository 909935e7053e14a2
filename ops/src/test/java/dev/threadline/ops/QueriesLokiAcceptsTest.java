package dev.threadline.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadline.ops.LogqlChecker.Expression;
import dev.threadline.ops.LogqlChecker.LabelFilter;
import dev.threadline.ops.LogqlChecker.Matcher;
import dev.threadline.ops.LogqlChecker.Report;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * What a real Loki does with the kit's queries beyond parsing them: which selectors it refuses, what a label
 * filter on a missing field selects, and which lines count as an error event. Every dashboard query is checked
 * with each variable at its default, at All, at a chosen value and (a text box) empty, because that is what
 * Grafana sends.
 */
class QueriesLokiAcceptsTest {

  /**
   * Loki refuses, with 400 "queries require at least one regexp or equality matcher that does not have an
   * empty-compatible value", a selector all of whose matchers accept the empty string: grafana/loki
   * pkg/logql/syntax/parser.go {@code validateMatchers}, which keeps only the matchers for which
   * pkg/util/matchers.go {@code SplitFiltersAndMatchers} finds {@code !matcher.Matches("")}; documented in
   * docs/sources/shared/troubleshoot-query.md. The label-values API applies the same rule to its {@code query},
   * which is how Grafana's {@code label_values({env=~"$env"}, service)} met it with env at All.
   */
  @Test
  void everyStreamSelector_hasAMatcherLokiCanLookUp_inEveryStateOfTheVariables() {
    List<Expression> all = Expressions.everywhere();
    assertThat(all.stream().filter(e -> e.id().contains("env=All"))).isNotEmpty();
    assertThat(findings(all, QueriesLokiAcceptsTest::selectorsLokiRefuses)).isEmpty();
  }

  @Test
  void theSelectorRule_refusesWhatLokiRefuses() {
    Map<String, Boolean> refused = Map.of(
        "{env=~\".*\"}", true,
        "{env=\"\"}", true,
        "{env!=\"prod\"}", true,
        "{env=~\"prod|\"}", true,
        "{env!~\"prod\"}", true,
        "{env=~\".+\"}", false,
        "{service=~\".+\", env=~\".*\"}", false,
        "sum(count_over_time({env=~\".*\"}[5m])) / sum(count_over_time({service=\"a\"}[5m]))", true);
    List<Expression> expressions = refused.keySet().stream().map(e -> new Expression(e, e)).toList();
    for (Report report : LogqlChecker.get().check(expressions)) {
      assertThat(selectorsLokiRefuses(report)).as(report.id()).hasSize(refused.get(report.id()) ? 1 : 0);
    }
  }

  /**
   * Loki gives a label a line does not have the value "" in a label filter, so {@code | requestId=""} selects
   * every line without a request id: what Request Tracing showed with its request-id box empty. Every field a
   * query filters on has at least one filter that the empty value fails, so no query ever widens to the lines
   * that lack the field. {@code __error__=""} is the exception: it keeps the lines a parser read cleanly.
   */
  @Test
  void labelFilters_neverSelectTheLinesThatLackTheField_inEveryStateOfTheVariables() {
    List<Expression> all = Expressions.everywhere();
    // Request Tracing opens with its request-id box empty.
    assertThat(all.stream().filter(e -> e.expr().contains("requestId=\"\""))).isNotEmpty();
    assertThat(findings(all, QueriesLokiAcceptsTest::filtersThatSelectMissingFields)).isEmpty();
  }

  @Test
  void theMissingFieldRule_catchesAnEmptyTextBox() {
    List<Expression> expressions = List.of(
        new Expression("empty request id", "{service=~\".+\"} |= \"\" | requestId=\"\""),
        new Expression("guarded", "{service=~\".+\"} | requestId!=\"\" | requestId=\"\""),
        new Expression("parser error", "{service=~\".+\"} | json | __error__=\"\""));
    Map<String, Report> reports = LogqlChecker.get().check(expressions).stream()
        .collect(Collectors.toMap(Report::id, r -> r));
    assertThat(filtersThatSelectMissingFields(reports.get("empty request id"))).hasSize(1);
    assertThat(filtersThatSelectMissingFields(reports.get("guarded"))).isEmpty();
    assertThat(filtersThatSelectMissingFields(reports.get("parser error"))).isEmpty();
  }

  /**
   * One definition of an error event: a line at level error or warn that carries a logged exception, that is,
   * has an {@code error_fingerprint}. Every query that filters or groups on fingerprints counts exactly these; a
   * query that selects on level alone is about error lines ({@code level="error"}), and no third spelling exists.
   */
  @Test
  void everyQueryOnFingerprints_countsErrorEventsByTheOneDefinition() {
    List<Expression> all = Expressions.everywhere();
    List<Report> reports = LogqlChecker.get().check(all);
    long onFingerprints = reports.stream().filter(QueriesLokiAcceptsTest::usesFingerprints).count();
    // Error Deep Dive's panels, the alert rule and the recipes of every document.
    assertThat(onFingerprints).isGreaterThanOrEqualTo(10);
    assertThat(findings(all, reports, QueriesLokiAcceptsTest::errorEventProblems)).isEmpty();
  }

  @Test
  void theErrorEventRule_catchesTheRecipeThatMissedWarnings() {
    List<Expression> expressions = List.of(
        new Expression("error only", "topk(10, sum by (service, error_fingerprint) (count_over_time("
            + "{service=~\".+\", level=\"error\"} | error_fingerprint!=\"\" [1h])))"),
        new Expression("lines without a fingerprint", "topk(10, sum by (error_fingerprint, error_type) ("
            + "count_over_time({service=\"order-api\"} | json | level=\"error\" [1h])))"),
        new Expression("a third level set", "{service=~\".+\", level=~\"error|fatal\"}"),
        new Expression("the definition", "sum by (service, error_fingerprint) (count_over_time("
            + "{service=~\".+\", level=~\"error|warn\"} | error_fingerprint!=\"\" [1h]))"),
        new Expression("the definition after a parser", "topk(10, sum by (error_fingerprint, error_type) ("
            + "count_over_time({service=\"order-api\"} | json | level=~\"error|warn\" | error_fingerprint!=\"\" [1h])))"));
    Map<String, Report> reports = LogqlChecker.get().check(expressions).stream()
        .collect(Collectors.toMap(Report::id, r -> r));
    assertThat(errorEventProblems(reports.get("error only"))).isNotEmpty();
    assertThat(errorEventProblems(reports.get("lines without a fingerprint"))).isNotEmpty();
    assertThat(errorEventProblems(reports.get("a third level set"))).isNotEmpty();
    assertThat(errorEventProblems(reports.get("the definition"))).isEmpty();
    assertThat(errorEventProblems(reports.get("the definition after a parser"))).isEmpty();
  }

  static List<String> selectorsLokiRefuses(Report report) {
    List<String> problems = new ArrayList<>();
    for (List<Matcher> selector : report.selectors()) {
      if (selector.stream().allMatch(Matcher::matchesEmpty)) {
        problems.add("Loki refuses the selector " + selector + ": every matcher accepts the empty value");
      }
    }
    return problems;
  }

  static List<String> filtersThatSelectMissingFields(Report report) {
    Map<String, List<LabelFilter>> byField = report.labelFilters().stream()
        .filter(f -> !f.name().equals("__error__"))
        .collect(Collectors.groupingBy(LabelFilter::name));
    List<String> problems = new ArrayList<>();
    byField.forEach((field, filters) -> {
      if (filters.stream().allMatch(f -> f.matcher().matchesEmpty())) {
        problems.add("the filters on " + field + " " + filters + " also select every line without " + field);
      }
    });
    return problems;
  }

  private static boolean usesFingerprints(Report report) {
    return report.groupingLabels().contains("error_fingerprint")
        || report.labelFilters().stream().anyMatch(f -> f.name().equals("error_fingerprint"));
  }

  static List<String> errorEventProblems(Report report) {
    List<String> problems = new ArrayList<>();
    List<Matcher> levels = new ArrayList<>();
    report.selectors().forEach(s -> s.stream().filter(m -> m.name().equals("level")).forEach(levels::add));
    report.labelFilters().stream().filter(f -> f.name().equals("level")).map(LabelFilter::matcher)
        .forEach(levels::add);
    for (Matcher level : levels) {
      if (!level.equals(Vocabulary.ERROR_LINES) && !level.equals(Vocabulary.ERROR_EVENTS)) {
        problems.add("level " + level.op() + " \"" + level.value() + "\" is neither an error line ("
            + Vocabulary.ERROR_LINES + ") nor an error event (" + Vocabulary.ERROR_EVENTS + ")");
      }
    }
    if (!usesFingerprints(report)) {
      return problems;
    }
    // Every pipeline (one per selector) is limited to the error-event levels, in its selector or a filter.
    long limited = report.selectors().stream().filter(s -> s.contains(Vocabulary.ERROR_EVENTS)).count()
        + report.labelFilters().stream().filter(f -> f.matcher().equals(Vocabulary.ERROR_EVENTS)).count();
    if (limited < report.selectors().size() || levels.stream().anyMatch(l -> !l.equals(Vocabulary.ERROR_EVENTS))) {
      problems.add("a query on fingerprints must count error events: " + Vocabulary.ERROR_EVENTS
          + " in every selector (or as a filter after a parser), levels " + levels);
    }
    long withFingerprint = report.labelFilters().stream()
        .filter(f -> f.name().equals("error_fingerprint") && !f.matcher().matchesEmpty()).count();
    if (withFingerprint < report.selectors().size()) {
      problems.add("a query on fingerprints must keep only lines that have one (" + Vocabulary.HAS_FINGERPRINT
          + ", or a filter on one fingerprint) in every pipeline");
    }
    return problems;
  }

  private static List<String> findings(List<Expression> expressions, Function<Report, List<String>> rule) {
    return findings(expressions, LogqlChecker.get().check(expressions), rule);
  }

  private static List<String> findings(List<Expression> expressions, List<Report> reports,
      Function<Report, List<String>> rule) {
    return LogqlGrammarTest.describe(reports, expressions, rule);
  }
}
