package dev.threadline.release;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.module.Configuration;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.jar.JarInputStream;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * The release profile, run as a release would run it (release/README.md), on a copy of the project set to version
 * 0.1.0, twice. The bundle holds, for each published module and nothing else, what Maven Central's Publisher
 * Portal requires (central.sonatype.org/publish/requirements): the POM with name, description, URL, licence,
 * developers and SCM; the jar, a sources jar and a Javadoc jar; an .md5 and a .sha1 of every file, and an .asc
 * signature of every file when a key is named (here a throwaway key, when gpg is installed). Each jar names its
 * JPMS module, and the jars form a module layer (no two share a package). The second build is byte-identical.
 * Nothing is uploaded.
 */
class ReleaseBundleTest {

  static final String VERSION = "0.1.0";

  static final Map<String, String> MODULE_NAMES = Map.of(
      "threadline-core", "dev.threadline.core",
      "threadline-logback-encoder", "dev.threadline.logback",
      "threadline-web-filters", "dev.threadline.web",
      "threadline-otel-bridge", "dev.threadline.otel",
      "threadline-loki-appender", "dev.threadline.loki",
      "threadline-spring-boot-autoconfigure", "dev.threadline.spring.autoconfigure",
      "threadline-spring-boot-autoconfigure-boot3", "dev.threadline.spring.autoconfigure.boot3",
      "threadline-spring-boot-starter", "dev.threadline.spring.boot.starter");

  static final List<String> POM_ONLY = List.of("threadline-parent", "threadline-bom");

  @Test
  void theReleaseProfile_buildsTheBundleThePortalTakes_reproducibly(@TempDir Path dir) throws Exception {
    Path head = dir.resolve("repository");
    Gpg gpg = Gpg.throwawayKey(dir.resolve("gnupg"));
    Map<String, byte[]> first = bundle(dir.resolve("first"), head, gpg);
    Map<String, byte[]> second = bundle(dir.resolve("second"), head, null);

    Set<String> artifacts = first.keySet().stream().map(ReleaseBundleTest::artifactOf).collect(Collectors.toSet());
    assertThat(artifacts).containsExactlyInAnyOrderElementsOf(
        java.util.stream.Stream.concat(MODULE_NAMES.keySet().stream(), POM_ONLY.stream()).toList());

    List<Path> jars = new ArrayList<>();
    Map<String, Document> poms = new TreeMap<>();
    for (String artifact : artifacts) {
      String base = "dev/threadline/" + artifact + "/" + VERSION + "/" + artifact + "-" + VERSION;
      List<String> files = new ArrayList<>(List.of(base + ".pom"));
      if (!POM_ONLY.contains(artifact)) {
        files.addAll(List.of(base + ".jar", base + "-sources.jar", base + "-javadoc.jar"));
      }
      for (String file : files) {
        assertThat(first).as("the bundle").containsKey(file);
        byte[] content = first.get(file);
        assertThat(new String(first.get(file + ".md5")).strip()).as(file + ".md5").isEqualTo(digest("MD5", content));
        assertThat(new String(first.get(file + ".sha1")).strip()).as(file + ".sha1").isEqualTo(digest("SHA-1", content));
        if (gpg != null) {
          assertThat(first).as("signed").containsKey(file + ".asc");
          gpg.verify(first.get(file + ".asc"), content, dir.resolve("verify"));
        }
      }
      poms.put(artifact, xml(first.get(base + ".pom")));
      if (!POM_ONLY.contains(artifact)) {
        Path jar = dir.resolve("jars").resolve(artifact + ".jar");
        Files.createDirectories(jar.getParent());
        Files.write(jar, first.get(base + ".jar"));
        jars.add(jar);
        try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(first.get(base + ".jar")))) {
          assertThat(in.getManifest().getMainAttributes().getValue("Automatic-Module-Name")).as(artifact)
              .isEqualTo(MODULE_NAMES.get(artifact));
        }
        List<String> sources = entries(first.get(base + "-sources.jar"));
        List<String> javadoc = entries(first.get(base + "-javadoc.jar"));
        if (artifact.equals("threadline-spring-boot-starter")) {
          assertThat(sources).anyMatch(e -> e.endsWith("README.txt"));
          assertThat(javadoc).anyMatch(e -> e.endsWith("README.txt"));
        } else {
          assertThat(sources).as(artifact + " sources").anyMatch(e -> e.endsWith(".java"));
          assertThat(javadoc).as(artifact + " javadoc").contains("index.html")
              .noneMatch(e -> e.contains("/internal/"));
        }
      }
    }

    // Central's POM requirements; a module may inherit licence, developers and SCM from threadline-parent.
    Document parent = poms.get("threadline-parent");
    poms.forEach((artifact, pom) -> {
      assertThat(text(pom, "name")).as(artifact + " name").isNotBlank();
      assertThat(text(pom, "description")).as(artifact + " description").isNotBlank();
      boolean inherits = !artifact.equals("threadline-parent") && !artifact.equals("threadline-bom");
      Document metadata = inherits && text(pom, "url").isBlank() ? parent : pom;
      assertThat(text(metadata, "url")).as(artifact + " url").startsWith("https://");
      assertThat(text(inherits ? parent : pom, "licenses")).as(artifact + " licence").contains("Apache-2.0");
      assertThat(text(inherits ? parent : pom, "developers")).as(artifact + " developers").isNotBlank();
      assertThat(text(inherits ? parent : pom, "scm")).as(artifact + " scm").contains("scm:git:");
    });
    // The BOM manages Threadline's modules and nothing else, so importing it pins no third-party version.
    assertThat(text(poms.get("threadline-bom"), "dependencyManagement"))
        .doesNotContain("org.springframework", "io.opentelemetry", "ch.qos.logback");

    // One module layer: names resolve, and no package is in two jars.
    ModuleFinder finder = ModuleFinder.of(jars.toArray(Path[]::new));
    Configuration layer = Configuration.resolve(finder, List.of(ModuleLayer.boot().configuration()),
        ModuleFinder.of(), MODULE_NAMES.values());
    assertThat(layer.modules()).hasSize(MODULE_NAMES.size());
    Map<String, String> packageOwner = new TreeMap<>();
    for (ModuleReference module : finder.findAll()) {
      for (String pkg : module.descriptor().packages()) {
        String previous = packageOwner.put(pkg, module.descriptor().name());
        assertThat(previous).as("package " + pkg + " in two modules").isNull();
      }
    }

    // Reproducible: everything but the signatures is byte-for-byte the same in a second build.
    Set<String> unsigned = first.keySet().stream().filter(n -> !n.endsWith(".asc")).collect(Collectors.toSet());
    assertThat(second.keySet()).containsExactlyInAnyOrderElementsOf(unsigned);
    for (String name : unsigned) {
      assertThat(second.get(name)).as(name + " in the second build").isEqualTo(first.get(name));
    }
  }

  /** Copies the project at version 0.1.0, runs the release command, and reads the bundle's files. */
  private static Map<String, byte[]> bundle(Path dir, Path head, Gpg gpg) throws Exception {
    Path project = ChildBuild.copyProject(dir, pom -> pom.replace("0.1.0-SNAPSHOT", VERSION));
    List<String> arguments = new ArrayList<>(List.of(
        "-B", "-q", "-Prelease", "-DskipTests", "deploy", "-pl", "bom,spring-boot-starter,release", "-am"));
    Map<String, String> environment = Map.of();
    if (gpg != null) {
      arguments.add("-Dgpg.keyname=" + gpg.fingerprint());
      environment = Map.of("GNUPGHOME", gpg.home().toString());
    }
    List<String> command = new ArrayList<>();
    command.add(project.resolve("mvnw").toString());
    command.addAll(arguments);
    command.add("-Dmaven.repo.local=" + head);
    command.add("-Dmaven.repo.local.tail=" + ChildBuild.TAIL);
    ChildBuild.run(project, command, environment).requireSuccess();

    Map<String, byte[]> files = new TreeMap<>();
    try (ZipFile zip = new ZipFile(project.resolve("release/target/central-bundle.zip").toFile())) {
      for (ZipEntry entry : java.util.Collections.list(zip.entries())) {
        if (!entry.isDirectory()) {
          files.put(entry.getName(), zip.getInputStream(entry).readAllBytes());
        }
      }
    }
    assertThat(files).isNotEmpty();
    return files;
  }

  private static String artifactOf(String path) {
    return path.split("/")[2];
  }

  private static List<String> entries(byte[] jar) throws IOException {
    List<String> names = new ArrayList<>();
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(jar))) {
      for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        names.add(e.getName());
      }
    }
    return names;
  }

  private static String digest(String algorithm, byte[] content) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(content));
  }

  private static Document xml(byte[] pom) throws Exception {
    return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new ByteArrayInputStream(pom));
  }

  /** The text of the project's own child element (not of a parent or a dependency), or "". */
  private static String text(Document pom, String name) {
    for (org.w3c.dom.Node n = pom.getDocumentElement().getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(name)) {
        return e.getTextContent().strip();
      }
    }
    return "";
  }
}
