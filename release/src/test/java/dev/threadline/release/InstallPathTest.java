package dev.threadline.release;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's install path, as a new user follows it: its install command, run in a copy of the project with
 * an empty local repository, installs exactly the published modules; then a Spring Boot application whose pom
 * holds the README's BOM block builds against them from that repository, starts, and writes Threadline's JSON.
 */
class InstallPathTest {

  static final List<String> PUBLISHED = List.of("threadline-parent", "threadline-bom", "threadline-core",
      "threadline-logback-encoder", "threadline-web-filters", "threadline-otel-bridge", "threadline-loki-appender",
      "threadline-spring-boot-autoconfigure", "threadline-spring-boot-autoconfigure-boot3",
      "threadline-spring-boot-starter");

  private static final Pattern INSTALL_BLOCK =
      Pattern.compile("<!-- InstallPathTest[^>]*-->\\s*```bash\\n(.*?)\\n```", Pattern.DOTALL);
  private static final Pattern BOM_BLOCK =
      Pattern.compile("```xml\\n(<dependencyManagement>.*?threadline-bom.*?</dependencyManagement>)\\n```", Pattern.DOTALL);

  @Test
  void theReadmesInstallCommand_installsThePublishedModules_andAnApplicationBuildsAndRunsOnThem(
      @TempDir Path dir) throws Exception {
    String readme = Files.readString(ChildBuild.ROOT.resolve("README.md"));
    Matcher install = INSTALL_BLOCK.matcher(readme);
    assertThat(install.find()).as("the README's install block, marked for this test").isTrue();
    List<String> command = List.of(install.group(1).strip().split("\\s+"));
    assertThat(command.get(0)).isEqualTo("./mvnw");

    Path project = ChildBuild.copyProject(dir.resolve("project"), pom -> pom);
    Path head = dir.resolve("repository");
    long start = System.nanoTime();
    ChildBuild.maven(project, head, command.subList(1, command.size())).requireSuccess();
    System.out.printf("InstallPathTest: the README's install command took %.0f s%n", (System.nanoTime() - start) / 1e9);

    Path threadline = head.resolve("dev/threadline");
    List<String> installed;
    try (Stream<Path> artifacts = Files.list(threadline)) {
      installed = artifacts.map(p -> p.getFileName().toString()).sorted().toList();
    }
    assertThat(installed).containsExactlyInAnyOrderElementsOf(PUBLISHED);
    for (String artifact : PUBLISHED) {
      Path version = threadline.resolve(artifact).resolve("0.1.0-SNAPSHOT");
      assertThat(version.resolve(artifact + "-0.1.0-SNAPSHOT.pom")).as(artifact).isRegularFile();
      if (!artifact.equals("threadline-parent") && !artifact.equals("threadline-bom")) {
        assertThat(version.resolve(artifact + "-0.1.0-SNAPSHOT.jar")).as(artifact).isRegularFile();
      }
    }

    // The application: the README's BOM block verbatim in its pom, the starter without a version.
    Path consumer = dir.resolve("consumer");
    copyTree(Path.of(getClass().getResource("/consumer").toURI()), consumer);
    Matcher bom = BOM_BLOCK.matcher(readme);
    assertThat(bom.find()).as("the README's BOM block").isTrue();
    String bomDependency = bom.group(1).substring(bom.group(1).indexOf("<dependency>"),
        bom.group(1).indexOf("</dependency>") + "</dependency>".length());
    assertThat(Files.readString(consumer.resolve("pom.xml")).replaceAll("\\s+", " "))
        .contains(bomDependency.replaceAll("\\s+", " "));
    Files.copy(project.resolve("mvnw"), consumer.resolve("mvnw"), java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
    Files.createDirectories(consumer.resolve(".mvn/wrapper"));
    Files.copy(project.resolve(".mvn/wrapper/maven-wrapper.properties"),
        consumer.resolve(".mvn/wrapper/maven-wrapper.properties"));

    ChildBuild.Result run = ChildBuild.maven(consumer, head, List.of("-B", "-q", "package", "exec:exec"))
        .requireSuccess();

    ObjectMapper json = new ObjectMapper();
    List<JsonNode> lines = new ArrayList<>();
    List<String> jars = new ArrayList<>();
    for (String line : run.output().split("\n")) {
      if (line.startsWith("{")) {
        lines.add(json.readTree(line));
      } else if (line.startsWith("THREADLINE-JAR ")) {
        jars.add(line.substring("THREADLINE-JAR ".length()).strip());
      }
    }
    JsonNode handled = lines.stream().filter(l -> l.path("message").asText().equals("consumer handled a request"))
        .findFirst().orElseThrow(() -> new AssertionError("no JSON line of the application in:\n" + run.output()));
    assertThat(handled.path("service").asText()).isEqualTo("consumer");
    assertThat(handled.path("level").asText()).isEqualTo("info");
    assertThat(handled.path("requestId").asText()).isNotBlank();
    assertThat(handled.path("trace_id").asText()).matches("[0-9a-f]{32}");
    // Spring Boot's own start-up line is Threadline JSON too.
    assertThat(lines).anyMatch(l -> l.path("message").asText().startsWith("Starting App using Java"));
    // Every Threadline jar on the application's classpath came from the repository the install filled.
    assertThat(jars).hasSizeGreaterThanOrEqualTo(7)
        .allSatisfy(jar -> assertThat(Path.of(jar).toAbsolutePath().normalize()).startsWith(head));
  }

  private static void copyTree(Path from, Path to) throws java.io.IOException {
    try (Stream<Path> all = Files.walk(from)) {
      for (Path source : all.toList()) {
        Path target = to.resolve(from.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(target);
        } else {
          Files.copy(source, target);
        }
      }
    }
  }
}
