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
  void oneInstance_randomLogLikeBatchesOfAnySize_roundTrip_andCompressAsBefore() throws Exception {
    // Batches as the sender makes them: lines of one shape with varying fields, pushes large and small one after
    // another through the same instance (its hash table outlives a call), across 64 KiB block ends.
    Snappy snappy = new Snappy();
    Random random = new Random(19);
    long inputBytes = 0;
    long compressedBytes = 0;
    for (int round = 0; round < 120; round++) {
      StringBuilder batch = new StringBuilder();
      int lines = random.nextInt(round % 3 == 0 ? 3_000 : 40);
      for (int i = 0; i < lines; i++) {
        batch.append("{\"timestamp\":\"2026-12-06T19:").append(10 + random.nextInt(50)).append(':')
            .append(10 + random.nextInt(50)).append('.').append(100000 + random.nextInt(900000))
            .append("Z\",\"level\":\"").append(random.nextInt(5) == 0 ? "warn" : "info")
            .append("\",\"logger\":\"com.example.orders.ShippingService\",\"message\":\"Shipping order ord-")
            .append(Long.toString(random.nextLong() & Long.MAX_VALUE, 36)).append(" took ")
            .append(random.nextInt(2000)).append(" ms\",\"requestId\":\"req-").append(random.nextInt(50))
            .append("\",\"items\":").append(random.nextInt(10)).append("}\n");
        if (random.nextInt(50) == 0) {
          byte[] noise = new byte[random.nextInt(300)];
          random.nextBytes(noise);
          batch.append(new String(noise, StandardCharsets.ISO_8859_1));
        }
      }
      byte[] input = batch.toString().getBytes(StandardCharsets.UTF_8);
      byte[] out = snappy.compress(input, input.length);
      byte[] compressed = Arrays.copyOf(out, snappy.compressedLength());
      assertThat(org.xerial.snappy.Snappy.uncompress(compressed)).as("round %d, %d bytes", round, input.length)
          .isEqualTo(input);
      inputBytes += input.length;
      compressedBytes += compressed.length;
      if (input.length > 0) {
        // Never worse than snappy-java by more than a few percent: the wire bytes of a push must not grow.
        assertThat(compressed.length).as("round %d", round)
            .isLessThanOrEqualTo(org.xerial.snappy.Snappy.compress(input).length * 105 / 100 + 8);
      }
    }
    assertThat(compressedBytes).isLessThan(inputBytes / 3);
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
