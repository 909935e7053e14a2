package dev.threadline.loki;

import java.nio.file.Path;

/**
 * A child JVM for {@link SpillStoreTest}: opens the spill store in the directory given, appends one record, says
 * {@code HOLDING} and keeps the store open until it is killed.
 */
public final class SpillLockHolder {

  private SpillLockHolder() {
  }

  public static void main(String[] args) throws Exception {
    SpillStore store = SpillStore.open(Path.of(args[0]), 4L << 20, SpillStore.Fsync.NEVER, 0);
    store.append("held".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 1, 1);
    System.out.println("HOLDING");
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
