package dev.threadline.loki;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * Encodes a batch as Loki's JSON push body, the alternative to protobuf:
 * {@code {"streams":[{"stream":{"service":"api"},"values":[["<ns>","<line>",{"trace_id":"…"}]]}]}}, timestamps as
 * nanosecond strings (Loki refuses numbers), structured metadata as the optional third element; gzip on request.
 * Not thread-safe (the sender's own).
 */
final class JsonPushWriter {

  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  private final ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 16);
  private int uncompressed;

  /** The body for {@code records}, gzipped when {@code gzip}; {@link #uncompressedLength()} tells its size before. */
  byte[] write(List<LokiRecord> records, boolean gzip) throws IOException {
    out.reset();
    Map<LabelSet, List<LokiRecord>> streams = new LinkedHashMap<>();
    for (LokiRecord r : records) {
      streams.computeIfAbsent(r.labels, k -> new ArrayList<>()).add(r);
    }
    ascii("{\"streams\":[");
    boolean firstStream = true;
    for (Map.Entry<LabelSet, List<LokiRecord>> stream : streams.entrySet()) {
      if (!firstStream) {
        out.write(',');
      }
      firstStream = false;
      ascii("{\"stream\":{");
      LabelSet labels = stream.getKey();
      for (int i = 0; i < labels.size(); i++) {
        if (i > 0) {
          out.write(',');
        }
        string(labels.name(i));
        out.write(':');
        string(labels.value(i));
      }
      ascii("},\"values\":[");
      boolean firstValue = true;
      for (LokiRecord r : stream.getValue()) {
        if (!firstValue) {
          out.write(',');
        }
        firstValue = false;
        ascii("[\"");
        ascii(Long.toString(r.epochSecond));
        String nanos = Integer.toString(r.nanos);
        ascii("000000000".substring(nanos.length()));
        ascii(nanos);
        ascii("\",\"");
        escapeUtf8(r.line, r.lineOffset, r.lineLength);
        out.write('"');
        if (r.hasMetadata()) {
          ascii(",{");
          boolean firstPair = true;
          for (int k = 0; k < LokiRecord.METADATA_NAMES.length; k++) {
            String value = r.metadata(k);
            if (value != null) {
              if (!firstPair) {
                out.write(',');
              }
              firstPair = false;
              string(LokiRecord.METADATA_NAMES[k]);
              out.write(':');
              string(value);
            }
          }
          if (r.extra != null) {
            for (int k = 0; k < r.extra.length; k += 2) {
              if (!firstPair) {
                out.write(',');
              }
              firstPair = false;
              string(r.extra[k]);
              out.write(':');
              string(r.extra[k + 1]);
            }
          }
          out.write('}');
        }
        out.write(']');
      }
      ascii("]}");
    }
    ascii("]}");
    uncompressed = out.size();
    if (!gzip) {
      return out.toByteArray();
    }
    ByteArrayOutputStream zipped = new ByteArrayOutputStream(out.size() / 4 + 64);
    try (GZIPOutputStream gz = new GZIPOutputStream(zipped)) {
      out.writeTo(gz);
    }
    return zipped.toByteArray();
  }

  /** The size of the last body before gzip. */
  int uncompressedLength() {
    return uncompressed;
  }

  private void ascii(String s) {
    for (int i = 0; i < s.length(); i++) {
      out.write(s.charAt(i));
    }
  }

  private void string(String s) {
    out.write('"');
    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
    escapeUtf8(utf8, 0, utf8.length);
    out.write('"');
  }

  /** Escapes UTF-8 bytes into a JSON string's content; bytes of multi-byte characters pass through. */
  private void escapeUtf8(byte[] bytes, int offset, int length) {
    for (int i = offset; i < offset + length; i++) {
      int b = bytes[i] & 0xFF;
      if (b == '"' || b == '\\') {
        out.write('\\');
        out.write(b);
      } else if (b < 0x20) {
        out.write('\\');
        out.write('u');
        out.write('0');
        out.write('0');
        out.write(HEX[b >> 4]);
        out.write(HEX[b & 0xF]);
      } else {
        out.write(b);
      }
    }
  }
}
