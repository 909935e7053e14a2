package dev.threadline.tracing;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The rules every set-up must keep for one {@code GET /a} (which calls {@code /b}), as a list of violations (empty
 * when all hold), each naming the rule, the line and the values:
 *
 * <ul>
 *   <li>R0: every line is there (a-start, in-manual, the call line, b, b's access line, async, a-end, a's access line).
 *   <li>R1: one request id and one trace id on all of them; with an incoming {@code traceparent} and request id,
 *       those.
 *   <li>R2: a line that carries {@code api_span} (the span the tracer's API reports current) has that as
 *       {@code span_id}; so the line in the manual span carries the manual span.
 *   <li>R3: no second server span: a-start is in a's access line's span, b in b's access line's span.
 *   <li>R4: the hop joins: b's access line's {@code parent_span_id} is the {@code span_id} of a line of request a,
 *       or the call line's {@code callee_span_id} (from b's {@code traceresponse}) is b's {@code span_id};
 *       with an incoming {@code traceparent}, a's access line's {@code parent_span_id} is the caller's span.
 *   <li>R5, for the reactive application only: the lines its operators write after the call, on other threads
 *       (async, a-end), are in a's server span, the span current in the request's Reactor context.
 * </ul>
 */
final class MatrixChecker {

  private MatrixChecker() {
  }

  /** What the caller of {@code /a} sent; all {@code null} for a request without headers. */
  record Incoming(String traceId, String spanId, String requestId) {
    static final Incoming NONE = new Incoming(null, null, null);
  }

  static List<String> check(RequestLines lines, Incoming incoming) {
    return check(lines, incoming, false);
  }

  /** As {@link #check(RequestLines, Incoming)}, with R5 when {@code reactive}. */
  static List<String> check(RequestLines lines, Incoming incoming, boolean reactive) {
    List<String> violations = new ArrayList<>();
    List<Map<String, Object>> present = new ArrayList<>();
    for (String role : RequestLines.ROLES) {
      Map<String, Object> line = lines.get(role);
      if (line == null) {
        violations.add("R0: no " + role + " line");
      } else {
        present.add(line);
      }
    }

    Set<Object> requestIds = values(present, "requestId");
    Set<Object> traceIds = values(present, "trace_id");
    if (requestIds.size() != 1 || requestIds.contains(null)) {
      violations.add("R1: requestId differs: " + byRole(lines, "requestId"));
    }
    if (traceIds.size() != 1 || traceIds.contains(null)) {
      violations.add("R1: trace_id differs: " + byRole(lines, "trace_id"));
    }
    if (incoming.traceId() != null && !traceIds.equals(Set.of(incoming.traceId()))) {
      violations.add("R1: trace_id is not the incoming " + incoming.traceId() + ": " + traceIds);
    }
    if (incoming.requestId() != null && !requestIds.equals(Set.of(incoming.requestId()))) {
      violations.add("R1: requestId is not the incoming " + incoming.requestId() + ": " + requestIds);
    }

    for (String role : RequestLines.ROLES) {
      Map<String, Object> line = lines.get(role);
      if (line != null && line.containsKey("api_span") && !Objects.equals(line.get("api_span"), line.get("span_id"))) {
        violations.add("R2: " + role + " span_id=" + line.get("span_id") + " api_span=" + line.get("api_span"));
      }
    }

    sameSpan(lines, RequestLines.A_START, RequestLines.ACCESS_A, violations);
    sameSpan(lines, RequestLines.B, RequestLines.ACCESS_B, violations);
    if (reactive) {
      for (String role : List.of(RequestLines.ASYNC, RequestLines.A_END)) {
        Map<String, Object> line = lines.get(role);
        Map<String, Object> access = lines.get(RequestLines.ACCESS_A);
        if (line != null && access != null && !Objects.equals(line.get("span_id"), access.get("span_id"))) {
          violations.add("R5: " + role + " span_id=" + line.get("span_id") + " but " + RequestLines.ACCESS_A
              + " span_id=" + access.get("span_id"));
        }
      }
    }

    Map<String, Object> accessB = lines.get(RequestLines.ACCESS_B);
    if (accessB != null) {
      Object parent = accessB.get("parent_span_id");
      Set<Object> spansOfA = new LinkedHashSet<>();
      for (String role : List.of(RequestLines.A_START, RequestLines.IN_MANUAL, RequestLines.CALL, RequestLines.ASYNC,
          RequestLines.A_END, RequestLines.ACCESS_A)) {
        Map<String, Object> line = lines.get(role);
        if (line != null && line.get("span_id") != null) {
          spansOfA.add(line.get("span_id"));
        }
      }
      Map<String, Object> call = lines.get(RequestLines.CALL);
      Object calleeSpan = call == null ? null : call.get("callee_span_id");
      boolean joinedByCallee = calleeSpan != null && calleeSpan.equals(accessB.get("span_id"));
      if (!joinedByCallee && (parent == null || !spansOfA.contains(parent))) {
        violations.add("R4: " + RequestLines.ACCESS_B + " parent_span_id=" + parent + " is no span_id of request a "
            + spansOfA);
      }
    }
    Map<String, Object> accessA = lines.get(RequestLines.ACCESS_A);
    if (incoming.spanId() != null && accessA != null && !incoming.spanId().equals(accessA.get("parent_span_id"))) {
      violations.add("R4: " + RequestLines.ACCESS_A + " parent_span_id=" + accessA.get("parent_span_id")
          + ", not the caller's span " + incoming.spanId());
    }
    return violations;
  }

  private static void sameSpan(RequestLines lines, String role, String accessRole, List<String> violations) {
    Map<String, Object> line = lines.get(role);
    Map<String, Object> access = lines.get(accessRole);
    if (line != null && access != null && !Objects.equals(line.get("span_id"), access.get("span_id"))) {
      violations.add("R3: " + role + " span_id=" + line.get("span_id") + " but " + accessRole + " span_id="
          + access.get("span_id"));
    }
  }

  private static Set<Object> values(List<Map<String, Object>> lines, String key) {
    Set<Object> values = new LinkedHashSet<>();
    lines.forEach(line -> values.add(line.get(key)));
    return values;
  }

  /** {@code role=value} for every line present, to show which line differs. */
  private static String byRole(RequestLines lines, String key) {
    StringBuilder s = new StringBuilder();
    for (String role : RequestLines.ROLES) {
      Map<String, Object> line = lines.get(role);
      if (line != null) {
        s.append(s.length() == 0 ? "" : ", ").append(role).append('=').append(line.get(key));
      }
    }
    return s.toString();
  }
}
