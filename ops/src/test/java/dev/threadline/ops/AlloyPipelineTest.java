package dev.threadline.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Alloy pipeline gives a line from a file what the Loki appender gives it: the same stream labels, the same
 * structured metadata, read from schema keys. There is no Alloy parser in Java, so this reads the blocks as text;
 * Alloy itself validates the syntax at start (`alloy fmt` / `alloy run`), which cannot run here.
 */
class AlloyPipelineTest {

  private static final String CONFIG = OpsFiles.text(OpsFiles.ALLOY_CONFIG);

  @Test
  void braces_balance() {
    String code = CONFIG.replaceAll("(?m)//.*$", "").replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"");
    int depth = 0;
    for (char c : code.toCharArray()) {
      depth += c == '{' ? 1 : c == '}' ? -1 : 0;
      assertThat(depth).isNotNegative();
    }
    assertThat(depth).isZero();
  }

  @Test
  void labels_areTheAppendersDefaultLabels() {
    assertThat(block("stage.labels").keySet()).containsExactlyInAnyOrderElementsOf(Vocabulary.STREAM_LABELS);
  }

  @Test
  void structuredMetadata_isWhatTheAppenderWrites_neverALabel() {
    assertThat(block("stage.structured_metadata").keySet())
        .containsExactlyInAnyOrderElementsOf(Vocabulary.STRUCTURED_METADATA);
    assertThat(block("stage.labels").keySet()).doesNotContainAnyElementsOf(Vocabulary.STRUCTURED_METADATA);
  }

  @Test
  void jsonExpressions_readSchemaKeys_andFeedEveryLabelAndMetadata() {
    Map<String, String> json = block("stage.json");
    assertThat(json.values()).allSatisfy(path -> assertThat(Vocabulary.JSON_PATHS).contains(path));
    assertThat(json).containsEntry("error_fingerprint", "error.fingerprint").containsEntry("timestamp", "timestamp");
    assertThat(json.keySet()).containsAll(block("stage.labels").keySet())
        .containsAll(block("stage.structured_metadata").keySet());
    assertThat(CONFIG).contains("stage.timestamp {", "source            = \"timestamp\"", "RFC3339Nano");
  }

  @Test
  void pipeline_isWiredFromFilesToLoki() {
    assertThat(CONFIG).contains("local.file_match \"threadline\"", "targets    = local.file_match.threadline.targets",
        "forward_to = [loki.process.threadline.receiver]", "forward_to = [loki.write.loki.receiver]",
        "/loki/api/v1/push");
  }

  /** The {@code name = "value"} pairs of the values/expressions map of the block {@code stage}. */
  private static Map<String, String> block(String stage) {
    Matcher start = Pattern.compile(Pattern.quote(stage) + "\\s*\\{\\s*\\w+\\s*=\\s*\\{([^}]*)}").matcher(CONFIG);
    assertThat(start.find()).as(stage + " block").isTrue();
    Map<String, String> pairs = new LinkedHashMap<>();
    Matcher pair = Pattern.compile("(\\w+)\\s*=\\s*\"([^\"]*)\"").matcher(start.group(1));
    while (pair.find()) {
      pairs.put(pair.group(1), pair.group(2));
    }
    assertThat(pairs).as(stage + " entries").isNotEmpty();
    return pairs;
  }
}
