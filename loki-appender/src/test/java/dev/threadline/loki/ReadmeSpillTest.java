package dev.threadline.loki;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/**
 * The README's spill block, exactly as written, in child JVMs ({@link ReadmeSpillMain}): one killed with
 * {@code kill -9} during an outage and one started after it with Loki up, which sends every event the first one
 * spilled, once; and one whose disk is full from the start (a file-size limit of zero), which says so and ships
 * from memory.
 */
class ReadmeSpillTest {

  private static final String MARKER = "<!-- ReadmeSpillTest";
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @TempDir
  Path dir;

  static String snippet() throws Exception {
    return ReadmeBlocks.text(MARKER, "xml");
  }

  private Process start(String name, String lokiUrl, String shellPrefix, int count, int first, int perSecond,
      int drainSeconds) throws Exception {
    return start(name, snippet(), lokiUrl, shellPrefix, count, first, perSecond, drainSeconds);
  }

  private Process start(String name, String xml, String lokiUrl, String shellPrefix, int count, int first,
      int perSecond, int drainSeconds) throws Exception {
    Path config = dir.resolve(name + "-logback.xml");
    Files.writeString(config, xml);
    List<String> java = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:-UsePerfData", "-cp", System.getProperty("java.class.path"),
        "-Dlogback.configurationFile=" + config, ReadmeSpillMain.class.getName(), Integer.toString(count),
        Integer.toString(first), Integer.toString(perSecond), Integer.toString(drainSeconds));
    List<String> command = new ArrayList<>();
    if (shellPrefix != null) {
      command.addAll(List.of("bash", "-c", shellPrefix + " exec \"$@\"", "child"));
    }
    command.addAll(java);
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("LOKI_URL", lokiUrl);
    builder.environment().put("LOKI_SPILL", dir.resolve("spill").toString());
    Process process = builder.start();
    // Through pipes, copied here: a child under a file-size limit could not write its output to a file itself.
    copy(process.getInputStream(), dir.resolve(name + ".out"));
    copy(process.getErrorStream(), dir.resolve(name + ".err"));
    return process;
  }

  private static void copy(java.io.InputStream from, Path to) throws Exception {
    java.io.OutputStream file = Files.newOutputStream(to);
    Thread copier = new Thread(() -> {
      try (from; file) {
        from.transferTo(file);
      } catch (java.io.IOException e) {
        // the child is gone
      }
    }, "child-output");
    copier.setDaemon(true);
    copier.start();
  }

  private String out(String name) throws Exception {
    return Files.readString(dir.resolve(name + ".out"), StandardCharsets.UTF_8);
  }

  /** The output of a child that has ended, once its last line is copied. */
  private String finalOut(String name) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!out(name).contains("FINAL ") && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    return out(name);
  }

  private String err(String name) throws Exception {
    return Files.readString(dir.resolve(name + ".err"), StandardCharsets.UTF_8);
  }

  /** The last {@code STATS} figure {@code name} the child printed; -1 before the first. */
  private long lastReported(String run, String name) throws Exception {
    Matcher m = Pattern.compile("STATS .*\\b" + name + "=(\\d+)").matcher(out(run));
    long last = -1;
    while (m.find()) {
      last = Long.parseLong(m.group(1));
    }
    return last;
  }

  /** A figure of the child's {@code FINAL} counters. */
  private static String figure(String out, String name) {
    Matcher m = Pattern.compile("FINAL LokiStats\\[.*?\\b" + name + "=([^,\\]]*)").matcher(out);
    assertThat(m.find()).as(name + " in " + out).isTrue();
    return m.group(1);
  }

  private static long number(String out, String name) {
    return Long.parseLong(figure(out, name));
  }

  private static int closedPort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Test
  void killedDuringAnOutage_thenStartedWithLokiUp_sendsEverySpilledEventOnce() throws Exception {
    Process first = start("first", "http://127.0.0.1:" + closedPort(), null, 1_000_000, 0, 2000, 0);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (lastReported("first", "spilled") < 4000 && System.nanoTime() < deadline && first.isAlive()) {
      Thread.sleep(50);
    }
    long spilledBefore = lastReported("first", "spilled");
    long appendedBefore = lastReported("first", "appended");
    assertThat(spilledBefore).as(out("first") + err("first")).isGreaterThanOrEqualTo(4000);
    first.destroyForcibly(); // SIGKILL: no shutdown hook, no flush
    assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(first.exitValue()).isEqualTo(137);
    assertThat(err("first")).contains("cannot reach Loki");

    try (LokiReceiver loki = LokiReceiver.start()) {
      Process second = start("second", loki.url(), null, 100, 1_000_000, 1000, 60);
      assertThat(second.waitFor(120, TimeUnit.SECONDS)).as("the second run ends").isTrue();
      String out = finalOut("second");
      long recovered = number(out, "recovered");
      assertThat(recovered).as(out).isGreaterThanOrEqualTo(spilledBefore);
      assertThat(number(out, "sent")).isEqualTo(recovered + 100);
      assertThat(number(out, "droppedRejected") + number(out, "droppedQueueFull") + number(out, "droppedAtShutdown"))
          .isZero();
      assertThat(number(out, "spillPending")).isZero();
      assertThat(err("second")).contains(recovered + " events").contains("previous run");

      List<Integer> stored = new ArrayList<>();
      for (LokiReceiver.Entry e : loki.entries()) {
        String message = JSON.readTree(e.line()).get("message").asString();
        stored.add(Integer.parseInt(message.substring("event ".length())));
      }
      assertThat(stored).doesNotHaveDuplicates().hasSize((int) recovered + 100);
      // What the killed run spilled is its oldest events, each once: 0 .. recovered-1.
      assertThat(stored.stream().filter(n -> n < 1_000_000).sorted().toList())
          .isEqualTo(IntStream.range(0, (int) recovered).boxed().toList());
      System.out.printf("kill -9 during an outage: %d appended when last reported, %d recovered%n", appendedBefore,
          recovered);
    }
  }

  @Test
  void aFullDiskAtStart_saysSoOnStderr_andShipsFromMemory() throws Exception {
    try (LokiReceiver loki = LokiReceiver.start()) {
      // A file-size limit of zero: any write to a file fails, as on a full disk.
      Process run = start("full", loki.url(), "ulimit -f 0;", 50, 0, 1000, 30);
      assertThat(run.waitFor(120, TimeUnit.SECONDS)).isTrue();
      String out = finalOut("full");
      assertThat(figure(out, "spillStatus")).as(out + err("full")).isEqualTo("memory-only");
      assertThat(figure(out, "spillError")).contains(dir.resolve("spill").toString());
      assertThat(err("full")).contains("the spill directory cannot be used").contains("running memory-only");
      assertThat(number(out, "sent")).isEqualTo(50);
      assertThat(loki.entries()).hasSize(50);
    }
  }

  @Test
  void aDiskThatFillsDuringAnOutage_isReported_andEventsWaitInMemoryThenDropCounted() throws Exception {
    // Not the README's block: a 1 MiB memory budget, so that memory fills soon after the disk does.
    String xml = snippet().replace("<spillMaxBytes>1 GB</spillMaxBytes>",
        "<spillMaxBytes>1 GB</spillMaxBytes>\n    <maxQueueBytes>1048576</maxQueueBytes>");
    assertThat(xml).contains("<maxQueueBytes>");
    // A file-size limit of 1 MiB: the first segment fills it (100,000 short lines spill to about 1.8 MB), as a full
    // disk would.
    Process run = start("filling", xml, "http://127.0.0.1:" + closedPort(), "ulimit -f 1024;", 100_000, 0,
        20_000, 0);
    assertThat(run.waitFor(120, TimeUnit.SECONDS)).isTrue();
    String out = finalOut("filling");
    String err = err("filling");
    assertThat(figure(out, "spillStatus")).as(out + err).isEqualTo("on");
    assertThat(figure(out, "spillError")).contains("cannot write to the spill directory")
        .contains(dir.resolve("spill").toString());
    assertThat(err).contains("cannot write to the spill").contains("events wait in memory");
    long appended = number(out, "appended");
    long spilled = number(out, "spilled");
    long droppedQueueFull = number(out, "droppedQueueFull");
    long droppedAtShutdown = number(out, "droppedAtShutdown");
    long spillPending = number(out, "spillPending");
    assertThat(appended).isEqualTo(100_000);
    assertThat(spilled).isPositive().isEqualTo(spillPending);
    assertThat(droppedQueueFull).isPositive();
    // The whole account: nothing sent (Loki was down), every event on disk or dropped by a named cause.
    assertThat(number(out, "sent")).isZero();
    assertThat(spillPending + droppedQueueFull + droppedAtShutdown).isEqualTo(appended);
    System.out.printf("disk full during an outage: %d spilled, %d dropped (queue full), %d at shutdown%n", spilled,
        droppedQueueFull, droppedAtShutdown);
  }
}
