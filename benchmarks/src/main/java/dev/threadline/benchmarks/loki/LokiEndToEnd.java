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
 * <p>Per scenario: latency of each logging call (p50, p99, p99.9), delivered events per second (from the first call
 * to the last entry received), process CPU per million delivered events, bytes allocated per event by every thread,
 * and bytes on the wire per event beside the line's own bytes. Then a paced run for latency and an idle run for the
 * CPU an appender burns doing nothing. Prints a Markdown table and writes the raw numbers as JSON.
 *
 * <p>System properties: {@code loki.events} (per thread, default 200000), {@code loki.warmup} (per thread, 50000),
 * {@code loki.threads} (1,2), {@code loki.pacedRate} (50000 events/s; 0 skips), {@code loki.pacedSeconds} (4),
 * {@code loki.idleSeconds} (20; 0 skips), {@code loki.jvmArgs} (the children's, {@code -Xms512m -Xmx512m}),
 * {@code loki.out} (the JSON file, {@code loki-end-to-end.json}) and {@code loki4j.cp}: a file holding the class path
 * of the loki4j children (the same dependencies on Logback 1.6; see the module's {@code loki4j-logback16} profile),
 * by default this JVM's own class path.
 */
public final class LokiEndToEnd {

  private LokiEndToEnd() {
  }

  /** Runs every scenario; see the class comment for the settings. */
  public static void main(String[] args) throws Exception {
    int events = Integer.getInteger("loki.events", 200_000);
    int warmup = Integer.getInteger("loki.warmup", 50_000);
    int pacedRate = Integer.getInteger("loki.pacedRate", 50_000);
    int pacedSeconds = Integer.getInteger("loki.pacedSeconds", 4);
    int idleSeconds = Integer.getInteger("loki.idleSeconds", 20);
    String[] threadCounts = System.getProperty("loki.threads", "1,2").split(",");
    List<String> jvmArgs = List.of(System.getProperty("loki.jvmArgs", "-Xms512m -Xmx512m").trim().split("\\s+"));
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

      List<String[]> scenarios = new ArrayList<>();
      for (String threads : threadCounts) {
        String n = String.valueOf(events);
        String w = String.valueOf(warmup);
        scenarios.add(new String[] {"floor", threads.trim(), n, w, "unpaced"});
        scenarios.add(new String[] {"threadline", threads.trim(), n, w, "unpaced"});
        scenarios.add(new String[] {"threadline-wait10ms", threads.trim(), n, w, "unpaced"});
        scenarios.add(new String[] {"loki4j", threads.trim(), n, w, "unpaced"});
        if (!loki4jCp.equals(ownCp)) {
          // The floor on loki4j's Logback, and loki4j on ours, to separate the appender from the Logback version.
          scenarios.add(new String[] {"floor@loki4j-cp", threads.trim(), n, w, "unpaced"});
          scenarios.add(new String[] {"loki4j@own-cp", threads.trim(), n, w, "unpaced"});
        }
      }
      if (pacedRate > 0) {
        String n = String.valueOf((long) pacedRate * pacedSeconds);
        for (String appender : List.of("threadline", "threadline-wait10ms", "loki4j")) {
          scenarios.add(new String[] {appender, "1", n, String.valueOf(warmup), "paced:" + pacedRate});
        }
      }
      if (idleSeconds > 0) {
        for (String appender : List.of("threadline", "loki4j")) {
          scenarios.add(new String[] {appender, "0", "0", "0", "idle:" + idleSeconds});
        }
      }

      for (String[] s : scenarios) {
        boolean onLoki4jCp = s[0].equals("loki4j") || s[0].endsWith("@loki4j-cp");
        String appender = s[0].replaceAll("@.*", "");
        List<String> command = new ArrayList<>();
        command.add(java());
        command.addAll(jvmArgs);
        command.addAll(List.of("-cp", onLoki4jCp ? loki4jCp : ownCp, LokiScenario.class.getName(),
            appender, s[1], s[2], s[3], sinkUrl, s[4]));
        System.err.println("running " + String.join(" ", s));
        Map<String, String> row = runChild(command);
        row.put("scenario", s[0]);
        rows.add(row);
        System.err.println("  " + row);
      }
    } finally {
      sink.destroy();
    }

    System.out.println(table(rows));
    Files.writeString(out, json(rows));
    System.out.println("Raw numbers: " + out.toAbsolutePath());
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static Map<String, String> runChild(List<String> command) throws IOException, InterruptedException {
    Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
    Map<String, String> row = new LinkedHashMap<>();
    StringBuilder output = new StringBuilder();
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
    }
    int exit = child.waitFor();
    if (row.isEmpty()) {
      row.put("error", "exit " + exit + ": " + output.toString().strip().replace('\n', ' '));
    }
    return row;
  }

  private static final String[][] COLUMNS = {
      {"scenario", "appender"}, {"logback", "Logback"}, {"threads", "threads"}, {"mode", "mode"},
      {"p50Ns", "p50 ns"}, {"p99Ns", "p99 ns"}, {"p999Ns", "p99.9 ns"},
      {"callsPerSec", "calls/s"}, {"deliveredPerSec", "delivered/s"}, {"cpuMsPerMillion", "CPU ms / M events"},
      {"allocBytesPerEvent", "alloc B/event"}, {"lineBytesPerEvent", "line B"}, {"wireBytesPerEvent", "wire B/event"},
      {"wireToLine", "wire/line"}, {"idleCpuPercent", "idle CPU %"}, {"delivered", "delivered"}, {"lost", "lost"}};

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

  private static String json(List<Map<String, String>> rows) {
    StringBuilder j = new StringBuilder("[\n");
    for (int i = 0; i < rows.size(); i++) {
      j.append("  {");
      int k = 0;
      for (Map.Entry<String, String> e : rows.get(i).entrySet()) {
        j.append(k++ == 0 ? "" : ", ").append('"').append(e.getKey()).append("\": ");
        String v = e.getValue();
        j.append(v.matches("-?\\d+(\\.\\d+)?") ? v : '"' + v.replace("\\", "\\\\").replace("\"", "\\\"") + '"');
      }
      j.append(i + 1 < rows.size() ? "},\n" : "}\n");
    }
    return j.append("]\n").toString();
  }
}
