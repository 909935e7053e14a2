package dev.threadline.release;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The last words of a build: one line per module with its test counts, read from the Surefire reports this
 * build wrote, then the totals. Run by this module's {@code verify} (exec:java, in Maven's JVM), so it sees the
 * reports of every module before it; {@code .mvn/jvm.config} keeps Maven's own output to warnings and errors,
 * and the tests' output is in each module's target/surefire-reports.
 */
public final class BuildSummary {

  private static final Pattern MODULE = Pattern.compile("<module>([^<]+)</module>");
  private static final Pattern SUITE = Pattern.compile("<testsuite\\b[^>]*>");

  private BuildSummary() {}

  public static void main(String[] args) throws IOException {
    Path root = Path.of(args[0]);
    long buildStart = ManagementFactory.getRuntimeMXBean().getStartTime();
    List<String> modules = MODULE.matcher(Files.readString(root.resolve("pom.xml"))).results()
        .map(m -> m.group(1)).toList();
    long tests = 0;
    long failed = 0;
    long skipped = 0;
    StringBuilder out = new StringBuilder("\nThreadline: tests per module (their output is in <module>/target/surefire-reports)\n");
    for (String module : modules) {
      long[] counts = counts(root.resolve(module).resolve("target/surefire-reports"), buildStart);
      String line = counts == null ? "no tests in this build"
          : String.format("%,6d test%s%s%s", counts[0], counts[0] == 1 ? "" : "s",
              counts[1] > 0 ? ", " + counts[1] + " FAILED" : "", counts[2] > 0 ? ", " + counts[2] + " skipped" : "");
      out.append(String.format("  %-34s %s%n", module, line));
      if (counts != null) {
        tests += counts[0];
        failed += counts[1];
        skipped += counts[2];
      }
    }
    out.append(String.format("  %-34s %,6d tests in %d modules, %d failed, %d skipped%n", "all", tests,
        modules.size(), failed, skipped));
    System.out.print(out);
  }

  private static long attribute(String tag, String name) {
    Matcher m = Pattern.compile("\\b" + name + "=\"(\\d+)\"").matcher(tag);
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }

  /** tests, failed (failures and errors), skipped; or null when no report was written by this build. */
  private static long[] counts(Path reports, long buildStart) throws IOException {
    if (!Files.isDirectory(reports)) {
      return null;
    }
    long[] counts = new long[3];
    boolean any = false;
    try (Stream<Path> files = Files.list(reports)) {
      for (Path report : files.filter(f -> f.getFileName().toString().matches("TEST-.*\\.xml")).toList()) {
        if (Files.getLastModifiedTime(report).toMillis() < buildStart) {
          continue;
        }
        Matcher suite = SUITE.matcher(Files.readString(report));
        if (suite.find()) {
          any = true;
          counts[0] += attribute(suite.group(), "tests");
          counts[1] += attribute(suite.group(), "errors") + attribute(suite.group(), "failures");
          counts[2] += attribute(suite.group(), "skipped");
        }
      }
    }
    return any ? counts : null;
  }
}
