package dev.threadline.loki;

import com.google.protobuf.InvalidProtocolBufferException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/**
 * Turns a push request's body into streams the way Loki's {@code ParseLokiRequest} does (grafana/loki
 * {@code pkg/loghttp/push/push.go}): first the {@code Content-Encoding} ({@code ""} and {@code snappy} pass the
 * body on, {@code gzip} and {@code deflate} unwrap it, anything else is refused), then the media type of
 * {@code Content-Type}: {@code application/json} is JSON, any other valid media type is a snappy block holding a
 * protobuf {@code PushRequest}.
 *
 * <p>A missing or empty {@code Content-Type} is refused with Go's {@code mime: no media type}: Loki calls
 * {@code mime.ParseMediaType} before its switch, so the comment there promising protobuf for "no content-type" is
 * not what the code does.
 */
final class LokiReceiverPush {

  /** The media type that selects the JSON decoder; every other one selects protobuf. */
  static final String APPLICATION_JSON = "application/json";

  /** One stream as sent: the label set in its text form, not yet parsed or validated. */
  record Stream(String labels, List<Entry> entries) {
  }

  /** One entry as sent; the structured metadata keeps the order and any repeats of the wire. */
  record Entry(long timestampNanos, String line, List<Pair> structuredMetadata) {
  }

  /** A name and a value. */
  record Pair(String name, String value) {
  }

  /**
   * A decoded body.
   *
   * @param streams what the body carried
   * @param decodedBytes the body after content decoding: the JSON document, or the protobuf message after snappy
   * @param messageBytes the size of the protobuf {@code PushRequest} these streams make, on which gRPC's receive
   *     limit acts; for protobuf the same as {@code decodedBytes}
   */
  record Decoded(List<Stream> streams, int decodedBytes, int messageBytes) {
  }

  /** A request Loki refuses before validating anything; Loki answers these with 400 and the message. */
  static final class Rejected extends Exception {
    private static final long serialVersionUID = 1L;

    Rejected(String message) {
      super(message, null, false, false);
    }
  }

  private LokiReceiverPush() {
  }

  /** Decodes a body; {@code contentType} and {@code contentEncoding} are the header values, or null when absent. */
  static Decoded decode(String contentType, String contentEncoding, byte[] body) throws Rejected {
    byte[] plain = contentDecode(contentEncoding == null ? "" : contentEncoding, body);
    if (APPLICATION_JSON.equals(mediaType(contentType))) {
      List<Stream> streams = LokiReceiverJson.decode(plain);
      return new Decoded(streams, plain.length, LokiReceiverProto.encode(streams).getSerializedSize());
    }
    byte[] message;
    try {
      message = org.xerial.snappy.Snappy.uncompress(plain);
    } catch (IOException | RuntimeException e) {
      throw new Rejected("snappy: corrupt input");
    }
    try {
      return new Decoded(LokiReceiverProto.decode(message), message.length, message.length);
    } catch (InvalidProtocolBufferException e) {
      throw new Rejected("proto: " + e.getMessage());
    }
  }

  private static byte[] contentDecode(String contentEncoding, byte[] body) throws Rejected {
    switch (contentEncoding) {
      case "":
      case "snappy": // snappy is undone with the protobuf below; clients sometimes say so (grafana/loki#3407)
        return body;
      case "gzip":
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
          return in.readAllBytes();
        } catch (IOException e) {
          throw new Rejected("gzip: " + e.getMessage());
        }
      case "deflate": // Go's compress/flate: raw DEFLATE, no zlib header
        Inflater inflater = new Inflater(true);
        try (InputStream in = new InflaterInputStream(new ByteArrayInputStream(body), inflater)) {
          return in.readAllBytes();
        } catch (IOException e) {
          throw new Rejected("flate: corrupt input: " + e.getMessage());
        } finally {
          inflater.end();
        }
      default:
        throw new Rejected("Content-Encoding \"" + contentEncoding + "\" not supported");
    }
  }

  /** Go's {@code mime.ParseMediaType}, as far as it decides between accepting and refusing a header. */
  static String mediaType(String contentType) throws Rejected {
    String value = contentType == null ? "" : contentType;
    int semicolon = value.indexOf(';');
    String base = (semicolon < 0 ? value : value.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    int type = tokenEnd(base, 0);
    if (type == 0) {
      throw new Rejected("mime: no media type");
    }
    if (type == base.length()) {
      return base;
    }
    if (base.charAt(type) != '/') {
      throw new Rejected("mime: expected slash after first token");
    }
    int subtype = tokenEnd(base, type + 1);
    if (subtype == type + 1) {
      throw new Rejected("mime: expected token after slash");
    }
    if (subtype != base.length()) {
      throw new Rejected("mime: unexpected content after media subtype");
    }
    return base;
  }

  private static int tokenEnd(String s, int from) {
    int i = from;
    while (i < s.length() && isTokenChar(s.charAt(i))) {
      i++;
    }
    return i;
  }

  private static boolean isTokenChar(char c) {
    return c > 0x20 && c < 0x7f && "()<>@,;:\\\"/[]?=".indexOf(c) < 0;
  }
}
