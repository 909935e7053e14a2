package dev.threadline.tracing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The lines one {@code GET /a} wrote, parsed from the console's JSON, and found by role: the application's lines by
 * message (logger {@code matrix}), the call line (logger {@code dev.threadline.client}) and the two access lines
 * (logger {@code dev.threadline.access}) by path. A line that starts with {@code {} but is not one JSON object fails.
 */
final class RequestLines {

  static final String A_START = "a-start";
  static final String IN_MANUAL = "in-manual";
  static final String B = "b";
  static final String ASYNC = "async";
  static final String A_END = "a-end";
  static final String CALL = "call to /b";
  static final String ACCESS_A = "access /a";
  static final String ACCESS_B = "access /b";

  /** Every role, in the order the lines are written. */
  static final List<String> ROLES = List.of(A_START, IN_MANUAL, CALL, B, ACCESS_B, ASYNC, A_END, ACCESS_A);

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final List<Map<String, Object>> lines = new ArrayList<>();

  private RequestLines(List<String> output) {
    for (String line : output) {
      if (line.startsWith("{")) {
        try {
          lines.add(JSON.readValue(line, new TypeReference<Map<String, Object>>() { }));
        } catch (RuntimeException e) {
          throw new AssertionError("not one JSON object: " + line, e);
        }
      }
    }
  }

  static RequestLines of(List<String> output) {
    return new RequestLines(output);
  }

  /** The line of a role ({@link #ROLES}), or {@code null} when there is none; the first when there are several. */
  Map<String, Object> get(String role) {
    List<Map<String, Object>> found = all(role);
    return found.isEmpty() ? null : found.get(0);
  }

  /** Every line of a role. */
  List<Map<String, Object>> all(String role) {
    return lines.stream().filter(line -> is(line, role)).toList();
  }

  private static boolean is(Map<String, Object> line, String role) {
    Object logger = line.get("logger");
    return switch (role) {
      case CALL -> "dev.threadline.client".equals(logger) && "/b".equals(line.get("path"));
      case ACCESS_A -> "dev.threadline.access".equals(logger) && "/a".equals(line.get("path"));
      case ACCESS_B -> "dev.threadline.access".equals(logger) && "/b".equals(line.get("path"));
      default -> "matrix".equals(logger) && role.equals(line.get("message"));
    };
  }
}
