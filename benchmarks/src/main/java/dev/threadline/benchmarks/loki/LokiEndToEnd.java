package dev.threadline.benchmarks.loki;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Issue #4's end-to-end comparison of Loki appenders: Threadline's {@code LokiAppender}, loki4j 2.1 (protobuf, its
 * {@code JsonLayout}) and a floor (Logback with a no-op appender), each scenario in a fresh JVM, all pushing to one
 * {@link LokiSink} in a JVM of its own. Plain Java rather than JMH: what matters is the whole path, from the logging
 * call to the last entry the receiver counts, with the appender's background threads included.
 *
 * <p>Per scenario: latency of each logging call (p50, p99, p99.9), delivered events per second (from the first call to
 * the last entry received), process CPU per million delivered events and where it went (the logging threads, the
 * appender's own Java threads, and the rest: GC, JIT and the VM; in paced runs the logging threads' share is their CPU
 * time inside the calls, estimated from the calls that have it read around them, not the time they wait between calls),
 * bytes allocated per event by every thread, and bytes on the wire per event beside the line's own bytes. Scenarios:
 * the floor, Threadline with each overflow policy (drop, the default, and block) and loki4j, unpaced with 1 and 2
 * threads, then Threadline and loki4j paced; every scenario once per round, each round in another order, after two
 * unreported runs that warm the receiver. Then the idle CPU of a bare Logback JVM and of each appender. Prints a
 * Markdown table of the medians over the rounds and writes every run's numbers as JSON.
 *
 * <p>System properties: {@code loki.events} (per thread, default 1000000), {@code loki.warmup} (per thread, 500000,
 * delivered before measuring), {@code loki.rounds} (3), {@code loki.threads} (1,2: the unpaced runs'),
 * {@code loki.appenders} (the unpaced runs', by default floor, threadline, threadline-block, loki4j and, with a
 * loki4j class path of its own, loki4j@own-cp), {@code loki.pacedRates} (events per second <em>per thread</em>, a
 * comma-separated list, default {@code loki.pacedRate}, 50000; 0 skips), {@code loki.pacedThreads} (1),
 * {@code loki.pacedAppenders} (threadline, loki4j; add floor for the bare call's latency), every paced rate run
 * with every paced thread count, {@code loki.pacedSeconds} (10), {@code loki.idleSeconds} (60; 0 skips), {@code loki.jvmArgs}
 * (the children's, {@code -Xms512m -Xmx512m -XX:+ExitOnOutOfMemoryError}), {@code loki.childTimeoutSeconds}
 * (180: a scenario still running then is stopped and reported), {@code loki.out} (the JSON file, {@code loki-end-to-end.json}) and
 * {@code loki4j.cp}: a file holding the class path of the loki4j children (the same dependencies on Logback 1.6; see
 * the module's {@code loki4j-logback16} profile), by default this JVM's own class path.
 */
public final class LokiEndToEnd {

  private LokiEndToEnd() {
  }

  /** Runs every scenario; see the class comment for the settings. */
  public static void main(String[] args) throws Exception {
    int events = Integer.getInteger("loki.events", 1_000_000);
    int warmup = Integer.getInteger("loki.warmup", 500_000);
    int rounds = Integer.getInteger("loki.rounds", 3);
    // Paced: every rate with every thread count; the rate is per thread (2 threads at 50,000/s log 100,000/s).
    String[] pacedRates = System.getProperty("loki.pacedRates",
        String.valueOf(Integer.getInteger("loki.pacedRate", 50_000))).split(",");
    String[] pacedThreads = System.getProperty("loki.pacedThreads", "1").split(",");
    List<String> pacedAppenders = List.of(System.getProperty("loki.pacedAppenders", "threadline,loki4j").split(","));
    int pacedSeconds = Integer.getInteger("loki.pacedSeconds", 10);
    int idleSeconds = Integer.getInteger("loki.idleSeconds", 60);
    String[] threadCounts = System.getProperty("loki.threads", "1,2").split(",");
    List<String> jvmArgs = List.of(System.getProperty("loki.jvmArgs", "-Xms512m -Xmx512m -XX:+ExitOnOutOfMemoryError")
        .trim().split("\\s+"));
    Path out = Path.of(System.getProperty("loki.out", "loki-end-to-end.json"));
    String ownCp = System.getProperty("java.class.path");
    String loki4jCp = System.getProperty("loki4j.cp") == null ? ownCp
        : Files.readString(Path.of(System.getProperty("loki4j.cp"))).trim();

    Process sink = new ProcessBuilder(java(), "-Xms256m", "-Xmx256m", "-cp", ownCp, LokiSink.class.getName())
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    List<Map<String, String>> rows = new ArrayList<>();
    try {
      BufferedReader sinkOut = new BufferedReader(new InputStreamReader(sink.getInputStream(), StandardCharsets.UTF_8));
      String listening = sinkOut.readLine();
      if (listening == null || !listening.startsWith("LISTENING ")) {
        throw new IllegalStateException("The sink did not start: " + listening);
      }
      String sinkUrl = "http://127.0.0.1:" + listening.substring("LISTENING ".length());

      List<String> appenders = new ArrayList<>(List.of("floor", "threadline", "threadline-block", "loki4j"));
      if (!loki4jCp.equals(ownCp)) {
        // loki4j on the Logback it declares (1.6) and on ours (1.5), to separate the appender from the Logback.
        appenders.add("loki4j@own-cp");
      }
      if (System.getProperty("loki.appenders") != null) {
        appenders = List.of(System.getProperty("loki.appenders").split(","));
      }
      List<String[]> round = new ArrayList<>();
      for (String threads : threadCounts) {
        for (String appender : appenders) {
          round.add(new String[] {appender, threads.trim(), String.valueOf(events), String.valueOf(warmup),
              "unpaced"});
        }
      }
      for (String rateText : pacedRates) {
        int rate = Integer.parseInt(rateText.trim());
        if (rate <= 0) {
          continue;
        }
        for (String threads : pacedThreads) {
          for (String appender : pacedAppenders) {
            round.add(new String[] {appender.trim(), threads.trim(), String.valueOf((long) rate * pacedSeconds),
                String.valueOf(warmup), "paced:" + rate});
          }
        }
      }

      // A cold receiver spends its first seconds compiling its decoder, on the cores the first scenario needs;
      // warm it with both appenders' pushes before anything is measured.
      for (String appender : List.of("threadline", "loki4j")) {
        System.err.println("warming the receiver with " + appender);
        runChild(command(jvmArgs, ownCp, loki4jCp, new String[] {appender, "1", "500000", "100000", "unpaced"},
            sinkUrl));
      }
      for (int r = 0; r < rounds; r++) {
        // Each round in another order, so no appender always runs right after the same neighbour.
        List<String[]> order = new ArrayList<>(round);
        java.util.Collections.rotate(order, -r * Math.max(1, order.size() / Math.max(1, rounds)));
        for (String[] s : order) {
          System.err.println("round " + (r + 1) + ": " + String.join(" ", s));
          Map<String, String> row = runChild(command(jvmArgs, ownCp, loki4jCp, s, sinkUrl));
          row.put("scenario", s[0]);
          row.put("round", String.valueOf(r + 1));
          rows.add(row);
          System.err.println("  " + row);
        }
      }
      if (idleSeconds > 0) {
        for (String appender : List.of("floor", "threadline", "loki4j")) {
          String[] s = {appender, "0", "0", "0", "idle:" + idleSeconds};
          System.err.println("idle: " + appender);
          Map<String, String> row = runChild(command(jvmArgs, ownCp, loki4jCp, s, sinkUrl));
          row.put("scenario", appender);
          row.put("round", "1");
          rows.add(row);
          System.err.println("  " + row);
        }
      }
    } finally {
      sink.destroy();
    }

    System.out.println(table(medians(rows)));
    Files.writeString(out, json(rows));
    System.out.println("Raw numbers (every round): " + out.toAbsolutePath());
  }

  private static List<String> command(List<String> jvmArgs, String ownCp, String loki4jCp, String[] s,
      String sinkUrl) {
    boolean onLoki4jCp = s[0].equals("loki4j");
    String appender = s[0].replaceAll("@.*", "");
    List<String> command = new ArrayList<>();
    command.add(java());
    command.addAll(jvmArgs);
    command.addAll(List.of("-cp", onLoki4jCp ? loki4jCp : ownCp, LokiScenario.class.getName(),
        appender, s[1], s[2], s[3], sinkUrl, s[4]));
    return command;
  }

  /** One row per scenario, threads and mode: the median of each number over the rounds. */
  static List<Map<String, String>> medians(List<Map<String, String>> rows) {
    Map<String, List<Map<String, String>>> groups = new LinkedHashMap<>();
    for (Map<String, String> row : rows) {
      String key = row.get("scenario") + "|" + row.get("threads") + "|" + row.get("mode");
      groups.computeIfAbsent(key, k -> new ArrayList<>()).add(row);
    }
    List<Map<String, String>> result = new ArrayList<>();
    for (List<Map<String, String>> group : groups.values()) {
      Map<String, String> median = new LinkedHashMap<>(group.get(0));
      median.put("rounds", String.valueOf(group.size()));
      for (String key : group.get(0).keySet()) {
        List<Double> values = new ArrayList<>();
        for (Map<String, String> row : group) {
          String v = row.get(key);
          if (v != null && v.matches("-?\\d+(\\.\\d+)?")) {
            values.add(Double.parseDouble(v));
          }
        }
        if (values.size() == group.size() && !key.equals("threads") && !key.equals("round")) {
          java.util.Collections.sort(values);
          int n = values.size();
          double m = n % 2 == 1 ? values.get(n / 2) : (values.get(n / 2 - 1) + values.get(n / 2)) / 2;
          median.put(key, Math.abs(m) >= 100 || m == Math.rint(m) ? String.valueOf(Math.round(m))
              : String.valueOf(Math.round(m * 1000) / 1000.0));
        }
      }
      result.add(median);
    }
    return result;
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static Map<String, String> runChild(List<String> command) throws IOException, InterruptedException {
    Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
    Map<String, String> row = new java.util.concurrent.ConcurrentHashMap<>();
    StringBuffer output = new StringBuffer();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(
          new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          if (line.startsWith("RESULT ")) {
            for (String pair : line.substring(7).split(" ")) {
              int eq = pair.indexOf('=');
              row.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
          } else {
            output.append(line).append('\n');
          }
        }
      } catch (IOException e) {
        output.append(e);
      }
    });
    reader.start();
    // A scenario that cannot finish (an appender whose buffer outgrew the heap, say) is stopped and reported.
    boolean exited = child.waitFor(CHILD_TIMEOUT_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
    if (!exited) {
      child.destroyForcibly().waitFor();
    }
    reader.join();
    Map<String, String> ordered = new LinkedHashMap<>();
    if (row.isEmpty()) {
      ordered.put("error", exited ? "exit " + child.exitValue() + ": " + output.toString().strip().replace('\n', ' ')
          : "did not finish in " + CHILD_TIMEOUT_SECONDS + " s (stopped)");
    } else {
      // RESULT keys in the order the child printed them.
      for (String key : ORDER) {
        if (row.containsKey(key)) {
          ordered.put(key, row.remove(key));
        }
      }
      ordered.putAll(row);
    }
    return ordered;
  }

  private static final long CHILD_TIMEOUT_SECONDS = Long.getLong("loki.childTimeoutSeconds", 180);
  private static final List<String> ORDER = List.of("appender", "logback", "threads", "mode", "events", "delivered",
      "lost", "callsPerSec", "deliveredPerSec", "p50Ns", "p99Ns", "p999Ns", "maxNs", "cpuMsPerMillion",
      "cpuAppMsPerMillion", "cpuThreadsMsPerMillion", "cpuJvmMsPerMillion",
      "allocBytesPerEvent", "allocBytesPerCall");

  private static final String[][] COLUMNS = {
      {"scenario", "appender"}, {"logback", "Logback"}, {"threads", "threads"}, {"mode", "mode"},
      {"p50Ns", "p50 ns"}, {"p99Ns", "p99 ns"}, {"p999Ns", "p99.9 ns"},
      {"callsPerSec", "calls/s"}, {"deliveredPerSec", "delivered/s"}, {"cpuMsPerMillion", "CPU ms / M events"},
      {"cpuAppMsPerMillion", "of which app threads"}, {"cpuThreadsMsPerMillion", "appender threads"},
      {"cpuJvmMsPerMillion", "GC, JIT, VM"},
      {"allocBytesPerEvent", "alloc B/event"}, {"lineBytesPerEvent", "line B"}, {"wireBytesPerEvent", "wire B/event"},
      {"wireToLine", "wire/line"}, {"idleCpuPercent", "idle CPU %"}, {"delivered", "delivered"}, {"lost", "lost"},
      {"rounds", "runs"}};

  private static String table(List<Map<String, String>> rows) {
    StringBuilder t = new StringBuilder("|");
    StringBuilder rule = new StringBuilder("|");
    for (String[] c : COLUMNS) {
      t.append(' ').append(c[1]).append(" |");
      rule.append(c[0].equals("scenario") || c[0].equals("mode") || c[0].equals("logback") ? "---|" : "---:|");
    }
    t.append('\n').append(rule).append('\n');
    for (Map<String, String> row : rows) {
      t.append('|');
      for (String[] c : COLUMNS) {
        t.append(' ').append(row.getOrDefault(c[0], "")).append(" |");
      }
      if (row.containsKey("error")) {
        t.append(" error: ").append(row.get("error"));
      }
      t.append('\n');
    }
    return t.toString();
  }

  /** {@code v} as a JSON string: a child's error output may hold tabs and other control characters. */
  private static String quoted(String v) {
    StringBuilder q = new StringBuilder(v.length() + 2).append('"');
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c == '"' || c == '\\') {
        q.append('\\').append(c);
      } else if (c < 0x20) {
        q.append(String.format("\\u%04x", (int) c));
      } else {
        q.append(c);
      }
    }
    return q.append('"').toString();
  }

  private static String json(List<Map<String, String>> rows) {
    StringBuilder j = new StringBuilder("[\n");
    for (int i = 0; i < rows.size(); i++) {
      j.append("  {");
      int k = 0;
      for (Map.Entry<String, String> e : rows.get(i).entrySet()) {
        j.append(k++ == 0 ? "" : ", ").append('"').append(e.getKey()).append("\": ");
        String v = e.getValue();
        j.append(v.matches("-?\\d+(\\.\\d+)?") ? v : quoted(v));
      }
      j.append(i + 1 < rows.size() ? "},\n" : "}\n");
    }
    return j.append("]\n").toString();
  }
}
