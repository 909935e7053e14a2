package dev.threadline.loki;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;

/**
 * Talks to Loki's push API: encodes a batch (protobuf with Snappy, or JSON with optional gzip), POSTs it with the
 * configured headers (tenant, auth), and says what Loki's answer means for the batch. It never retries; the
 * {@link Sender} decides. Not thread-safe: the sender's own.
 */
class LokiClient {

  /** What a push came to. */
  enum Kind {
    /** 2xx: every entry stored. */
    ACCEPTED,
    /** 400: Loki stored some entries and refused {@link Result#refused}. */
    REFUSED,
    /** 413, or Loki's 500 for a message over its gRPC limit: the push is too large, smaller ones may pass. */
    TOO_LARGE,
    /** 429 or 5xx: try again later. */
    RETRY,
    /** No connection (refused, unresolvable): the push never reached Loki, and Loki is not there. */
    UNREACHABLE,
    /** No connection in time: the push never reached Loki, which may only be slow. */
    CONNECT_TIMEOUT,
    /** The request was sent but no answer came in time, or the connection broke: Loki may have stored it. */
    NO_ANSWER,
    /** The sending thread was interrupted. */
    INTERRUPTED
  }

  /**
   * The outcome of one push.
   *
   * @param kind what it means
   * @param status the HTTP status, 0 if none
   * @param refused entries refused ({@link Kind#REFUSED})
   * @param retryAfterNanos Loki's {@code Retry-After}, 0 if none
   * @param detail for a warning: the status and Loki's text (abbreviated), or the exception
   * @param summary for {@code lastError}: short, without Loki's text
   */
  record Result(Kind kind, int status, int refused, long retryAfterNanos, String detail, String summary) {
  }

  static final String PUSH_PATH = "/loki/api/v1/push";
  /** The most of an error body read: enough for a thousand of Loki's validation messages. */
  static final int MAX_ERROR_BODY = 1 << 20;

  private final URI pushUri;
  private final boolean json;
  private final boolean gzip;
  private final Map<String, String> headers;
  private final HttpClient http;
  private final PushRequestWriter protobuf = new PushRequestWriter();
  private final Snappy snappy = new Snappy();
  private final JsonPushWriter jsonWriter = new JsonPushWriter();
  private List<LokiRecord> encoded;
  private byte[] body;
  private int bodyLength;

  LokiClient(URI pushUri, boolean json, boolean gzip, Map<String, String> headers, Duration connectTimeout,
      SSLContext ssl) {
    this.pushUri = pushUri;
    this.json = json;
    this.gzip = gzip;
    this.headers = headers;
    HttpClient.Builder client = HttpClient.newBuilder().connectTimeout(connectTimeout)
        // One push at a time over a kept-alive connection: HTTP/1.1 spares every request HTTP/2's upgrade headers.
        .version(HttpClient.Version.HTTP_1_1).executor(Runnable::run);
    if (ssl != null) {
      client.sslContext(ssl);
    }
    this.http = client.build();
  }

  /**
   * Encodes {@code batch} as the next push and returns its size before compression: the size Loki decodes, which
   * its message limit applies to.
   */
  int encode(List<LokiRecord> batch) throws IOException {
    encoded = batch;
    if (json) {
      body = jsonWriter.write(batch, gzip);
      bodyLength = body.length;
      return jsonWriter.uncompressedLength();
    }
    int length = protobuf.write(batch);
    body = snappy.compress(protobuf.buffer(), length);
    bodyLength = snappy.compressedLength();
    return length;
  }

  /** The size of the encoded push on the wire. */
  int bodyLength() {
    return bodyLength;
  }

  /** The encoded push: the first {@link #bodyLength} bytes. Valid until the next {@link #encode}. */
  byte[] body() {
    return body;
  }

  /** How the encoded push is encoded: {@link Spill#PROTOBUF}, {@link Spill#JSON} or {@link Spill#JSON_GZIP}. */
  byte bodyKind() {
    return json ? (gzip ? Spill.JSON_GZIP : Spill.JSON) : Spill.PROTOBUF;
  }

  /** Sends the push {@link #encode} made, waiting at most {@code timeout} for Loki's answer. Never throws. */
  Result send(Duration timeout) {
    List<LokiRecord> batch = encoded;
    return post(body, 0, bodyLength, bodyKind(), timeout, batch.size(), LokiRefusal.entriesByStream(batch));
  }

  /** Sends a spilled push as it was encoded, whatever this client's format. Never throws. */
  Result send(Spill.Replay replay, Duration timeout) {
    byte[] bytes = replay.record.body();
    return post(bytes, replay.bodyOffset, bytes.length - replay.bodyOffset, replay.kind, timeout, replay.entries(),
        replay::entriesOf);
  }

  private Result post(byte[] bytes, int offset, int length, byte kind, Duration timeout, int entries,
      java.util.function.ToLongFunction<String> entriesOfStream) {
    try {
      HttpRequest.Builder request = HttpRequest.newBuilder(pushUri).timeout(timeout)
          .POST(new ArrayBody(bytes, offset, length));
      if (kind != Spill.PROTOBUF) {
        request.header("Content-Type", "application/json");
        if (kind == Spill.JSON_GZIP) {
          request.header("Content-Encoding", "gzip");
        }
      } else {
        request.header("Content-Type", "application/x-protobuf");
      }
      headers.forEach(request::header);
      HttpResponse<InputStream> response = http.send(request.build(), info -> info.statusCode() / 100 == 2
          ? HttpResponse.BodySubscribers.replacing(InputStream.nullInputStream())
          : HttpResponse.BodySubscribers.ofInputStream());
      int status = response.statusCode();
      if (status / 100 == 2) {
        return new Result(Kind.ACCEPTED, status, 0, 0, null, null);
      }
      byte[] text;
      boolean complete;
      try (InputStream in = response.body()) {
        text = in.readNBytes(MAX_ERROR_BODY);
        complete = in.read() < 0;
      }
      String message = new String(text, StandardCharsets.UTF_8).strip();
      String detail = "Loki answered " + status + ": " + abbreviate(message);
      if (status == 413 || status / 100 == 5 && message.contains("larger than max")) {
        return new Result(Kind.TOO_LARGE, status, 0, 0, detail, "Loki answered " + status + " (push too large)");
      }
      if (status == 429 || status / 100 == 5) {
        return new Result(Kind.RETRY, status, 0, retryAfter(response), detail, "Loki answered " + status);
      }
      int refused = status == 400 ? LokiRefusal.refused(message, complete, entries, entriesOfStream) : entries;
      return new Result(Kind.REFUSED, status, refused, 0, detail,
          "Loki refused " + refused + " of " + entries + " entries with " + status);
    } catch (HttpConnectTimeoutException e) {
      detach();
      return new Result(Kind.CONNECT_TIMEOUT, 0, 0, 0, "no connection to Loki at "
          + LokiUrl.redact(pushUri.toString()) + " within " + timeout.toMillis() + " ms",
          "Loki unreachable (connect timeout)");
    } catch (ConnectException | UnresolvedAddressException e) {
      detach();
      return new Result(Kind.UNREACHABLE, 0, 0, 0, "cannot reach Loki at " + LokiUrl.redact(pushUri.toString())
          + " (" + describe(e) + ")", "Loki unreachable (" + e.getClass().getSimpleName() + ")");
    } catch (HttpTimeoutException e) {
      detach();
      return new Result(Kind.NO_ANSWER, 0, 0, 0, "no answer from Loki within " + timeout.toMillis() + " ms",
          "Loki did not answer in time");
    } catch (IOException e) {
      detach();
      return new Result(Kind.NO_ANSWER, 0, 0, 0, "the push to Loki failed (" + describe(e) + ")",
          "push failed (" + e.getClass().getSimpleName() + ")");
    } catch (InterruptedException e) {
      detach();
      return new Result(Kind.INTERRUPTED, 0, 0, 0, "interrupted", "interrupted");
    }
  }

  /**
   * After a push that ended without its answer (a timeout, a broken connection, an interrupt), the HTTP client may
   * still hold the body: the next push is compressed into a new array rather than over it.
   */
  private void detach() {
    snappy.detach();
  }

  /**
   * The push's body as it is, without the copy the JDK's array publisher makes: the array is not written again
   * while a request may still read it ({@link #detach}).
   */
  private static final class ArrayBody implements HttpRequest.BodyPublisher {
    private final byte[] bytes;
    private final int offset;
    private final int length;

    ArrayBody(byte[] bytes, int offset, int length) {
      this.bytes = bytes;
      this.offset = offset;
      this.length = length;
    }

    @Override
    public long contentLength() {
      return length;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
      AtomicBoolean done = new AtomicBoolean();
      subscriber.onSubscribe(new Flow.Subscription() {
        @Override
        public void request(long n) {
          if (!done.compareAndSet(false, true)) {
            return;
          }
          if (n <= 0) {
            subscriber.onError(new IllegalArgumentException("non-positive request: " + n));
            return;
          }
          subscriber.onNext(ByteBuffer.wrap(bytes, offset, length));
          subscriber.onComplete();
        }

        @Override
        public void cancel() {
          done.set(true);
        }
      });
    }
  }

  /** Lets go of the connection pool and its selector thread (JDK 21 and later; the JDK 17 client has no method). */
  void close() {
    try {
      http.getClass().getMethod("shutdownNow").invoke(http);
    } catch (ReflectiveOperationException | RuntimeException e) {
      // JDK 17: the client's selector thread ends once the client is unreachable
    }
  }

  private static String describe(Exception e) {
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + abbreviate(e.getMessage()));
  }

  private static long retryAfter(HttpResponse<?> response) {
    return response.headers().firstValue("Retry-After").map(value -> {
      try {
        return TimeUnit.SECONDS.toNanos(Math.max(0, Math.min(300, Long.parseLong(value.trim()))));
      } catch (NumberFormatException e) {
        return 0L;
      }
    }).orElse(0L);
  }

  static String abbreviate(String text) {
    String flat = text.replaceAll("[\\p{Cntrl}&&[^\\t]]+", " ");
    return flat.length() <= 300 ? flat : flat.substring(0, 300) + "…";
  }
}
