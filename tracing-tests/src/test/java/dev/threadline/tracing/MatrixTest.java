package dev.threadline.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The matrix: the application of {@code dev.threadline.tracing.app} (the Spring Boot one, the plain servlet one for
 * the {@code plain-*} set-ups, or the WebFlux one of {@code dev.threadline.tracing.reactive} for the
 * {@code reactive-*} set-ups) under each {@link Setup}, in a child JVM, sent
 * {@code GET /a} without headers and with a {@code traceparent} and {@code X-Request-Id}; every request's lines must
 * keep {@link MatrixChecker}'s rules. Then each set-up with Threadline's bridge to its tracer switched off, where the
 * checker must find a violation: the rules hold because of the bridge. The children run three at a time; each one's
 * output and class path are written to {@code target/matrix-logs}, with a summary. {@code -Dmatrix.setups=agent,brave}
 * runs only those.
 */
class MatrixTest {

  static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final String PARENT_SPAN_ID = "00f067aa0ba902b7";

  private static final Path LOGS = Path.of(System.getProperty("matrix.logs", "target/matrix-logs"));

  /** One child JVM's results: the lines of each request, or why there are none. */
  record Run(Setup setup, boolean bridgeOff, List<String> plain, List<String> traced, String classPath, String output,
      String exported, Throwable failure) {

    String name() {
      return setup.label() + (bridgeOff ? ", bridge off" : ", bridge on");
    }

    MatrixChecker.Incoming incoming() {
      return new MatrixChecker.Incoming(TRACE_ID, PARENT_SPAN_ID, "matrix-" + setup.label() + "-1");
    }
  }

  @TestFactory
  Stream<DynamicTest> everySetUpKeepsOneTraceAndTheRightSpan() throws Exception {
    List<Run> runs = runAll();
    writeSummary(runs);
    List<DynamicTest> tests = new ArrayList<>();
    for (Run run : runs) {
      if (!run.bridgeOff()) {
        tests.add(DynamicTest.dynamicTest(run.name() + ": GET /a without headers",
            () -> assertKept(run, run.plain(), MatrixChecker.Incoming.NONE)));
        tests.add(DynamicTest.dynamicTest(run.name() + ": GET /a with traceparent and X-Request-Id",
            () -> assertKept(run, run.traced(), run.incoming())));
      } else {
        tests.add(DynamicTest.dynamicTest(run.name() + ": the rules break without the bridge",
            () -> assertBroken(run)));
      }
    }
    return tests.stream();
  }

  private static void assertKept(Run run, List<String> lines, MatrixChecker.Incoming incoming) {
    assertStarted(run);
    List<String> violations = MatrixChecker.check(RequestLines.of(lines), incoming, run.setup().reactive());
    assertThat(violations).as("%s\n%s\n---- the request's lines\n%s", run.name(), run.classPath(),
        String.join("\n", lines)).isEmpty();
  }

  private static void assertBroken(Run run) {
    assertStarted(run);
    List<String> violations = new ArrayList<>(MatrixChecker.check(RequestLines.of(run.plain()),
        MatrixChecker.Incoming.NONE, run.setup().reactive()));
    violations.addAll(MatrixChecker.check(RequestLines.of(run.traced()), run.incoming(),
        run.setup().reactive()));
    assertThat(violations).as("%s: every rule held without the bridge, so the set-up does not show it is needed\n%s",
        run.name(), run.classPath()).isNotEmpty();
  }

  private static void assertStarted(Run run) {
    if (run.failure() != null) {
      throw new AssertionError(run.name() + " did not run\n" + run.classPath(), run.failure());
    }
  }

  private static List<Run> runAll() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      Map<String, Future<Run>> futures = new LinkedHashMap<>();
      for (Setup setup : selected()) {
        futures.put(setup.label(), pool.submit(() -> run(setup, false)));
      }
      for (Setup setup : selected()) {
        if (setup.hasBridge()) {
          futures.put(setup.label() + "-off", pool.submit(() -> run(setup, true)));
        }
      }
      List<Run> runs = new ArrayList<>();
      for (Future<Run> future : futures.values()) {
        runs.add(future.get());
      }
      return runs;
    } finally {
      pool.shutdownNow();
    }
  }

  /** Every set-up, or those named in {@code -Dmatrix.setups=sdk,agent} (for running one while working on it). */
  private static List<Setup> selected() {
    String names = System.getProperty("matrix.setups", "").trim();
    return Stream.of(Setup.values())
        .filter(setup -> !setup.grpc())
        .filter(setup -> names.isEmpty() || List.of(names.split("\\s*,\\s*")).contains(setup.label()))
        .toList();
  }

  private static Run run(Setup setup, boolean bridgeOff) {
    ChildApp child = null;
    try {
      child = ChildApp.start(setup, bridgeOff, LOGS);
      List<String> plain = child.getA(Map.of());
      List<String> traced = child.getA(Map.of("traceparent", "00-" + TRACE_ID + "-" + PARENT_SPAN_ID + "-01",
          "X-Request-Id", "matrix-" + setup.label() + "-1"));
      String exported = setup == Setup.BOOT_OTEL_EXPORT_ON || setup == Setup.REACTIVE_BOOT_OTEL_EXPORT_ON
          ? exported(child) : null;
      return new Run(setup, bridgeOff, plain, traced, child.classPathListing(), child.output(), exported, null);
    } catch (Throwable e) {
      return new Run(setup, bridgeOff, List.of(), List.of(),
          child != null ? child.classPathListing() : String.join("\n", setup.classPath(bridgeOff)),
          child != null ? child.output() : "", null, e);
    } finally {
      if (child != null) {
        child.close();
        child.saveOutput(LOGS);
      }
    }
  }

  /** How many spans the in-memory exporter received, after its 100 ms batch delay. */
  private static String exported(ChildApp child) throws Exception {
    Thread.sleep(500);
    return child.get("/exported");
  }

  /** Every run's violations per request, for reading after the build. */
  private static void writeSummary(List<Run> runs) throws Exception {
    StringBuilder s = new StringBuilder();
    for (Run run : runs) {
      s.append("== ").append(run.name());
      if (run.exported() != null) {
        s.append(" (spans exported: ").append(run.exported()).append(')');
      }
      s.append('\n');
      if (run.failure() != null) {
        s.append("  did not run: ").append(run.failure().toString().lines().findFirst().orElse("")).append('\n');
        continue;
      }
      appendViolations(s, "no headers", MatrixChecker.check(RequestLines.of(run.plain()),
          MatrixChecker.Incoming.NONE, run.setup().reactive()));
      appendViolations(s, "traceparent", MatrixChecker.check(RequestLines.of(run.traced()), run.incoming(),
          run.setup().reactive()));
    }
    Files.createDirectories(LOGS);
    Files.writeString(LOGS.resolve("summary.txt"), s, StandardCharsets.UTF_8);
    System.out.println(s);
  }

  private static void appendViolations(StringBuilder s, String request, List<String> violations) {
    s.append("  ").append(request).append(": ").append(violations.isEmpty() ? "all rules hold" : "").append('\n');
    violations.forEach(v -> s.append("    ").append(v).append('\n'));
  }
}
