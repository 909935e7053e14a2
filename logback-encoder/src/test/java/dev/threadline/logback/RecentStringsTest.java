package dev.threadline.logback;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RecentStringsTest {

  private static byte[] json(String s) {
    return ("\"" + s + "\"").getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aValueIsCachedOnItsSecondSighting_andFoundByContent_whateverTheInstance() {
    RecentStrings recent = new RecentStrings();
    String first = new String("acme-eu");
    int slot = RecentStrings.slot(first);

    assertThat(recent.get(slot, first)).isNull();
    assertThat(recent.seenBefore(slot, first)).isFalse();
    String second = new String("acme-eu"); // a new request's instance of the same value
    assertThat(RecentStrings.slot(second)).isEqualTo(slot);
    assertThat(recent.seenBefore(slot, second)).isTrue();
    recent.put(slot, second, json("acme-eu"));

    assertThat(recent.get(slot, new String("acme-eu"))).isEqualTo(json("acme-eu"));
    assertThat(recent.get(slot, first)).isEqualTo(json("acme-eu"));
  }

  @Test
  void anotherValueInTheSameSlot_isAMiss_andDisplacesTheMark() {
    RecentStrings recent = new RecentStrings();
    // "Aa" and "BB" have the same String hash code, so the same slot: the contents must decide.
    String aa = "Aa";
    String bb = "BB";
    assertThat(aa.hashCode()).isEqualTo(bb.hashCode());
    int slot = RecentStrings.slot(aa);
    assertThat(RecentStrings.slot(bb)).isEqualTo(slot);

    recent.seenBefore(slot, aa);
    recent.seenBefore(slot, aa);
    recent.put(slot, aa, json("Aa"));
    assertThat(recent.get(slot, bb)).isNull();
    assertThat(recent.seenBefore(slot, bb)).isFalse();
    assertThat(recent.seenBefore(slot, new String("Aa"))).isFalse(); // "BB" took the mark
    assertThat(recent.get(slot, new String("Aa"))).isEqualTo(json("Aa"));
  }

  @Test
  void valuesLongerThanTheLimit_areNeverHeld() {
    RecentStrings recent = new RecentStrings();
    String longValue = "x".repeat(RecentStrings.MAX_CHARS + 1);
    int slot = RecentStrings.slot(longValue);
    assertThat(recent.seenBefore(slot, longValue)).isFalse();
    assertThat(recent.seenBefore(slot, longValue)).isFalse();
    recent.put(slot, longValue, json(longValue));
    assertThat(recent.get(slot, longValue)).isNull();
  }
}
