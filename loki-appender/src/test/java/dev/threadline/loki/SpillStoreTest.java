package dev.threadline.loki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpillStoreTest {

  private static final long MIB = 1024 * 1024;

  @TempDir
  Path dir;

  private static byte[] body(int i, int size) {
    byte[] b = new byte[size];
    byte[] tag = ("push-" + i + "-").getBytes(StandardCharsets.US_ASCII);
    for (int k = 0; k < size; k++) {
      b[k] = tag[k % tag.length];
    }
    return b;
  }

  private static String tag(byte[] body) {
    String s = new String(body, StandardCharsets.US_ASCII);
    return s.substring(0, s.indexOf('-', 5));
  }

  /** Reads and acknowledges everything left, returning the records' tags in the order read. */
  private static List<String> drain(SpillStore store) throws IOException {
    List<String> read = new ArrayList<>();
    for (SpillStore.Spilled r = store.peek(); r != null; r = store.peek()) {
      read.add(tag(r.body()));
      store.acknowledge(r);
    }
    return read;
  }

  /** A closed store holding records push-0 to push-4, each of {@code entries} entries; returns their segment. */
  private Path fiveRecordsOf10000Bytes(int entries) throws IOException {
    try (SpillStore store = SpillStore.open(dir, 32 * MIB, SpillStore.Fsync.NEVER, 0)) {
      for (int i = 0; i < 5; i++) {
        store.append(body(i, 10_000), entries, i);
      }
    }
    return segments().get(0);
  }

  private List<Path> segments() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".seg")).sorted().toList();
    }
  }

  @Test
  void recordsAreReadBackOldestFirst_acrossSegments_andFinishedSegmentsAreDeleted() throws IOException {
    try (SpillStore store = SpillStore.open(dir, 32 * MIB, SpillStore.Fsync.NEVER, 0)) {
      for (int i = 0; i < 100; i++) {
        assertThat(store.append(body(i, 100_000), 1000, 1_000_000L * i)).isTrue();
      }
      assertThat(segments().size()).as("10 MB in 2 MiB segments").isGreaterThan(3);
      assertThat(store.pendingRecords()).isEqualTo(100);
      assertThat(store.pendingEntries()).isEqualTo(100_000);

      SpillStore.Spilled first = store.peek();
      assertThat(first.entries()).isEqualTo(1000);
      assertThat(first.oldestEntryNanos()).isZero();
      assertThat(first.body()).isEqualTo(body(0, 100_000));
      assertThat(store.peek().offset()).as("peek does not advance").isEqualTo(first.offset());

      List<String> read = drain(store);
      assertThat(read).hasSize(100);
      for (int i = 0; i < 100; i++) {
        assertThat(read.get(i)).isEqualTo("push-" + i);
      }
      assertThat(store.pendingRecords()).isZero();
      assertThat(store.pendingEntries()).isZero();
      assertThat(segments()).as("every segment read to the end is deleted, the one written to as well").isEmpty();
      assertThat(store.bytesOnDisk()).isZero();

      assertThat(store.append(body(100, 10), 1, 100)).isTrue();
      assertThat(drain(store)).containsExactly("push-100");
    }
  }

  @Test
  void afterARestart_whatWasNotAcknowledgedIsReadOnce_andWhatWasIsNever() throws IOException {
    try (SpillStore store = SpillStore.open(dir, 32 * MIB, SpillStore.Fsync.BATCH, 0)) {
      for (int i = 0; i < 50; i++) {
        store.append(body(i, 60_000), 10, i);
      }
      for (int i = 0; i < 20; i++) {
        store.acknowledge(store.peek());
      }
    }
    try (SpillStore store = SpillStore.open(dir, 32 * MIB, SpillStore.Fsync.BATCH, 0)) {
      assertThat(store.recovery().records()).isEqualTo(30);
      assertThat(store.recovery().entries()).isEqualTo(300);
      assertThat(store.recovery().tornBytes()).isZero();
      assertThat(store.pendingEntries()).isEqualTo(300);
      // New records go after the recovered ones.
      store.append(body(50, 1000), 10, 50);
      List<String> read = drain(store);
      assertThat(read).hasSize(31);
      assertThat(read.get(0)).isEqualTo("push-20");
      assertThat(read.get(30)).isEqualTo("push-50");
    }
    try (SpillStore store = SpillStore.open(dir, 32 * MIB, SpillStore.Fsync.BATCH, 0)) {
      assertThat(store.recovery().records()).isZero();
      assertThat(store.peek()).isNull();
    }
  }

  @Test
  void aTornTail_isCutAndCounted_andTheRecordsBeforeItSurvive() throws IOException {
    Path segment = fiveRecordsOf10000Bytes(7);
    long size = Files.size(segment);
    // A crash in the middle of writing the last record: only part of it reached the file.
    try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw")) {
      file.setLength(size - 4_000);
    }
    try (SpillStore store = SpillStore.open(dir, 32 * MIB, SpillStore.Fsync.NEVER, 0)) {
      SpillStore.Recovery recovery = store.recovery();
      assertThat(recovery.records()).isEqualTo(4);
      assertThat(recovery.entries()).isEqualTo(28);
      assertThat(recovery.tornBytes()).isEqualTo(10_000 + 28 - 4_000);
      assertThat(recovery.cutSegments()).isEqualTo(1);
      assertThat(Files.size(segment)).isEqualTo(size - 10_028);
      store.append(body(5, 10_000), 7, 5);
      assertThat(drain(store)).containsExactly("push-0", "push-1", "push-2", "push-3", "push-5");
    }
  }

  @Test
  void aCorruptedRecord_endsItsSegment_whoseRestIsCutAndCounted() throws IOException {
    Path segment = fiveRecordsOf10000Bytes(1);
    // Flip one byte in the body of the third record: its checksum fails.
    long third = 8 + 2L * 10_028 + 28 + 500;
    try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw")) {
      file.seek(third);
      int b = file.read();
      file.seek(third);
      file.write(b ^ 0x40);
    }
    try (SpillStore store = SpillStore.open(dir, 32 * MIB, SpillStore.Fsync.NEVER, 0)) {
      assertThat(store.recovery().records()).isEqualTo(2);
      assertThat(store.recovery().tornBytes()).isEqualTo(3 * 10_028);
      assertThat(drain(store)).containsExactly("push-0", "push-1");
    }
  }

  @Test
  void aCursorPastItsSegmentsEnd_afterTheTailWasLost_resumesAtTheEnd_andNewRecordsAreRead() throws IOException {
    Path segment = fiveRecordsOf10000Bytes(1);
    try (SpillStore store = SpillStore.open(dir, 32 * MIB, SpillStore.Fsync.NEVER, 0)) {
      for (int i = 0; i < 4; i++) {
        store.acknowledge(store.peek());
      }
    }
    // A power cut with fsync never: the cursor survived, the last two records' pages did not.
    try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw")) {
      file.setLength(8 + 2L * 10_028);
    }
    try (SpillStore store = SpillStore.open(dir, 32 * MIB, SpillStore.Fsync.NEVER, 0)) {
      assertThat(store.recovery().records()).isZero();
      assertThat(store.peek()).isNull();
      store.append(body(7, 10_000), 1, 7);
      assertThat(drain(store)).containsExactly("push-7");
    }
  }

  @Test
  void garbageInTheDirectory_isNeitherReadNorFatal() throws IOException {
    Files.writeString(dir.resolve("spill-0000000000000000007.seg"), "not a segment at all");
    Files.writeString(dir.resolve("spill-notanumber.seg"), "ignored");
    Files.write(dir.resolve(SpillStore.CURSOR_FILE), new byte[] {1, 2, 3});
    try (SpillStore store = SpillStore.open(dir, 32 * MIB, SpillStore.Fsync.NEVER, 0)) {
      assertThat(store.recovery().records()).isZero();
      assertThat(store.recovery().tornBytes()).isEqualTo(20);
      assertThat(store.append(body(1, 100), 1, 1)).isTrue();
      assertThat(drain(store)).containsExactly("push-1");
    }
  }

  @Test
  void aFullStore_refusesTheAppend_andTakesMoreOnceSegmentsAreDone() throws IOException {
    try (SpillStore store = SpillStore.open(dir, 4 * MIB, SpillStore.Fsync.NEVER, 0)) {
      int accepted = 0;
      while (store.append(body(accepted, 200_000), 1, accepted)) {
        accepted++;
      }
      // 1 MiB segments (the least) hold 5 records of 200,028 bytes each; a 5th segment would pass 4 MiB.
      assertThat(accepted).isEqualTo(20);
      assertThat(store.bytesOnDisk()).isLessThanOrEqualTo(4 * MIB);
      assertThat(store.pendingRecords()).isEqualTo(accepted);
      for (int i = 0; i < 10; i++) {
        store.acknowledge(store.peek());
      }
      assertThat(store.append(body(99, 200_000), 1, 99)).as("room again once a segment is deleted").isTrue();
    }
  }

  @Test
  void aSecondStoreOnTheSameDirectory_getsAClearError_untilTheFirstCloses() throws IOException {
    try (SpillStore first = SpillStore.open(dir, 4 * MIB, SpillStore.Fsync.NEVER, 0)) {
      first.append(body(1, 100), 1, 1);
      assertThatThrownBy(() -> SpillStore.open(dir, 4 * MIB, SpillStore.Fsync.NEVER, 0))
          .isInstanceOf(SpillStore.LockedException.class)
          .hasMessageContaining(dir.toString())
          .hasMessageContaining("in use by another appender");
    }
    try (SpillStore again = SpillStore.open(dir, 4 * MIB, SpillStore.Fsync.NEVER, 0)) {
      assertThat(drain(again)).containsExactly("push-1");
    }
  }

  @Test
  void anotherProcessHoldingTheDirectory_isAClearError_andItsKill9ReleasesIt() throws Exception {
    Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), SpillLockHolder.class.getName(), dir.toString())
        .redirectErrorStream(true).start();
    try (java.io.BufferedReader out = new java.io.BufferedReader(
        new java.io.InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8))) {
      assertThat(out.readLine()).isEqualTo("HOLDING");
      assertThatThrownBy(() -> SpillStore.open(dir, 4 * MIB, SpillStore.Fsync.NEVER, 0))
          .isInstanceOf(SpillStore.LockedException.class)
          .hasMessageContaining("in use by another appender");
    } finally {
      holder.destroyForcibly(); // SIGKILL: the OS lets go of the lock with the process
      holder.waitFor();
    }
    try (SpillStore store = SpillStore.open(dir, 4 * MIB, SpillStore.Fsync.NEVER, 0)) {
      SpillStore.Spilled kept = store.peek();
      assertThat(new String(kept.body(), StandardCharsets.US_ASCII)).as("the killed holder's record").isEqualTo("held");
      store.acknowledge(kept);
      assertThat(store.peek()).isNull();
    }
  }

  @Test
  void aFullDisk_isAClearError_leavesWhatWasStoredReadable_andSmallerRecordsStillFit() throws Exception {
    // A file-size limit of 2 MiB (bash counts 2,048 blocks of 1 KiB) stands in for a full disk: the write fails the
    // same way. 20 records of 100,028 bytes fit in it, the 21st does not.
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child = new ProcessBuilder("bash", "-c", "ulimit -f 2048 && exec \"$0\" -cp \"$1\" \"$2\" \"$3\"",
        java, System.getProperty("java.class.path"), SpillFullDisk.class.getName(), dir.toString())
        .redirectErrorStream(true).start();
    String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(child.waitFor()).as(out).isZero();
    assertThat(out).contains("FAILED cannot write to the spill directory " + dir).contains("File too large");
    assertThat(out).contains("STORED 20 PENDING 20").contains("SMALL true");

    try (SpillStore store = SpillStore.open(dir, 64 * MIB, SpillStore.Fsync.NEVER, 0)) {
      assertThat(store.recovery().tornBytes()).as("the failed record was taken back").isZero();
      assertThat(store.recovery().records()).isEqualTo(21);
      int read = 0;
      for (SpillStore.Spilled r = store.peek(); r != null; r = store.peek()) {
        assertThat(r.body().length).isEqualTo(read < 20 ? 100_000 : 100);
        store.acknowledge(r);
        read++;
      }
      assertThat(read).isEqualTo(21);
    }
  }

  @Test
  void aDirectoryThatCannotBeCreated_givesAnErrorNamingIt() throws IOException {
    Path file = Files.writeString(dir.resolve("a-file"), "x");
    Path under = file.resolve("spill");
    assertThatThrownBy(() -> SpillStore.open(under, 4 * MIB, SpillStore.Fsync.NEVER, 0))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("cannot create the spill directory " + under);
  }

  @Test
  void everyFsyncPolicy_storesAndReadsBack() throws IOException {
    for (SpillStore.Fsync policy : SpillStore.Fsync.values()) {
      Path sub = dir.resolve(policy.name());
      try (SpillStore store = SpillStore.open(sub, 4 * MIB, policy, 1)) {
        for (int i = 0; i < 10; i++) {
          store.append(body(i, 1000), 1, i);
          store.tick();
        }
      }
      try (SpillStore store = SpillStore.open(sub, 4 * MIB, policy, 1)) {
        assertThat(drain(store)).as(policy.name()).hasSize(10);
      }
    }
  }

  @Test
  void acknowledgingOutOfOrder_isRefused() throws IOException {
    try (SpillStore store = SpillStore.open(dir, 4 * MIB, SpillStore.Fsync.NEVER, 0)) {
      store.append(body(1, 100), 1, 1);
      store.append(body(2, 100), 1, 2);
      SpillStore.Spilled first = store.peek();
      store.acknowledge(first);
      assertThatThrownBy(() -> store.acknowledge(first)).isInstanceOf(IllegalStateException.class);
    }
  }
}
