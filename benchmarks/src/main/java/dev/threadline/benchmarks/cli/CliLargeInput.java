package dev.threadline.benchmarks.cli;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The {@code threadline} CLI over a large JSON-lines file, end to end, as a user runs it: the executable jar in a
 * child JVM with a small heap, timed with {@code /usr/bin/time} (wall time and peak resident memory), side by side in
 * one run with the tools people use on such files today: {@code jq} (a JSON-aware filter) and {@code grep -F} (the
 * floor: a byte search that understands nothing). Each tool gets the same question:
 *
 * <ul>
 *   <li><b>trace</b>: every line of one request ({@code threadline trace ID}; {@code jq -c 'select(.requestId == ID
 *       or .trace_id == ID)'}; {@code grep -F ID});
 *   <li><b>errors</b>: error events by fingerprint ({@code threadline errors}; {@code jq -r 'select(.error) |
 *       .error.fingerprint' | sort | uniq -c}; {@code grep -c -F '"fingerprint"'}).
 * </ul>
 *
 * <p>The file (made once, kept) is a mix of the schema's lines: info lines, access and call lines, and 1 % error
 * lines with a stack of about 2 KB, over many requests; one request of 24 lines is spread across it.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.threadline.benchmarks.cli.CliLargeInput \
 *     cli/target/threadline.jar /var/tmp/threadline-1g.jsonl 1024 5 64m
 * </pre>
 *
 * Arguments: the CLI jar, the file, its size in MiB, rounds, the CLI's -Xmx.
 */
public final class CliLargeInput {

  static final String TARGET = "01target0request0000x";
  static final Instant START = Instant.parse("2026-12-06T06:00:00Z");

  public static void main(String[] args) throws Exception {
    Path jar = Path.of(args[0]);
    Path file = Path.of(args[1]);
    long mib = Long.parseLong(args[2]);
    int rounds = Integer.parseInt(args[3]);
    String heap = args.length > 4 ? args[4] : "64m";
    if (!Files.exists(file) || Files.size(file) < mib * 1024 * 1024) {
      long t0 = System.nanoTime();
      write(file, mib * 1024 * 1024);
      System.out.printf(Locale.ROOT, "wrote %s: %d bytes in %.1f s%n", file, Files.size(file),
          (System.nanoTime() - t0) / 1e9);
    }
    long size = Files.size(file);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String until = "2026-12-07T06:00:00Z";
    List<Tool> tools = List.of(
        new Tool("threadline trace", java + " -Xmx" + heap + " -jar " + jar + " trace " + TARGET + " --json " + file),
        new Tool("jq select requestId", "jq -c 'select(.requestId == \"" + TARGET + "\" or .trace_id == \""
            + TARGET + "\")' " + file),
        new Tool("grep -F id (floor)", "LC_ALL=C grep -F " + TARGET + " " + file),
        new Tool("threadline errors", java + " -Xmx" + heap + " -jar " + jar + " errors --json --until " + until
            + " --since 48h " + file),
        new Tool("jq fingerprints | sort | uniq -c", "jq -r 'select(.error) | .error.fingerprint' " + file
            + " | sort | uniq -c"),
        new Tool("grep -c fingerprint (floor)", "LC_ALL=C grep -c -F '\"fingerprint\"' " + file));
    System.out.printf(Locale.ROOT, "file %s, %.0f MiB; CLI heap -Xmx%s; %d rounds, tools taking turns%n", file,
        size / 1048576.0, heap, rounds);
    for (int round = 0; round < rounds; round++) {
      for (Tool tool : tools) {
        tool.run();
      }
    }
    System.out.printf(Locale.ROOT, "%-34s %10s %10s %12s %12s  %s%n", "tool", "median s", "MiB/s", "peak RSS MiB",
        "max RSS MiB", "output bytes");
    for (Tool tool : tools) {
      double s = median(tool.seconds);
      System.out.printf(Locale.ROOT, "%-34s %10.2f %10.0f %12.0f %12.0f  %d%n", tool.name, s, size / 1048576.0 / s,
          median(tool.rssMib), Arrays.stream(tool.rssMib.stream().mapToDouble(d -> d).toArray()).max().orElse(0),
          tool.outputBytes);
    }
  }

  /** One command, run through {@code /usr/bin/time}; its output is counted, not kept. */
  static final class Tool {
    final String name;
    final String command;
    final List<Double> seconds = new ArrayList<>();
    final List<Double> rssMib = new ArrayList<>();
    long outputBytes;

    Tool(String name, String command) {
      this.name = name;
      this.command = command;
    }

    void run() throws IOException, InterruptedException {
      Path times = Files.createTempFile("cli-time", ".txt");
      Process p = new ProcessBuilder("/usr/bin/time", "-o", times.toString(), "-f", "%e %M", "bash", "-o",
          "pipefail", "-c", command).redirectErrorStream(false).start();
      long bytes = p.getInputStream().transferTo(OutputStream.nullOutputStream());
      String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      int status = p.waitFor();
      String[] parts = Files.readString(times).trim().split("\\s+");
      Files.delete(times);
      if (status != 0 && !(status == 1 && name.startsWith("grep"))) {
        throw new IllegalStateException(name + " exited " + status + ": " + err);
      }
      seconds.add(Double.parseDouble(parts[parts.length - 2]));
      // The pipeline's largest process: time reports the shell's children's maximum.
      rssMib.add(Long.parseLong(parts[parts.length - 1]) / 1024.0);
      outputBytes = bytes;
    }
  }

  static double median(List<Double> values) {
    double[] sorted = values.stream().mapToDouble(d -> d).sorted().toArray();
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  /** Writes about {@code bytes} of Threadline lines: 24 hours of a busy service's lines, one target request. */
  static void write(Path file, long bytes) throws IOException {
    SplittableRandom random = new SplittableRandom(42);
    String stack = stack();
    String[] fingerprints = new String[40];
    for (int i = 0; i < fingerprints.length; i++) {
      fingerprints[i] = String.format(Locale.ROOT, "%016x", random.nextLong());
    }
    long estimatedLines = bytes / 420;
    long step = Math.max(1, 86_400_000_000L / estimatedLines); // microseconds between lines: 24 h in all
    long written = 0;
    long n = 0;
    StringBuilder b = new StringBuilder(4096);
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
      while (written < bytes) {
        b.setLength(0);
        Instant time = START.plus(n * step, ChronoUnit.MICROS);
        boolean target = n % (estimatedLines / 24 + 1) == estimatedLines / 48;
        String request = target ? TARGET : String.format(Locale.ROOT, "01%018x", random.nextLong() >>> 8);
        String trace = String.format(Locale.ROOT, "%016x%016x", random.nextLong(), random.nextLong());
        String span = String.format(Locale.ROOT, "%016x", random.nextLong());
        String service = (n & 1) == 0 ? "order-api" : "fulfillment-worker";
        b.append("{\"timestamp\":\"").append(time).append("\",\"level\":\"");
        int kind = random.nextInt(100);
        if (kind == 0) {
          b.append("error");
        } else if (kind < 5) {
          b.append("warn");
        } else {
          b.append("info");
        }
        b.append("\",\"service\":\"").append(service).append("\",\"env\":\"prod\",\"host\":\"node-7\",\"logger\":\"");
        if (kind >= 5 && kind < 35) {
          b.append("dev.threadline.access\",\"thread\":\"http-nio-8080-exec-").append(n % 200)
              .append("\",\"message\":\"POST /orders 201 ").append(random.nextInt(900)).append(".").append(
                  random.nextInt(1000)).append(" ms\",\"requestId\":\"").append(request)
              .append("\",\"trace_id\":\"").append(trace).append("\",\"span_id\":\"").append(span)
              .append("\",\"method\":\"POST\",\"path\":\"/orders\",\"status\":201,\"duration_ms\":")
              .append(random.nextInt(900)).append(".5,\"user_agent\":\"okhttp/4.12.0\",\"client_ip\":\"10.0.3.17\","
                  + "\"parent_span_id\":\"").append(String.format(Locale.ROOT, "%016x", random.nextLong()))
              .append("\"}");
        } else {
          b.append("com.acme.orders.OrderService\",\"thread\":\"http-nio-8080-exec-").append(n % 200)
              .append("\",\"message\":\"placing order o-").append(n).append(" for customer c-")
              .append(random.nextInt(100000)).append(": 3 items, total 59.90 EUR\",\"requestId\":\"").append(request)
              .append("\",\"trace_id\":\"").append(trace).append("\",\"span_id\":\"").append(span)
              .append("\",\"orderId\":").append(n).append(",\"items\":3");
          if (kind == 0 || kind == 1) {
            String fingerprint = fingerprints[random.nextInt(fingerprints.length)];
            b.append(",\"error\":{\"type\":\"java.lang.IllegalStateException\",\"message\":\"payment declined\","
                + "\"stack\":\"").append(stack).append("\",\"fingerprint\":\"").append(fingerprint).append("\"}");
          }
          b.append('}');
        }
        b.append('\n');
        byte[] line = b.toString().getBytes(StandardCharsets.UTF_8);
        out.write(line);
        written += line.length;
        n++;
      }
    }
  }

  private static String stack() {
    StringBuilder s = new StringBuilder("java.lang.IllegalStateException: payment declined");
    for (int i = 0; i < 24; i++) {
      s.append("\\n\\tat com.acme.payments.PaymentClient.charge").append(i).append("(PaymentClient.java:")
          .append(80 + i).append(")");
    }
    return s.append("\\n\\t... 42 frames excluded").toString();
  }
}
