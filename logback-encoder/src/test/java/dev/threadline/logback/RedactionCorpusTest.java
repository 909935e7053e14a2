package dev.threadline.logback;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.junit.jupiter.api.Test;

/**
 * The default redaction measured on a corpus kept in the repository (src/test/resources/redaction): made-up secrets
 * of the shapes real ones have, each inside a line of text, and harmless look-alikes (ids, versions, English words
 * that start like a secret's name, certificates, zero-padded numbers). The catch rate and the false-positive rate
 * printed here are the figures in the module's documentation.
 */
class RedactionCorpusTest {

  record Secret(String category, String text, String secret) { }

  record LookAlike(String category, String text) { }

  static final List<Secret> SECRETS = new ArrayList<>();
  static final List<LookAlike> LOOK_ALIKES = new ArrayList<>();

  static {
    for (String[] row : read("redaction/secrets.tsv")) {
      SECRETS.add(new Secret(row[0], row[1], row[2]));
    }
    for (String[] row : read("redaction/lookalikes.tsv")) {
      LOOK_ALIKES.add(new LookAlike(row[0], row[1]));
    }
  }

  private static List<String[]> read(String resource) {
    try (InputStream in = RedactionCorpusTest.class.getClassLoader().getResourceAsStream(resource)) {
      List<String[]> rows = new ArrayList<>();
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (!line.isBlank() && !line.startsWith("#")) {
          String[] cells = line.split("\t");
          for (int i = 0; i < cells.length; i++) {
            cells[i] = cells[i].replace("\\n", "\n");
          }
          rows.add(cells);
        }
      }
      return rows;
    } catch (IOException | NullPointerException e) {
      throw new AssertionError("cannot read " + resource, e);
    }
  }

  @Test
  void theDefaultsCatchEverySecretOfTheCorpus_andLeaveEveryLookAlikeAlone() {
    Redactor redactor = Redactor.defaults();
    Map<String, int[]> caught = new TreeMap<>();
    List<String> missed = new ArrayList<>();
    for (Secret s : SECRETS) {
      String out = redactor.redact(s.text());
      boolean ok = !out.contains(s.secret()) && out.contains(Redactor.REDACTED);
      int[] counts = caught.computeIfAbsent(s.category(), k -> new int[2]);
      counts[0] += ok ? 1 : 0;
      counts[1]++;
      if (!ok) {
        missed.add(s.category() + ": " + out);
      }
    }
    Map<String, int[]> kept = new TreeMap<>();
    List<String> falsePositives = new ArrayList<>();
    for (LookAlike l : LOOK_ALIKES) {
      String out = redactor.redact(l.text());
      boolean ok = out.equals(l.text());
      int[] counts = kept.computeIfAbsent(l.category(), k -> new int[2]);
      counts[0] += ok ? 1 : 0;
      counts[1]++;
      if (!ok) {
        falsePositives.add(l.category() + ": " + out);
      }
    }
    int secretsCaught = SECRETS.size() - missed.size();
    System.out.printf("redaction corpus: caught %d of %d secrets (%.1f%%), %d false positives of %d look-alikes "
        + "(%.1f%%)%n", secretsCaught, SECRETS.size(), 100.0 * secretsCaught / SECRETS.size(),
        falsePositives.size(), LOOK_ALIKES.size(), 100.0 * falsePositives.size() / LOOK_ALIKES.size());
    caught.forEach((k, v) -> System.out.printf("  secrets %-12s %d/%d%n", k, v[0], v[1]));
    kept.forEach((k, v) -> System.out.printf("  look-alikes %-12s %d/%d unchanged%n", k, v[0], v[1]));
    assertThat(SECRETS).hasSizeGreaterThanOrEqualTo(40);
    assertThat(LOOK_ALIKES).hasSizeGreaterThanOrEqualTo(40);
    assertThat(missed).as("secrets the defaults let through").isEmpty();
    assertThat(falsePositives).as("look-alikes the defaults changed").isEmpty();
  }

  @Provide
  Arbitrary<Tuple.Tuple3<Secret, LookAlike, LookAlike>> secretsAmongHarmlessLines() {
    return Arbitraries.of(SECRETS).flatMap(secret -> Arbitraries.of(LOOK_ALIKES)
        .flatMap(before -> Arbitraries.of(LOOK_ALIKES).map(after -> Tuple.of(secret, before, after))));
  }

  /** A secret between harmless lines (joined as a multi-line message or exception text would be) is still caught. */
  @Property(tries = 300)
  void aSecretAmongHarmlessLinesIsStillCaught(
      @ForAll("secretsAmongHarmlessLines") Tuple.Tuple3<Secret, LookAlike, LookAlike> t) {
    String text = t.get2().text() + "\n" + t.get1().text() + "\n" + t.get3().text();
    String out = Redactor.defaults().redact(text);
    assertThat(out).doesNotContain(t.get1().secret());
    assertThat(out).startsWith(t.get2().text()).endsWith(t.get3().text());
  }
}
