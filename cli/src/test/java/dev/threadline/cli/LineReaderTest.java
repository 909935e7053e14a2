package dev.threadline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineReaderTest {

  @Test
  void linesSplitAcrossReads_crlf_andAnUnfinishedLastLine_areReadWhole() throws IOException {
    String text = "first\r\nsecond line é\n\nlast without newline";
    LineReader reader = new LineReader(trickle(text.getBytes(StandardCharsets.UTF_8)));

    assertThat(all(reader)).containsExactly("first", "second line é", "", "last without newline");
    assertThat(reader.lines()).isEqualTo(4);
  }

  @Test
  void aLineOverTheLimit_isSkippedWithoutBeingHeld_andCounted() throws IOException {
    byte[] huge = new byte[LineReader.MAX_LINE_BYTES * 2 + 5];
    java.util.Arrays.fill(huge, (byte) 'x');
    byte[] input = concat("a\n".getBytes(StandardCharsets.UTF_8), huge,
        "\nb\n".getBytes(StandardCharsets.UTF_8), huge);
    LineReader reader = new LineReader(new ByteArrayInputStream(input));

    assertThat(all(reader)).containsExactly("a", "b");
    assertThat(reader.tooLong()).isEqualTo(2);
  }

  @Test
  void aLineJustUnderTheLimit_isRead() throws IOException {
    String line = "y".repeat(LineReader.MAX_LINE_BYTES - 1);
    LineReader reader = new LineReader(new ByteArrayInputStream((line + "\nz\n").getBytes(StandardCharsets.UTF_8)));

    assertThat(all(reader)).containsExactly(line, "z");
    assertThat(reader.tooLong()).isZero();
  }

  @Test
  void contains_looksAtTheCurrentLineOnly() throws IOException {
    LineReader reader = new LineReader(new ByteArrayInputStream("abc\nxyzabd\n".getBytes(StandardCharsets.UTF_8)));
    LineReader.Needle needle = LineReader.Needle.of("abd".getBytes(StandardCharsets.UTF_8));

    assertThat(reader.next()).isTrue();
    assertThat(reader.contains(needle)).isFalse();
    assertThat(reader.next()).isTrue();
    assertThat(reader.contains(needle)).isTrue();
    assertThat(reader.contains(LineReader.Needle.of("abdx".getBytes(StandardCharsets.UTF_8)))).isFalse();
    assertThat(reader.contains(LineReader.Needle.of("xyz".getBytes(StandardCharsets.UTF_8)))).isTrue();
    assertThat(reader.contains(LineReader.Needle.of("zab".getBytes(StandardCharsets.UTF_8)))).isTrue();
  }

  @Test
  void contains_findsANeedleAnywhere_andOnlyWhole() throws IOException {
    java.util.Random random = new java.util.Random(7);
    for (int round = 0; round < 2000; round++) {
      StringBuilder line = new StringBuilder();
      int length = random.nextInt(40);
      for (int i = 0; i < length; i++) {
        line.append((char) ('a' + random.nextInt(3)));
      }
      String needle = "";
      int n = 1 + random.nextInt(4);
      for (int i = 0; i < n; i++) {
        needle += (char) ('a' + random.nextInt(3));
      }
      LineReader reader = new LineReader(new ByteArrayInputStream((line + "\n").getBytes(StandardCharsets.UTF_8)));
      assertThat(reader.next()).isTrue();
      assertThat(reader.contains(LineReader.Needle.of(needle.getBytes(StandardCharsets.UTF_8))))
          .as(line + " / " + needle).isEqualTo(line.toString().contains(needle));
    }
  }

  @Test
  void aFollowedStream_yieldsTheRestOfALineWhenItArrives() throws IOException {
    java.io.PipedOutputStream writer = new java.io.PipedOutputStream();
    java.io.PipedInputStream pipe = new java.io.PipedInputStream(writer, 1 << 16);
    FollowingStream in = new FollowingStream(pipe);
    LineReader reader = new LineReader(in);
    writer.write("one\ntw".getBytes(StandardCharsets.UTF_8));

    assertThat(reader.next()).isTrue();
    assertThat(reader.line()).isEqualTo("one");
    assertThat(reader.next()).isFalse();
    writer.write("o\n".getBytes(StandardCharsets.UTF_8));
    assertThat(reader.next()).isTrue();
    assertThat(reader.line()).isEqualTo("two");
  }

  /** Answers "nothing now" (0 bytes) instead of blocking, as a followed file at its end does. */
  private static final class FollowingStream extends InputStream {
    private final InputStream in;

    FollowingStream(InputStream in) {
      this.in = in;
    }

    @Override
    public int read() throws IOException {
      throw new UnsupportedOperationException();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int available = in.available();
      return available == 0 ? -1 : in.read(b, off, Math.min(len, available));
    }
  }

  private static List<String> all(LineReader reader) throws IOException {
    List<String> lines = new ArrayList<>();
    while (reader.next() || reader.finish()) {
      lines.add(reader.line());
    }
    return lines;
  }

  /** A stream that hands out one byte per read, the worst case for a line that spans reads. */
  private static InputStream trickle(byte[] bytes) {
    return new ByteArrayInputStream(bytes) {
      @Override
      public synchronized int read(byte[] b, int off, int len) {
        return super.read(b, off, Math.min(1, len));
      }
    };
  }

  private static byte[] concat(byte[]... parts) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
