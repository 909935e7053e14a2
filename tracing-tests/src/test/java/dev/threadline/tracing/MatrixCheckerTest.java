package dev.threadline.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The checker on hand-written lines: quiet on a request that keeps the rules, precise on one that breaks them. */
class MatrixCheckerTest {

  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

  private static String line(String logger, String message, String span, String extra) {
    return "{\"logger\":\"" + logger + "\",\"message\":\"" + message + "\",\"requestId\":\"r-1\",\"trace_id\":\"" + TRACE
        + "\",\"span_id\":\"" + span + "\"" + extra + "}";
  }

  private static List<String> request(String manualLineSpan) {
    List<String> lines = new ArrayList<>();
    lines.add(line("matrix", "a-start", "aaaaaaaaaaaaaaaa", ",\"api_span\":\"aaaaaaaaaaaaaaaa\""));
    lines.add(line("matrix", "in-manual", manualLineSpan, ",\"api_span\":\"mmmmmmmmmmmmmmmm\""));
    lines.add(line("dev.threadline.client", "GET /b", "cccccccccccccccc", ",\"path\":\"/b\""));
    lines.add(line("matrix", "b", "bbbbbbbbbbbbbbbb", ""));
    lines.add(line("dev.threadline.access", "GET /b", "bbbbbbbbbbbbbbbb",
        ",\"path\":\"/b\",\"parent_span_id\":\"cccccccccccccccc\""));
    lines.add(line("matrix", "async", "aaaaaaaaaaaaaaaa", ""));
    lines.add(line("matrix", "a-end", "aaaaaaaaaaaaaaaa", ""));
    lines.add(line("dev.threadline.access", "GET /a", "aaaaaaaaaaaaaaaa", ",\"path\":\"/a\""));
    return lines;
  }

  @Test
  void aRequestThatKeepsTheRules_hasNoViolations() {
    assertThat(MatrixChecker.check(RequestLines.of(request("mmmmmmmmmmmmmmmm")), MatrixChecker.Incoming.NONE))
        .isEmpty();
  }

  @Test
  void aLineOutsideTheApisSpan_isReportedWithBothIds() {
    assertThat(MatrixChecker.check(RequestLines.of(request("aaaaaaaaaaaaaaaa")), MatrixChecker.Incoming.NONE))
        .containsExactly("R2: in-manual span_id=aaaaaaaaaaaaaaaa api_span=mmmmmmmmmmmmmmmm");
  }

  @Test
  void anIncomingTraceThatWasNotKept_breaksR1AndR4() {
    List<String> violations = MatrixChecker.check(RequestLines.of(request("mmmmmmmmmmmmmmmm")),
        new MatrixChecker.Incoming("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", "r-1"));
    assertThat(violations).anyMatch(v -> v.startsWith("R1: trace_id is not the incoming"))
        .anyMatch(v -> v.startsWith("R4: access /a parent_span_id=null"));
  }

  @Test
  void aMissingLine_isReported() {
    List<String> lines = request("mmmmmmmmmmmmmmmm");
    lines.remove(5);
    assertThat(MatrixChecker.check(RequestLines.of(lines), MatrixChecker.Incoming.NONE))
        .containsExactly("R0: no async line");
  }

  @Test
  void aReactiveOperatorLineOutsideTheServerSpan_breaksR5_onlyForTheReactiveApplication() {
    List<String> lines = request("mmmmmmmmmmmmmmmm");
    lines.set(6, line("matrix", "a-end", "dddddddddddddddd", ""));
    assertThat(MatrixChecker.check(RequestLines.of(lines), MatrixChecker.Incoming.NONE, true))
        .containsExactly("R5: a-end span_id=dddddddddddddddd but access /a span_id=aaaaaaaaaaaaaaaa");
    assertThat(MatrixChecker.check(RequestLines.of(lines), MatrixChecker.Incoming.NONE, false)).isEmpty();
  }
}
