package dev.threadline.loki;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A configuration block of the README, taken from the README itself, so the tests run exactly what users copy: the
 * fenced block right after the line that starts with a test's marker comment.
 */
final class ReadmeBlocks {

  private ReadmeBlocks() {
  }

  /**
   * The lines of the {@code language} block that follows the README line starting with {@code marker}, read from
   * {@code ../README.md} (a module's directory is the tests' working directory).
   */
  static List<String> block(String marker, String language) throws IOException {
    List<String> readme = Files.readAllLines(Path.of("..", "README.md"));
    int at = -1;
    for (int i = 0; i < readme.size(); i++) {
      if (readme.get(i).startsWith(marker)) {
        at = i;
      }
    }
    assertThat(at).as("the README has a line starting with " + marker).isNotNegative();
    assertThat(readme.get(at + 1)).isEqualTo("```" + language);
    int end = readme.subList(at + 2, readme.size()).indexOf("```") + at + 2;
    return List.copyOf(readme.subList(at + 2, end));
  }

  /** {@link #block} as one text. */
  static String text(String marker, String language) throws IOException {
    return String.join("\n", block(marker, language));
  }
}
