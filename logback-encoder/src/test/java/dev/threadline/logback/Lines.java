package dev.threadline.logback;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.status.Status;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Test helpers: real Logback events, a started encoder, and lines parsed back strictly. */
final class Lines {

  /** Fails on duplicate keys and on anything after the one object. */
  static final JsonMapper STRICT = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  final LoggerContext context = new LoggerContext();
  final Logger logger;

  Lines() {
    context.setMDCAdapter(org.slf4j.MDC.getMDCAdapter());
    logger = context.getLogger("com.acme.OrderService");
  }

  ThreadlineEncoder encoder(java.util.function.Consumer<ThreadlineEncoder> settings) {
    ThreadlineEncoder encoder = new ThreadlineEncoder();
    encoder.setContext(context);
    settings.accept(encoder);
    encoder.start();
    return encoder;
  }

  ThreadlineEncoder encoder() {
    return encoder(e -> { });
  }

  LoggingEvent event(Level level, String message, Throwable throwable, Object... args) {
    return new LoggingEvent(Logger.class.getName(), logger, level, message, throwable, args);
  }

  LoggingEvent event(String message, Object... args) {
    return event(Level.INFO, message, null, args);
  }

  /** Encodes, checks the line is one strict JSON object ending in one newline, and returns it parsed. */
  static JsonNode parse(byte[] line) {
    String text = new String(line, StandardCharsets.UTF_8);
    assertThat(text).endsWith("\n");
    assertThat(text.indexOf('\n')).isEqualTo(text.length() - 1);
    JsonNode node = STRICT.readTree(text);
    assertThat(node.isObject()).isTrue();
    return node;
  }

  static List<String> keys(JsonNode node) {
    List<String> keys = new ArrayList<>();
    for (Iterator<String> it = node.propertyNames().iterator(); it.hasNext(); ) {
      keys.add(it.next());
    }
    return keys;
  }

  List<String> statusMessages() {
    List<String> messages = new ArrayList<>();
    for (Status status : context.getStatusManager().getCopyOfStatusList()) {
      messages.add(status.getMessage());
    }
    return messages;
  }
}
