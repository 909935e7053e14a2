package dev.threadline.loki;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A child JVM for {@link SpillStoreTest}, run under a file-size limit (the shell's {@code ulimit -f}), as a full disk
 * would stop it: appends records of 100,000 bytes until the store throws, prints {@code FAILED <message>} and how
 * many were stored, then prints {@code SMALL <true|false>} for an append of 100 bytes that still fits.
 */
public final class SpillFullDisk {

  private SpillFullDisk() {
  }

  public static void main(String[] args) throws IOException {
    try (SpillStore store = SpillStore.open(Path.of(args[0]), 64L << 20, SpillStore.Fsync.NEVER, 0)) {
      int stored = 0;
      try {
        while (store.append(new byte[100_000], 1, stored)) {
          stored++;
        }
        System.out.println("NEVER FAILED");
      } catch (IOException e) {
        System.out.println("FAILED " + e.getMessage());
      }
      System.out.println("STORED " + stored + " PENDING " + store.pendingRecords());
      System.out.println("SMALL " + store.append(new byte[100], 1, stored));
    }
  }
}
