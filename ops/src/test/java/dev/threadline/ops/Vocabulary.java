package dev.threadline.ops;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The names a Threadline query may use, read from the contracts rather than copied: the JSON Schema's
 * properties, the access line's fields (docs/schema/examples/access.json, whose fields schema.md calls the
 * contract), and the structured metadata the Loki appender writes (its {@code METADATA_NAMES}).
 */
final class Vocabulary {

  /**
   * The stream labels: the Loki appender's default {@code labels} (service, env, level), which the Alloy
   * pipeline sets too. version and host could be labels but are not by default, so queries must not rely on
   * them.
   */
  static final Set<String> STREAM_LABELS = Set.of("service", "env", "level");

  /**
   * An error line: a line at level error, whatever it carries. The error-rate panel and alert, Top error
   * messages, Recent errors and the "errors of a service" recipe count these.
   */
  static final LogqlChecker.Matcher ERROR_LINES = new LogqlChecker.Matcher("level", "=", "error");

  /**
   * An error event: a line at level error or warn that carries a logged exception, so it has an
   * {@code error_fingerprint} ({@link #HAS_FINGERPRINT}). Everything grouped or filtered by fingerprint counts
   * these: Error Deep Dive, the new-fingerprint alert, the fingerprint recipes. A handled failure logged at warn
   * with its exception (the demo's timeout) is one.
   */
  static final LogqlChecker.Matcher ERROR_EVENTS = new LogqlChecker.Matcher("level", "=~", "error|warn");

  /** The second half of an error event: the line has a fingerprint. */
  static final LogqlChecker.Matcher HAS_FINGERPRINT = new LogqlChecker.Matcher("error_fingerprint", "!=", "");

  /** Labels Loki itself adds in a pipeline: a parser's or unwrap's error. */
  static final Set<String> LOKI_BUILTINS = Set.of("__error__", "__error_details__");

  /** Structured metadata of every line, from the appender's source. */
  static final Set<String> STRUCTURED_METADATA = structuredMetadata();

  /** The JSON paths of the schema's keys ({@code error.type}) and of the access line's fields. */
  static final Set<String> JSON_PATHS;

  /** The same as labels after {@code | json}: nested keys joined with {@code _} ({@code error_type}). */
  static final Set<String> FIELDS;

  static {
    Set<String> paths = new TreeSet<>();
    JsonNode properties = OpsFiles.json(OpsFiles.SCHEMA).path("properties");
    for (Map.Entry<String, JsonNode> property : properties.properties()) {
      paths.add(property.getKey());
      for (Map.Entry<String, JsonNode> nested : property.getValue().path("properties").properties()) {
        paths.add(property.getKey() + "." + nested.getKey());
      }
    }
    OpsFiles.json(OpsFiles.ACCESS_EXAMPLE).fieldNames().forEachRemaining(paths::add);
    JSON_PATHS = Set.copyOf(paths);
    // An object (error) is no label of its own after `| json`: only its flattened keys are.
    Set<String> fields = new TreeSet<>();
    paths.stream().filter(p -> paths.stream().noneMatch(q -> q.startsWith(p + ".")))
        .forEach(p -> fields.add(p.replace('.', '_')));
    FIELDS = Set.copyOf(fields);
  }

  private Vocabulary() {}

  private static Set<String> structuredMetadata() {
    Matcher m = Pattern.compile("METADATA_NAMES\\s*=\\s*\\{([^}]*)}").matcher(OpsFiles.text(OpsFiles.APPENDER_RECORD));
    if (!m.find()) {
      throw new AssertionError("LokiRecord.METADATA_NAMES not found in " + OpsFiles.APPENDER_RECORD);
    }
    Set<String> names = new LinkedHashSet<>();
    Matcher name = Pattern.compile("\"([^\"]+)\"").matcher(m.group(1));
    while (name.find()) {
      names.add(name.group(1));
    }
    return Set.copyOf(names);
  }

  /** What is wrong with the names one expression uses; empty when nothing is. */
  static List<String> problems(LogqlChecker.Report report) {
    Set<String> problems = new TreeSet<>();
    Set<String> labels = union(STREAM_LABELS, STRUCTURED_METADATA, LOKI_BUILTINS);
    Set<String> afterParser = union(labels, FIELDS, Set.copyOf(report.defined()));
    for (String label : report.streamLabels()) {
      if (!STREAM_LABELS.contains(label)) {
        problems.add("stream selector uses '" + label + "', not a label Threadline sets " + STREAM_LABELS);
      }
    }
    for (String label : report.filterLabels()) {
      if (!labels.contains(label)) {
        problems.add("label filter before any parser uses '" + label + "', neither a stream label nor"
            + " structured metadata " + STRUCTURED_METADATA);
      }
    }
    for (String field : report.parserFields()) {
      if (!afterParser.contains(field)) {
        problems.add("'" + field + "' is not a field of the log-line schema, a label or structured metadata");
      }
    }
    for (String path : report.jsonPaths()) {
      if (!JSON_PATHS.contains(path)) {
        problems.add("json path '" + path + "' is not a key of the log-line schema");
      }
    }
    Set<String> groupable = report.fullParser() ? afterParser : union(labels, Set.copyOf(report.defined()));
    for (String label : report.groupingLabels()) {
      if (!groupable.contains(label)) {
        problems.add("by/without/on uses '" + label + "', which this query neither selects, extracts nor has"
            + " as structured metadata");
      }
    }
    return List.copyOf(problems);
  }

  @SafeVarargs
  private static Set<String> union(Set<String>... sets) {
    Set<String> all = new TreeSet<>();
    for (Set<String> set : sets) {
      all.addAll(set);
    }
    return all;
  }
}
