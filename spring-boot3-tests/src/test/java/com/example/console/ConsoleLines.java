package com.example.console;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The console's JSON lines parsed back with the Jackson a Boot 3.5 application has (2.x), as a log shipper would read
 * them. A line that looks like JSON but does not parse as one object fails the test. In a package of its own, which
 * no test application's component scan reaches.
 */
public final class ConsoleLines {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<Map<String, Object>> lines = new ArrayList<>();

  private ConsoleLines(String output) {
    for (String line : output.split("\\R")) {
      if (line.startsWith("{")) {
        try {
          lines.add(JSON.readValue(line, new TypeReference<Map<String, Object>>() { }));
        } catch (Exception e) {
          throw new AssertionError("not one JSON object: " + line, e);
        }
      }
    }
  }

  /** The JSON lines of what the console printed. */
  public static ConsoleLines of(CharSequence output) {
    return new ConsoleLines(output.toString());
  }

  /** Every JSON line, in order. */
  public List<Map<String, Object>> all() {
    return lines;
  }

  /** The lines that match, in order. */
  public List<Map<String, Object>> matching(Predicate<Map<String, Object>> filter) {
    return lines.stream().filter(filter).toList();
  }

  /** The lines of one logger, in order. */
  public List<Map<String, Object>> byLogger(String logger) {
    return matching(line -> logger.equals(line.get("logger")));
  }
}
