package dev.threadline.logback;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.MDC;
import tools.jackson.databind.JsonNode;

/** The encoder block of logback-encoder/README.md, taken from the file as it is and configured in Logback. */
class ReadmeEncoderBlockTest {

  @TempDir
  Path dir;

  @Test
  void theReadmesEncoderBlock_redactsWhatItSays() throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    Matcher block = Pattern.compile("```xml\\n(<encoder .*?</encoder>)\\n```", Pattern.DOTALL).matcher(readme);
    assertThat(block.find()).as("the README's encoder block").isTrue();
    Path file = dir.resolve("app.log");
    String xml = "<configuration><appender name='FILE' class='ch.qos.logback.core.FileAppender'><file>" + file
        + "</file>" + block.group(1) + "</appender><root level='INFO'><appender-ref ref='FILE'/></root>"
        + "</configuration>";
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(MDC.getMDCAdapter());
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));

    context.getLogger("shop").atInfo().addKeyValue("iban", "DE89370400440532013000")
        .log("ticket TCK-123456 for jane.doe@example.com, password=hunter2");
    context.stop();
    List<JsonNode> lines = Files.readAllLines(file).stream().map(Lines.STRICT::readTree).toList();
    assertThat(lines).hasSize(1);
    // The rule (added to the defaults, which still apply), the sensitive name and the pattern.
    assertThat(lines.get(0).get("message").asString())
        .isEqualTo("ticket [REDACTED] for [REDACTED], password=[REDACTED]");
    assertThat(lines.get(0).get("iban").asString()).isEqualTo("[REDACTED]");
  }
}
