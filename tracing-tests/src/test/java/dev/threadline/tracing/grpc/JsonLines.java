package dev.threadline.tracing.grpc;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import dev.threadline.logback.ThreadlineEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.slf4j.LoggerFactory;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every line logged while attached, encoded by the real {@link ThreadlineEncoder} (which also installs the turbo
 * filter that gives each line the tracer's current span) and parsed back from its JSON.
 */
final class JsonLines extends AppenderBase<ILoggingEvent> implements AutoCloseable {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private final ThreadlineEncoder encoder = new ThreadlineEncoder();
  private final List<Map<String, Object>> lines = new ArrayList<>();
  private final Logger root;

  private JsonLines() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    setContext(context);
    setName("json-lines");
    encoder.setContext(context);
    encoder.setService("grpc-test");
    encoder.start();
    root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.INFO);
    context.getLogger("io.grpc").setLevel(Level.WARN);
    context.getLogger("io.netty").setLevel(Level.WARN);
  }

  static JsonLines capture() {
    JsonLines capture = new JsonLines();
    capture.start();
    capture.root.addAppender(capture);
    return capture;
  }

  @Override
  protected void append(ILoggingEvent event) {
    String line = new String(encoder.encode(event), StandardCharsets.UTF_8);
    Map<String, Object> parsed = JSON.readValue(line, new TypeReference<Map<String, Object>>() { });
    synchronized (lines) {
      lines.add(parsed);
    }
  }

  /** The parsed lines that match. */
  List<Map<String, Object>> lines(Predicate<Map<String, Object>> filter) {
    synchronized (lines) {
      return lines.stream().filter(filter).toList();
    }
  }

  @Override
  public void close() {
    root.detachAppender(this);
    stop();
  }
}
