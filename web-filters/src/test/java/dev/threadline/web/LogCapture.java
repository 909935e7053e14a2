package dev.threadline.web;

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
 * Every line the application logs while it is attached, encoded by the real {@link ThreadlineEncoder} and parsed
 * back from its JSON, as a log store would read it. A line that is not one valid JSON object fails the test.
 */
public final class LogCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private final ThreadlineEncoder encoder = new ThreadlineEncoder();
  private final List<Map<String, Object>> lines = new ArrayList<>();
  private final List<String> raw = new ArrayList<>();
  private final Logger root;

  private LogCapture() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    setContext(context);
    setName("capture");
    encoder.setContext(context);
    encoder.setService("test");
    encoder.start();
    root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.INFO);
    for (String noisy : List.of("org.apache.kafka", "kafka", "org.apache.activemq", "org.apache.catalina",
        "org.apache.hc", "okhttp3", "reactor", "org.springframework")) {
      context.getLogger(noisy).setLevel(Level.WARN);
    }
  }

  /** Starts capturing; close to stop. */
  public static LogCapture capture() {
    LogCapture capture = new LogCapture();
    capture.start0();
    return capture;
  }

  private void start0() {
    start();
    root.addAppender(this);
  }

  @Override
  protected void append(ILoggingEvent event) {
    String line = new String(encoder.encode(event), StandardCharsets.UTF_8);
    Map<String, Object> parsed = JSON.readValue(line, new TypeReference<Map<String, Object>>() { });
    synchronized (lines) {
      raw.add(line);
      lines.add(parsed);
    }
  }

  /** The parsed lines so far. */
  public List<Map<String, Object>> lines() {
    synchronized (lines) {
      return new ArrayList<>(lines);
    }
  }

  /** The raw lines so far, as they were written. */
  public List<String> raw() {
    synchronized (lines) {
      return new ArrayList<>(raw);
    }
  }

  /** The parsed lines that match. */
  public List<Map<String, Object>> lines(Predicate<Map<String, Object>> filter) {
    List<Map<String, Object>> result = new ArrayList<>();
    for (Map<String, Object> line : lines()) {
      if (filter.test(line)) {
        result.add(line);
      }
    }
    return result;
  }

  /** Lines of one logger. */
  public List<Map<String, Object>> byLogger(String logger) {
    return lines(l -> logger.equals(l.get("logger")));
  }

  @Override
  public void close() {
    root.detachAppender(this);
    stop();
  }
}
