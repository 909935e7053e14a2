package dev.threadline.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class IdsTest {

  @Test
  void newTraceId_isThirtyTwoLowercaseHexCharacters() {
    for (int i = 0; i < 10_000; i++) {
      String id = Ids.newTraceId();
      assertThat(id).hasSize(32).matches("[0-9a-f]{32}").isNotEqualTo("0".repeat(32));
      assertThat(Ids.isValidTraceId(id)).isTrue();
    }
  }

  @Test
  void newSpanId_isSixteenLowercaseHexCharacters() {
    for (int i = 0; i < 10_000; i++) {
      String id = Ids.newSpanId();
      assertThat(id).matches("[0-9a-f]{16}").isNotEqualTo("0".repeat(16));
      assertThat(Ids.isValidSpanId(id)).isTrue();
    }
  }

  @Test
  void validation_refusesAllZerosUppercaseWrongLengthAndNull() {
    assertThat(Ids.isValidTraceId("0".repeat(32))).isFalse();
    assertThat(Ids.isValidTraceId("4BF92F3577B34DA6A3CE929D0E0E4736")).isFalse();
    assertThat(Ids.isValidTraceId("4bf92f3577b34da6a3ce929d0e0e473")).isFalse();
    assertThat(Ids.isValidTraceId("4bf92f3577b34da6a3ce929d0e0e4736a")).isFalse();
    assertThat(Ids.isValidTraceId("4bf92f3577b34da6a3ce929d0e0e473g")).isFalse();
    assertThat(Ids.isValidTraceId(null)).isFalse();
    assertThat(Ids.isValidSpanId("0".repeat(16))).isFalse();
    assertThat(Ids.isValidSpanId("00F067AA0BA902B7")).isFalse();
    assertThat(Ids.isValidSpanId("00f067aa0ba902b7")).isTrue();
    assertThat(Ids.isValidTraceId("00000000000000000000000000000001")).isTrue();
  }

  @Test
  void ids_areUniqueAcrossThreads() throws InterruptedException {
    Set<String> seen = ConcurrentHashMap.newKeySet();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    for (int t = 0; t < 4; t++) {
      pool.execute(() -> {
        for (int i = 0; i < 25_000; i++) {
          seen.add(Ids.newSpanId());
        }
      });
    }
    pool.shutdown();
    assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    assertThat(seen).hasSize(100_000);
  }

  @Test
  void everyCharacter_isTakenAsAnIdDigitExactlyWhenItIsLowercaseHex() {
    // The check has no branch per character; this holds it to the rule for all 65,536 chars, in every position.
    for (int c = 0; c <= Character.MAX_VALUE; c++) {
      boolean lowerHex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
      for (int at : new int[] {0, 7, 15}) {
        char[] id = "00f067aa0ba902b7".toCharArray();
        id[at] = (char) c;
        assertThat(Ids.isValidSpanId(new String(id))).as("char %d at %d", c, at).isEqualTo(lowerHex);
      }
      char[] trace = "0000000000000000000000000000000a".toCharArray();
      trace[31] = (char) c;
      assertThat(Ids.isValidTraceId(new String(trace))).as("char %d last", c).isEqualTo(lowerHex && c != '0');
    }
  }
}
