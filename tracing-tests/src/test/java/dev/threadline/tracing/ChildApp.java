package dev.threadline.tracing;

import dev.threadline.tracing.app.MatrixApp;
import dev.threadline.tracing.app.PlainApp;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The set-up's application ({@link MatrixApp}, or {@link PlainApp} for the plain servlet set-ups) in a JVM of its
 * own, with the same {@code java} as this test. Collects stdout and stderr, waits for the ready marker, sends
 * requests, and returns the lines each request wrote. Close it to end the JVM.
 */
final class ChildApp implements AutoCloseable {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
  private static final Duration LINES_TIMEOUT = Duration.ofSeconds(15);

  private final String name;
  private final List<String> classPath;
  private final Process process;
  private final List<String> stdout = new ArrayList<>();
  private final StringBuffer stderr = new StringBuffer();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private int port;

  private ChildApp(String name, List<String> classPath, Process process) {
    this.name = name;
    this.classPath = classPath;
    this.process = process;
    drain(process.getInputStream(), line -> {
      synchronized (stdout) {
        stdout.add(line);
        stdout.notifyAll();
      }
    });
    drain(process.getErrorStream(), line -> stderr.append(line).append('\n'));
  }

  /**
   * Starts the set-up's application and waits until its server listens; fails with the child's output (also saved to
   * {@code logs}) if it does not.
   */
  static ChildApp start(Setup setup, boolean bridgeOff, Path logs) throws IOException, InterruptedException {
    String name = setup.label() + (bridgeOff ? "-bridge-off" : "");
    List<String> classPath = setup.classPath(bridgeOff);
    List<String> command = new ArrayList<>();
    command.add(javaBinary());
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-Xmx384m");
    command.addAll(setup.jvmOptions());
    if (bridgeOff) {
      // Also the switch a user has: every tracer bridge off (the Brave bridge lives in the auto-configuration jar).
      command.add("-Dthreadline.bridges=off");
    }
    if (setup.plain()) {
      command.add("-Dlogback.configurationFile=" + PlainApp.LOGBACK_XML);
      command.add("-Dmatrix.service=matrix-" + setup.label());
    }
    command.add("-cp");
    command.add(String.join(java.io.File.pathSeparator, classPath));
    command.add(setup.mainClass());
    if (!setup.plain()) {
      command.add("--server.port=0");
      command.add("--spring.main.banner-mode=off");
      command.add("--spring.application.name=matrix-" + setup.label());
    }
    command.addAll(setup.arguments());
    if (bridgeOff) {
      command.addAll(setup.bridgeOffArguments());
    }
    ProcessBuilder builder = new ProcessBuilder(command);
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(key -> key.startsWith("OTEL_") || key.startsWith("THREADLINE_")
        || key.startsWith("JAVA_TOOL"));
    env.putAll(setup.environment());
    ChildApp child = new ChildApp(name, classPath, builder.start());
    try {
      child.awaitReady();
    } catch (RuntimeException | Error | InterruptedException e) {
      child.close();
      child.saveOutput(logs);
      throw e;
    }
    return child;
  }

  private static String javaBinary() {
    return ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }

  private void awaitReady() throws InterruptedException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    synchronized (stdout) {
      while (true) {
        for (String line : stdout) {
          if (line.startsWith(MatrixApp.READY)) {
            port = Integer.parseInt(line.substring(MatrixApp.READY.length()).trim());
            return;
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0 || !process.isAlive()) {
          throw new AssertionError(name + ": the application did not start within " + START_TIMEOUT
              + (process.isAlive() ? "" : " (it exited with " + process.exitValue() + ")") + "\n" + output());
        }
        stdout.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(Math.min(left, 500_000_000L))));
      }
    }
  }

  /**
   * Sends {@code GET /a} with {@code headers} and returns the stdout lines written from the request until both
   * access lines (of {@code /a} and of the {@code /b} it calls) are there.
   */
  List<String> getA(Map<String, String> headers) throws IOException, InterruptedException {
    int from;
    synchronized (stdout) {
      from = stdout.size();
    }
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/a"))
        .timeout(Duration.ofSeconds(30));
    headers.forEach(request::header);
    HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new AssertionError(name + ": GET /a answered " + response.statusCode() + ": " + response.body() + "\n"
          + output());
    }
    long deadline = System.nanoTime() + LINES_TIMEOUT.toNanos();
    synchronized (stdout) {
      while (true) {
        List<String> lines = new ArrayList<>(stdout.subList(from, stdout.size()));
        if (hasAccessLine(lines, "/a") && hasAccessLine(lines, "/b")) {
          // A moment for lines written just after the access lines (there should be none).
          stdout.wait(100);
          return new ArrayList<>(stdout.subList(from, stdout.size()));
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError(name + ": no access lines for /a and /b within " + LINES_TIMEOUT + "\n" + output());
        }
        stdout.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(Math.min(left, 200_000_000L))));
      }
    }
  }

  /** The port the child's server listens on. */
  int port() {
    return port;
  }

  /** How many stdout lines the child has written so far: where the lines of what is sent next begin. */
  int mark() {
    synchronized (stdout) {
      return stdout.size();
    }
  }

  /** The stdout lines from {@code from} on, once {@code complete} holds for them; fails after a timeout. */
  List<String> awaitLines(int from, java.util.function.Predicate<List<String>> complete) throws InterruptedException {
    long deadline = System.nanoTime() + LINES_TIMEOUT.toNanos();
    synchronized (stdout) {
      while (true) {
        List<String> lines = new ArrayList<>(stdout.subList(from, stdout.size()));
        if (complete.test(lines)) {
          return lines;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError(name + ": the lines were not all there within " + LINES_TIMEOUT + "\n" + output());
        }
        stdout.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(Math.min(left, 200_000_000L))));
      }
    }
  }

  /** What the child wrote to stderr so far. */
  String stderr() {
    return stderr.toString();
  }

  /** GET of a path, its body; for diagnostics ({@code /exported}). */
  String get(String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  private static boolean hasAccessLine(List<String> lines, String path) {
    String logger = "\"logger\":\"dev.threadline.access\"";
    String pathField = "\"path\":\"" + path + "\"";
    return lines.stream().anyMatch(line -> line.contains(logger) && line.contains(pathField));
  }

  /** The class path the child ran with, one entry a line, for a failure message. */
  String classPathListing() {
    StringBuilder s = new StringBuilder(name).append(" class path (").append(classPath.size()).append(" entries):\n");
    classPath.forEach(entry -> s.append("  ").append(Setup.Jars.nameOf(entry)).append('\n'));
    return s.toString();
  }

  /** Everything the child printed so far. */
  String output() {
    synchronized (stdout) {
      return "---- " + name + " stdout\n" + String.join("\n", stdout) + "\n---- " + name + " stderr\n" + stderr;
    }
  }

  /** Writes everything the child printed to {@code dir/<name>.log}, for reading after the run. */
  void saveOutput(Path dir) {
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve(name + ".log"), output() + "\n" + classPathListing(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      // Diagnostics only.
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private static void drain(InputStream in, java.util.function.Consumer<String> sink) {
    Thread reader = new Thread(() -> {
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        String line;
        while ((line = lines.readLine()) != null) {
          sink.accept(line);
        }
      } catch (IOException e) {
        // The process ended.
      }
    }, "child-output");
    reader.setDaemon(true);
    reader.start();
  }
}
