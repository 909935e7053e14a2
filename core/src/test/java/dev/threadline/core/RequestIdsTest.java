package dev.threadline.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestIdsTest {

  @ParameterizedTest
  @ValueSource(strings = {
      "a",
      "0f8fad5b-d9cb-469f-a165-70867728950e",
      "01ARZ3NDEKTSV4RRFFQ69G5FAV",
      "Root=1-5759e988-bd862e3fe1be46a994272793",
      "abc+def/ghi==",
      "req_123.456:789",
  })
  void isValid_acceptsCommonIdFormats(String id) {
    assertThat(RequestIds.isValid(id)).isTrue();
    assertThat(RequestIds.sanitize(id)).isEqualTo(id);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "",
      "has space",
      "quote\"",
      "back\\slash",
      "new\nline",
      "tab\tinside",
      "\u00e9t\u00e9",
      "semi;colon",
      "comma,separated",
      "{\"json\":1}",
      "%2F",
  })
  void isValid_refusesAnythingOutsideTheRule(String id) {
    assertThat(RequestIds.isValid(id)).isFalse();
    assertThat(RequestIds.sanitize(id)).isNull();
  }

  @Test
  void isValid_acceptsAtMost128Characters() {
    assertThat(RequestIds.isValid("a".repeat(128))).isTrue();
    assertThat(RequestIds.isValid("a".repeat(129))).isFalse();
    assertThat(RequestIds.isValid(null)).isFalse();
  }

  @Test
  void sanitize_trimsSurroundingSpacesAndTabsOnly() {
    assertThat(RequestIds.sanitize("  abc-123\t")).isEqualTo("abc-123");
    assertThat(RequestIds.sanitize("   ")).isNull();
    assertThat(RequestIds.sanitize(null)).isNull();
  }

  @Test
  void timeOrdered_makesTwentyCharacterCrockfordIdsThatPassTheRule() {
    for (int i = 0; i < 1_000; i++) {
      String id = RequestIds.timeOrdered().next();
      assertThat(id).matches("[0-9a-hjkmnp-tv-z]{20}");
      assertThat(RequestIds.isValid(id)).isTrue();
    }
  }

  @Test
  void timeOrdered_sortsByCreationTime() {
    List<String> ids = new ArrayList<>();
    for (long millis : new long[] {1_000L, 1_001L, 1_700_000_000_000L, 1_700_000_000_001L, 4_000_000_000_000L}) {
      Clock clock = Clock.fixed(Instant.ofEpochMilli(millis), ZoneOffset.UTC);
      ids.add(RequestIds.timeOrdered(clock).next());
    }
    assertThat(ids).isSorted();
  }

  @Test
  void timeOrdered_encodesTheMillisecondsInTheFirstTenCharacters() {
    Clock clock = Clock.fixed(Instant.ofEpochMilli(0), ZoneOffset.UTC);
    assertThat(RequestIds.timeOrdered(clock).next()).startsWith("0000000000");
    Clock later = Clock.fixed(Instant.ofEpochMilli(32 + 1), ZoneOffset.UTC);
    assertThat(RequestIds.timeOrdered(later).next()).startsWith("0000000011");
  }

  @Test
  void everyCharacter_isAllowedInARequestIdExactlyWhenTheRuleSaysSo() {
    // The check is a 128-bit set tested without a branch per character; this holds it to the rule for every char.
    for (int c = 0; c <= Character.MAX_VALUE; c++) {
      boolean allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '.' || c == '_' || c == ':' || c == '+' || c == '/' || c == '=' || c == '-';
      String one = String.valueOf((char) c);
      assertThat(RequestIds.isValid(one)).as("char %d alone", c).isEqualTo(allowed);
      assertThat(RequestIds.isValid("req-" + one + "-42")).as("char %d inside", c).isEqualTo(allowed);
    }
  }
}
