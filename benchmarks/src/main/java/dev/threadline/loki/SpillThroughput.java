package dev.threadline.loki;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Issue #20's throughput check of the Loki appender's spill store, a plain harness (the store is the sender thread's
 * and does its own I/O, so JMH's per-operation view adds nothing): the disk's own sequential write speed, measured in
 * the same run by a plain {@code FileChannel} write loop of the same total in the same record size (forced once at the
 * end, and forced after every write), then for each fsync policy the store's write (append) and replay (opening the
 * store, which checks every record, then peek and acknowledge, oldest first) throughput. Each measurement runs
 * {@code rounds} times, alternating, and the median is printed.
 *
 * <p>In the package of the store it measures, which is not public. Arguments: a directory on the disk to measure
 * (default the temporary directory), the total MiB per run (default 256), the record size in KiB (default 64,
 * about a push of 900 events of 73 compressed bytes each), the entries per record (default 900) and the rounds
 * (default 3). Replay reads what was just written, so it mostly comes from the page cache; the figure is the
 * store's own cost of reading back, checksumming and acknowledging, not the disk's read speed.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.threadline.loki.SpillThroughput /var/tmp 256 64 900 3</pre>
 */
public final class SpillThroughput {

  private SpillThroughput() {
  }

  /** Runs the comparison; see the class comment for the arguments. */
  public static void main(String[] args) throws IOException {
    Path root = Path.of(args.length > 0 ? args[0] : System.getProperty("java.io.tmpdir"))
        .resolve("threadline-spill-throughput");
    long totalBytes = (args.length > 1 ? Long.parseLong(args[1]) : 256) << 20;
    int recordBytes = (args.length > 2 ? Integer.parseInt(args[2]) : 64) << 10;
    int entries = args.length > 3 ? Integer.parseInt(args[3]) : 900;
    int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 3;
    int records = (int) (totalBytes / recordBytes);
    byte[] body = new byte[recordBytes];
    new SplittableRandom(20).nextBytes(body); // compressed push bodies look random

    List<String> names = new ArrayList<>();
    List<List<Double>> figures = new ArrayList<>();
    for (int round = 0; round < rounds; round++) {
      int k = 0;
      k = add(names, figures, k, "plain FileChannel write, forced at the end, MB/s",
          plainWrite(root, body, records, false) / 1e6);
      k = add(names, figures, k, "plain FileChannel write, forced after each write, MB/s",
          plainWrite(root, body, records, true) / 1e6);
      for (SpillStore.Fsync policy : SpillStore.Fsync.values()) {
        double[] store = store(root, body, records, entries, policy);
        k = add(names, figures, k, "store " + policy + ": append MB/s", store[0] / 1e6);
        k = add(names, figures, k, "store " + policy + ": append events/s", store[0] / recordBytes * entries);
        k = add(names, figures, k, "store " + policy + ": replay MB/s", store[1] / 1e6);
        k = add(names, figures, k, "store " + policy + ": replay events/s", store[1] / recordBytes * entries);
      }
    }
    System.out.printf(Locale.ROOT, "%d MiB in records of %d KiB (%d entries each), %d rounds, in %s%n",
        totalBytes >> 20, recordBytes >> 10, entries, rounds, root);
    for (int i = 0; i < names.size(); i++) {
      List<Double> values = new ArrayList<>(figures.get(i));
      values.sort(null);
      System.out.printf(Locale.ROOT, "%-60s median %,14.1f  (%s)%n", names.get(i), values.get(values.size() / 2),
          values.stream().map(v -> String.format(Locale.ROOT, "%.1f", v)).toList());
    }
    delete(root);
  }

  private static int add(List<String> names, List<List<Double>> figures, int k, String name, double value) {
    if (names.size() <= k) {
      names.add(name);
      figures.add(new ArrayList<>());
    }
    figures.get(k).add(value);
    return k + 1;
  }

  /** Bytes per second of a plain positional write loop into one new file. */
  private static double plainWrite(Path root, byte[] body, int records, boolean forceEach) throws IOException {
    delete(root);
    Files.createDirectories(root);
    Path file = root.resolve("plain.bin");
    long start = System.nanoTime();
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      long at = 0;
      for (int i = 0; i < records; i++) {
        ByteBuffer b = ByteBuffer.wrap(body);
        while (b.hasRemaining()) {
          at += channel.write(b, at);
        }
        if (forceEach) {
          channel.force(false);
        }
      }
      channel.force(false);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    return (double) records * body.length / seconds;
  }

  /** Bytes per second of appending every record, then of reading and acknowledging every one. */
  private static double[] store(Path root, byte[] body, int records, int entries, SpillStore.Fsync policy)
      throws IOException {
    delete(root);
    long total = (long) records * body.length;
    try (SpillStore store = SpillStore.open(root, total * 2 + (64L << 20), policy, 1000)) {
      long start = System.nanoTime();
      for (int i = 0; i < records; i++) {
        if (!store.append(body, entries, i)) {
          throw new IllegalStateException("the store refused record " + i);
        }
      }
      store.close();
      double write = total / ((System.nanoTime() - start) / 1e9);
      start = System.nanoTime(); // a restart's replay: opening (which reads every record through) included
      try (SpillStore again = SpillStore.open(root, total * 2 + (64L << 20), policy, 1000)) {
        long read = 0;
        for (SpillStore.Spilled r = again.peek(); r != null; r = again.peek()) {
          read += r.body().length;
          again.acknowledge(r);
        }
        double replay = read / ((System.nanoTime() - start) / 1e9);
        if (read != total) {
          throw new IllegalStateException("read back " + read + " of " + total + " bytes");
        }
        return new double[] {write, replay};
      }
    }
  }

  private static void delete(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> files = Files.walk(root)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
