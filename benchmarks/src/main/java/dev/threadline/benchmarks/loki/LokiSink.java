package dev.threadline.benchmarks.loki;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.xerial.snappy.Snappy;

/**
 * The stand-in for Loki in the end-to-end harness: a JDK {@code HttpServer} on 127.0.0.1 that takes protobuf pushes
 * at {@code /loki/api/v1/push} (a Snappy block of a {@code logproto.PushRequest}), counts what it receives and answers
 * 204, as Loki does. It never stores lines; {@code GET /stats} returns the running totals as JSON.
 *
 * <p>Runs in its own JVM, so its CPU and allocation never count against the appender measured. Prints
 * {@code LISTENING <port>} on stdout once it accepts connections.
 */
public final class LokiSink {

  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong entries = new AtomicLong();
  private final AtomicLong bodyBytes = new AtomicLong();
  private final AtomicLong decodedBytes = new AtomicLong();
  private final AtomicLong lineBytes = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();

  private LokiSink() {
  }

  /** Starts the sink on an ephemeral port ({@code args[0]} to choose one) and serves until killed. */
  public static void main(String[] args) throws IOException {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
    LokiSink sink = new LokiSink();
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 256);
    server.createContext("/loki/api/v1/push", sink::push);
    server.createContext("/stats", sink::stats);
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.start();
    System.out.println("LISTENING " + server.getAddress().getPort());
    System.out.flush();
  }

  private void push(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = in.readAllBytes();
      }
      int status = 204;
      try {
        byte[] decoded = Snappy.uncompress(body);
        long[] counts = new long[2];
        readPushRequest(decoded, counts);
        requests.incrementAndGet();
        bodyBytes.addAndGet(body.length);
        decodedBytes.addAndGet(decoded.length);
        lineBytes.addAndGet(counts[1]);
        // Entries last: a reader that sees the final count sees the byte totals of the same pushes.
        entries.addAndGet(counts[0]);
      } catch (IOException | RuntimeException | LinkageError e) {
        if (rejected.getAndIncrement() == 0) {
          System.err.println("LokiSink: cannot decode a push (" + body.length + " bytes, Content-Type "
              + exchange.getRequestHeaders().getFirst("Content-Type") + "): " + e);
        }
        status = 400;
      }
      exchange.sendResponseHeaders(status, -1);
    }
  }

  private void stats(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] json = ("{\"requests\":" + requests.get() + ",\"entries\":" + entries.get() + ",\"bodyBytes\":"
          + bodyBytes.get() + ",\"decodedBytes\":" + decodedBytes.get() + ",\"lineBytes\":" + lineBytes.get()
          + ",\"rejected\":" + rejected.get() + "}").getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, json.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(json);
      }
    }
  }

  // ---- just enough protobuf: PushRequest.streams(1) -> StreamAdapter.entries(2) -> EntryAdapter.line(2)

  /** Adds the entry count to {@code counts[0]} and the UTF-8 bytes of their lines to {@code counts[1]}. */
  static void readPushRequest(byte[] buf, long[] counts) {
    Reader r = new Reader(buf, 0, buf.length);
    while (r.more()) {
      int tag = (int) r.varint();
      if (tag == (1 << 3 | 2)) {
        int len = (int) r.varint();
        readStream(new Reader(buf, r.pos, r.pos + len), counts);
        r.pos += len;
      } else {
        r.skip(tag & 7);
      }
    }
  }

  private static void readStream(Reader r, long[] counts) {
    while (r.more()) {
      int tag = (int) r.varint();
      if (tag == (2 << 3 | 2)) {
        int len = (int) r.varint();
        counts[0]++;
        counts[1] += lineLength(new Reader(r.buf, r.pos, r.pos + len));
        r.pos += len;
      } else {
        r.skip(tag & 7);
      }
    }
  }

  private static long lineLength(Reader r) {
    long line = 0;
    while (r.more()) {
      int tag = (int) r.varint();
      if (tag == (2 << 3 | 2)) {
        int len = (int) r.varint();
        line += len;
        r.pos += len;
      } else {
        r.skip(tag & 7);
      }
    }
    return line;
  }

  private static final class Reader {
    final byte[] buf;
    int pos;
    final int end;

    Reader(byte[] buf, int pos, int end) {
      if (end > buf.length) {
        throw new IllegalArgumentException("truncated message");
      }
      this.buf = buf;
      this.pos = pos;
      this.end = end;
    }

    boolean more() {
      return pos < end;
    }

    long varint() {
      long value = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        byte b = buf[pos++];
        value |= (long) (b & 0x7f) << shift;
        if (b >= 0) {
          return value;
        }
      }
      throw new IllegalArgumentException("malformed varint");
    }

    void skip(int wireType) {
      switch (wireType) {
        case 0 -> varint();
        case 1 -> pos += 8;
        case 2 -> {
          // Not pos += varint(): that would add to pos as it was before the varint was read.
          int len = (int) varint();
          pos += len;
        }
        case 5 -> pos += 4;
        default -> throw new IllegalArgumentException("unsupported wire type " + wireType);
      }
    }
  }
}
