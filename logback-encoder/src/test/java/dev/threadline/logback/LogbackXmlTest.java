package dev.threadline.logback;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.status.Status;
import dev.threadline.core.Correlation;
import dev.threadline.core.CorrelationScope;
import dev.threadline.logback.internal.StderrStatusListener;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.MDC;
import tools.jackson.databind.JsonNode;

/** The encoder configured the way users configure it: a logback.xml, a real appender, real logger calls. */
class LogbackXmlTest {

  @TempDir
  Path dir;

  private LoggerContext configure(String encoderXml) throws Exception {
    Path file = dir.resolve("app.log");
    String xml = "<configuration>"
        + "<appender name='FILE' class='ch.qos.logback.core.FileAppender'>"
        + "<file>" + file + "</file>" + encoderXml + "</appender>"
        + "<root level='DEBUG'><appender-ref ref='FILE'/></root></configuration>";
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(MDC.getMDCAdapter());
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    return context;
  }

  private List<JsonNode> lines(LoggerContext context) throws Exception {
    context.stop();
    return Files.readAllLines(dir.resolve("app.log")).stream().map(Lines.STRICT::readTree).toList();
  }

  @Test
  void encoderAlone_works() throws Exception {
    LoggerContext context = configure("<encoder class='dev.threadline.logback.ThreadlineEncoder'/>");
    Logger log = context.getLogger("com.acme.Checkout");
    Correlation c = Correlation.newTrace("xml-req");
    try (CorrelationScope ignored = c.open()) {
      log.info("checkout started for {}", Fields.field("cartId", "c-9"));
      log.atWarn().addKeyValue("attempt", 2).log("retrying");
    }
    List<JsonNode> lines = lines(context);
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0).get("message").asString()).isEqualTo("checkout started for cartId=c-9");
    assertThat(lines.get(0).get("cartId").asString()).isEqualTo("c-9");
    assertThat(lines.get(0).get("requestId").asString()).isEqualTo("xml-req");
    assertThat(lines.get(1).get("level").asString()).isEqualTo("warn");
    assertThat(lines.get(1).get("attempt").asInt()).isEqualTo(2);
    assertThat(lines.get(1).get("trace_id").asString()).isEqualTo(c.traceId());
  }

  /** A redaction rule of the application's own: ticket ids like TCK-123456 are personal data in this shop. */
  public static final class TicketIds implements RedactionRule {
    @Override
    public String redact(String value) {
      return value.contains("TCK-") ? value.replaceAll("TCK-[0-9]{6}", REDACTED) : value;
    }
  }

  /** A rule that fails: the value it could not check is not written. */
  public static final class Broken implements RedactionRule {
    @Override
    public String redact(String value) {
      throw new IllegalStateException("boom");
    }
  }

  @Test
  void redactionRulesFromXml_addToTheDefaults_orReplaceThem() throws Exception {
    LoggerContext added = configure("<encoder class='dev.threadline.logback.ThreadlineEncoder'>"
        + "<redactionRule class='dev.threadline.logback.LogbackXmlTest$TicketIds'/></encoder>");
    added.getLogger("app").atInfo().addKeyValue("auth", "abc").addKeyValue("sessionId", "s-1")
        .addKeyValue("passphrase", "p").addKeyValue("author", "Jane")
        .log("ticket TCK-123456 opened, password=hunter2");
    JsonNode line = lines(added).get(0);
    assertThat(line.get("message").asString()).isEqualTo("ticket [REDACTED] opened, password=[REDACTED]");
    assertThat(line.get("auth").asString()).isEqualTo("[REDACTED]");
    assertThat(line.get("sessionId").asString()).isEqualTo("[REDACTED]");
    assertThat(line.get("passphrase").asString()).isEqualTo("[REDACTED]");
    assertThat(line.get("author").asString()).isEqualTo("Jane");

    Files.delete(dir.resolve("app.log"));
    LoggerContext replaced = configure("<encoder class='dev.threadline.logback.ThreadlineEncoder'>"
        + "<redactDefaults>false</redactDefaults>"
        + "<redactionRule class='dev.threadline.logback.LogbackXmlTest$TicketIds'/></encoder>");
    replaced.getLogger("app").info("ticket TCK-123456 opened, password=hunter2");
    assertThat(lines(replaced).get(0).get("message").asString())
        .isEqualTo("ticket [REDACTED] opened, password=hunter2");

    Files.delete(dir.resolve("app.log"));
    LoggerContext broken = configure("<encoder class='dev.threadline.logback.ThreadlineEncoder'>"
        + "<redactionRule class='dev.threadline.logback.LogbackXmlTest$Broken'/></encoder>");
    broken.getLogger("app").info("anything at all");
    assertThat(lines(broken).get(0).get("message").asString()).isEqualTo("[REDACTED]");
  }

  @Test
  void everySettingIsReachableFromXml() throws Exception {
    LoggerContext context = configure("<encoder class='dev.threadline.logback.ThreadlineEncoder'>"
        + "<service>order-api</service><env>staging</env><version>2.0.1</version><host>h1</host>"
        + "<fieldNames>threadline</fieldNames><maxFieldLength>20</maxFieldLength>"
        + "<maxLineBytes>65536</maxLineBytes><maxStackDepth>3</maxStackDepth><maxStackLength>4096</maxStackLength>"
        + "<rootCauseFirst>true</rootCauseFirst><excludeFrame>org.junit.</excludeFrame>"
        + "<excludeMdcKey>internal</excludeMdcKey><staticField>region=eu-west-1</staticField>"
        + "<sensitiveName>ssn</sensitiveName><redactPattern>ORD-[0-9]{4}</redactPattern>"
        + "<objectSerializer>toString</objectSerializer><includeMarkers>false</includeMarkers>"
        + "</encoder>");
    Logger log = context.getLogger("com.acme.Checkout");
    MDC.put("internal", "hidden");
    try {
      log.atError().addKeyValue("ssn", "123-45-6789").setCause(new IllegalStateException("boom"))
          .log("order ORD-1234 failed with a long message");
    } finally {
      MDC.remove("internal");
    }
    List<JsonNode> lines = lines(context);
    JsonNode line = lines.get(0);
    assertThat(line.get("service").asString()).isEqualTo("order-api");
    assertThat(line.get("env").asString()).isEqualTo("staging");
    assertThat(line.get("version").asString()).isEqualTo("2.0.1");
    assertThat(line.get("host").asString()).isEqualTo("h1");
    assertThat(line.get("region").asString()).isEqualTo("eu-west-1");
    assertThat(line.has("internal")).isFalse();
    assertThat(line.get("ssn").asString()).isEqualTo("[REDACTED]");
    assertThat(line.get("message").asString()).startsWith("order [REDACTED] fai").contains("…[truncated ");
    assertThat(line.get("error").get("stack").asString()).doesNotContain("org.junit.").contains("more frames");
    assertThat(context.getStatusManager().getCopyOfStatusList()).noneMatch(s -> s.getLevel() == Status.ERROR);
  }

  @Test
  void aBadSetting_isAStatusErrorNamingIt_andLoggingGoesOn() throws Exception {
    LoggerContext context = configure("<encoder class='dev.threadline.logback.ThreadlineEncoder'>"
        + "<maxLineBytes>10</maxLineBytes></encoder>");
    context.getLogger("x").info("still written");
    assertThat(context.getStatusManager().getCopyOfStatusList())
        .anyMatch(s -> s.getLevel() == Status.ERROR && s.getMessage().contains("maxLineBytes"));
    assertThat(lines(context).get(0).get("message").asString()).isEqualTo("still written");
  }

  @Test
  void maxLineBytesHasAnUpperBound_soALineAlwaysFitsOnePushToLoki() throws Exception {
    LoggerContext context = configure("<encoder class='dev.threadline.logback.ThreadlineEncoder'>"
        + "<maxLineBytes>8388608</maxLineBytes></encoder>");
    context.getLogger("x").info("still written");
    assertThat(context.getStatusManager().getCopyOfStatusList())
        .anyMatch(s -> s.getLevel() == Status.ERROR && s.getMessage().contains("maxLineBytes must be at most"));
    assertThat(lines(context).get(0).get("message").asString()).isEqualTo("still written");
  }

  @Test
  void warningsGoToStandardError_neverIntoTheJsonOnStandardOutput() throws Exception {
    LoggerContext context = configure("<encoder class='dev.threadline.logback.ThreadlineEncoder'/>");
    assertThat(context.getStatusManager().getCopyOfStatusListenerList())
        .filteredOn(l -> l instanceof StderrStatusListener).hasSize(1);
  }

  @Test
  void layout_givesTheSameSchema() throws Exception {
    LoggerContext context = configure("<encoder class='ch.qos.logback.core.encoder.LayoutWrappingEncoder'>"
        + "<layout class='dev.threadline.logback.ThreadlineLayout'>"
        + "<encoder class='dev.threadline.logback.ThreadlineEncoder'><service>via-layout</service></encoder>"
        + "</layout></encoder>");
    context.getLogger("x").info("hello");
    context.getLogger("x").info("again");
    List<JsonNode> lines = lines(context);
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0).get("service").asString()).isEqualTo("via-layout");
    assertThat(lines.get(1).get("message").asString()).isEqualTo("again");
  }
}
