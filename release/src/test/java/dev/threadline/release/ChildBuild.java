package dev.threadline.release;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * A Maven build in a child process, in a copy of the project, with a local repository of its own.
 *
 * <p>The copy holds the files git would commit (tracked, and untracked but not ignored), so nothing this build
 * left in target/ leaks in. The child's local repository is {@code head}, which starts empty and receives
 * everything the child installs or downloads; the repository of the build running this test is its read-only
 * tail ({@code maven.repo.local.tail}, Maven 3.9), so third-party artifacts need not be downloaded again. What
 * the child resolves of Threadline it must find in the head, because the test checks where it came from.
 */
final class ChildBuild {

  static final Path ROOT = Path.of(System.getProperty("threadline.root", "..")).toAbsolutePath().normalize();
  static final Path TAIL = Path.of(System.getProperty("threadline.localRepository",
      System.getProperty("user.home") + "/.m2/repository"));

  private static final long TIMEOUT_MINUTES = 15;

  private ChildBuild() {}

  /** The project's files as git sees them, copied under {@code into}, each rewritten by {@code edit} (text). */
  static Path copyProject(Path into, UnaryOperator<String> pomEdit) throws IOException {
    List<String> files = trackedFiles();
    for (String file : files) {
      Path source = ROOT.resolve(file);
      if (!Files.isRegularFile(source)) {
        continue; // deleted in the work tree but still in the index
      }
      Path target = into.resolve(file);
      Files.createDirectories(target.getParent());
      if (target.getFileName().toString().equals("pom.xml")) {
        Files.writeString(target, pomEdit.apply(Files.readString(source)));
      } else {
        Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
      }
    }
    return into;
  }

  private static List<String> trackedFiles() throws IOException {
    Result git = run(ROOT, List.of("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"), null);
    if (git.exit() != 0) {
      throw new IllegalStateException("git ls-files failed in " + ROOT + ":\n" + git.output());
    }
    return Stream.of(git.output().split("\0")).filter(f -> !f.isBlank()).toList();
  }

  /**
   * Runs the project's Maven wrapper in {@code dir} with {@code arguments}, the head repository and this
   * build's repository as its tail, on this JVM's Java.
   */
  static Result maven(Path dir, Path head, List<String> arguments) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(dir.resolve("mvnw").toString());
    command.addAll(arguments);
    command.add("-Dmaven.repo.local=" + head);
    command.add("-Dmaven.repo.local.tail=" + TAIL);
    return run(dir, command, null);
  }

  static Result run(Path dir, List<String> command, java.util.Map<String, String> environment) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
    builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
    builder.environment().remove("MAVEN_OPTS");
    if (environment != null) {
      builder.environment().putAll(environment);
    }
    Path log = Files.createTempFile("child-build", ".log");
    builder.redirectOutput(log.toFile());
    Process process = builder.start();
    try {
      process.getOutputStream().close();
      if (!process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new AssertionError(String.join(" ", command) + " did not finish in " + TIMEOUT_MINUTES + " min:\n"
            + tail(Files.readString(log, StandardCharsets.UTF_8)));
      }
      return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8), command);
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    } finally {
      Files.deleteIfExists(log);
    }
  }

  private static String tail(String output) {
    return output.length() <= 20_000 ? output : "…" + output.substring(output.length() - 20_000);
  }

  record Result(int exit, String output, List<String> command) {

    Result requireSuccess() {
      if (exit != 0) {
        throw new AssertionError(String.join(" ", command) + " failed (exit " + exit + "):\n" + tail(output));
      }
      return this;
    }
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.delete(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
