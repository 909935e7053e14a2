package dev.threadline.samples.demo;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One service in its own JVM, as it would run in production: its stdout (the JSON lines) goes to
 * {@code <name>.log}, its stderr to {@code <name>.stderr}, both written by the operating system, not through us.
 */
final class ChildJvm {

  private final String name;
  private final Process process;
  private final Path stdout;
  private final Path stderr;

  private ChildJvm(String name, Process process, Path stdout, Path stderr) {
    this.name = name;
    this.process = process;
    this.stdout = stdout;
    this.stderr = stderr;
  }

  /**
   * Starts {@code mainClass} on {@code classpath} with the given JVM arguments; {@code env} adds to the inherited
   * environment, and a null value removes that variable.
   */
  static ChildJvm start(String name, String mainClass, String classpath, List<String> jvmArgs,
      Map<String, String> env, Path dir) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // Start-up speed over peak speed: the demo's services live for seconds.
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-XX:+UseSerialGC");
    command.add("-Xss512k");
    command.addAll(jvmArgs);
    command.add("-cp");
    command.add(classpath);
    command.add(mainClass);
    Path out = dir.resolve(name + ".log");
    Path err = dir.resolve(name + ".stderr");
    ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
    env.forEach((key, value) -> {
      if (value == null) {
        builder.environment().remove(key);
      } else {
        builder.environment().put(key, value);
      }
    });
    return new ChildJvm(name, builder.start(), out, err);
  }

  String name() {
    return name;
  }

  Path stdout() {
    return stdout;
  }

  Path stderr() {
    return stderr;
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /**
   * Asks the JVM to stop (SIGTERM, so shutdown hooks run: Spring's graceful shutdown, the worker's hook, Logback's
   * flush to Loki) and waits for it; kills it if it does not stop in time. Returns whether it stopped by itself.
   */
  boolean stop(Duration timeout) throws InterruptedException {
    process.destroy();
    if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      return true;
    }
    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    return false;
  }
}
