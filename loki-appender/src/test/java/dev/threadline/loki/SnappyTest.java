package dev.threadline.loki;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Our Snappy block encoder, checked against snappy-java (the reference implementation) as the decoder. */
class SnappyTest {

  private static byte[] roundTrip(byte[] input) throws Exception {
    Snappy snappy = new Snappy();
    byte[] out = snappy.compress(input, input.length);
    byte[] compressed = Arrays.copyOf(out, snappy.compressedLength());
    assertThat(org.xerial.snappy.Snappy.isValidCompressedBuffer(compressed)).isTrue();
    return org.xerial.snappy.Snappy.uncompress(compressed);
  }

  @Test
  void emptyAndTinyInputs() throws Exception {
    for (String s : new String[] {"", "a", "abc", "abcdefghijklmno", "aaaaaaaaaaaaaaaaaaaaaaaa"}) {
      byte[] input = s.getBytes(StandardCharsets.UTF_8);
      assertThat(roundTrip(input)).isEqualTo(input);
    }
  }

  @Test
  void logLinesCompressAndRoundTrip() throws Exception {
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < 5_000; i++) {
      lines.append("{\"timestamp\":\"2026-11-22T03:04:05.").append(100000 + i)
          .append("Z\",\"level\":\"info\",\"service\":\"order-api\",\"message\":\"order ").append(i)
          .append(" shipped\",\"requestId\":\"req-").append(i % 97).append("\"}");
    }
    byte[] input = lines.toString().getBytes(StandardCharsets.UTF_8);
    Snappy snappy = new Snappy();
    snappy.compress(input, input.length);
    assertThat(snappy.compressedLength()).isLessThan(input.length / 3);
    assertThat(roundTrip(input)).isEqualTo(input);
  }

  @Test
  void randomAndRepetitiveInputsOfManySizes_roundTrip() throws Exception {
    Random random = new Random(42);
    for (int round = 0; round < 300; round++) {
      int length = random.nextInt(round < 200 ? 2_000 : 300_000);
      byte[] input = new byte[length];
      int alphabet = 1 + random.nextInt(256);
      for (int i = 0; i < length; i++) {
        input[i] = random.nextInt(4) == 0 && i > 70
            ? input[i - 1 - random.nextInt(70)] : (byte) random.nextInt(alphabet);
      }
      assertThat(roundTrip(input)).as("round %d, %d bytes", round, length).isEqualTo(input);
    }
  }

  @Test
  void theSameInstanceCanBeReused() throws Exception {
    Snappy snappy = new Snappy();
    byte[] big = "x".repeat(200_000).getBytes(StandardCharsets.UTF_8);
    byte[] small = "hello hello hello hello".getBytes(StandardCharsets.UTF_8);
    snappy.compress(big, big.length);
    byte[] out = snappy.compress(small, small.length);
    assertThat(org.xerial.snappy.Snappy.uncompress(Arrays.copyOf(out, snappy.compressedLength()))).isEqualTo(small);
  }
}
