package dev.threadline.loki;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Encodes Loki's {@code logproto.PushRequest} as protobuf by hand, so the application needs no protobuf runtime
 * (and none of its version conflicts). The five messages, from Loki's {@code pkg/push/push.proto}:
 *
 * <pre>
 * PushRequest      { repeated StreamAdapter streams = 1; }
 * StreamAdapter    { string labels = 1; repeated EntryAdapter entries = 2; }
 * EntryAdapter     { google.protobuf.Timestamp timestamp = 1; string line = 2;
 *                    repeated LabelPairAdapter structuredMetadata = 3; }
 * LabelPairAdapter { string name = 1; string value = 2; }
 * Timestamp        { int64 seconds = 1; int32 nanos = 2; }
 * </pre>
 *
 * Sizes are computed first, then bytes written once into a reused buffer. Not thread-safe (the sender's own).
 */
final class PushRequestWriter {

  private static final int LEN_1 = 1 << 3 | 2;
  private static final int LEN_2 = 2 << 3 | 2;
  private static final int LEN_3 = 3 << 3 | 2;
  private static final int VARINT_1 = 1 << 3;
  private static final int VARINT_2 = 2 << 3;

  private static final byte[][] NAMES = new byte[LokiRecord.METADATA_NAMES.length][];

  static {
    for (int k = 0; k < NAMES.length; k++) {
      NAMES[k] = LokiRecord.METADATA_NAMES[k].getBytes(StandardCharsets.UTF_8);
    }
  }

  private byte[] out = new byte[1 << 16];
  private int pos;
  private int[] entrySizes = new int[1024];
  /** How many values are remembered per metadata name (a power of two). */
  private static final int RECENT = 8;
  private final String[] recent = new String[NAMES.length * RECENT];
  private final byte[][] recentBytes = new byte[NAMES.length * RECENT][];
  private final int[] next = new int[NAMES.length];

  /** Groups {@code records} by stream, in order of first appearance, and encodes them; returns the length. */
  int write(List<LokiRecord> records) {
    pos = 0;
    LabelSet only = records.isEmpty() ? null : records.get(0).labels;
    for (int i = 1; i < records.size() && only != null; i++) {
      if (records.get(i).labels != only) {
        only = null;
      }
    }
    if (only != null) {
      // The usual batch: one stream (labels that do not change from event to event); no grouping needed.
      stream(only.utf8(), records);
      return pos;
    }
    Map<LabelSet, List<LokiRecord>> streams = new LinkedHashMap<>();
    for (LokiRecord r : records) {
      streams.computeIfAbsent(r.labels, k -> new java.util.ArrayList<>()).add(r);
    }
    for (Map.Entry<LabelSet, List<LokiRecord>> stream : streams.entrySet()) {
      stream(stream.getKey().utf8(), stream.getValue());
    }
    return pos;
  }

  private void stream(byte[] labels, List<LokiRecord> entries) {
    if (entrySizes.length < entries.size()) {
      entrySizes = new int[Math.max(entries.size(), entrySizes.length * 2)];
    }
    int streamSize = field(labels.length);
    for (int i = 0; i < entries.size(); i++) {
      entrySizes[i] = entrySize(entries.get(i));
      streamSize += field(entrySizes[i]);
    }
    ensure(field(streamSize));
    tag(LEN_1);
    varint(streamSize);
    bytes(LEN_1, labels);
    for (int i = 0; i < entries.size(); i++) {
      LokiRecord r = entries.get(i);
      tag(LEN_2);
      varint(entrySizes[i]);
      int ts = timestampSize(r);
      tag(LEN_1);
      varint(ts);
      if (r.epochSecond != 0) {
        tag(VARINT_1);
        varint64(r.epochSecond);
      }
      if (r.nanos != 0) {
        tag(VARINT_2);
        varint64(r.nanos);
      }
      tag(LEN_2);
      varint(r.lineLength);
      System.arraycopy(r.line, r.lineOffset, out, pos, r.lineLength);
      pos += r.lineLength;
      for (int k = 0; k < NAMES.length; k++) {
        String value = r.metadata(k);
        if (value != null) {
          byte[] bytes = utf8(k, value);
          tag(LEN_3);
          varint(field(NAMES[k].length) + field(bytes.length));
          bytes(LEN_1, NAMES[k]);
          bytes(LEN_2, bytes);
        }
      }
      if (r.extra != null) {
        for (int k = 0; k < r.extra.length; k += 2) {
          byte[] name = r.extra[k].getBytes(StandardCharsets.UTF_8);
          byte[] value = r.extra[k + 1].getBytes(StandardCharsets.UTF_8);
          tag(LEN_3);
          varint(field(name.length) + field(value.length));
          bytes(LEN_1, name);
          bytes(LEN_2, value);
        }
      }
    }
  }

  /** The buffer the last {@link #write} filled. */
  byte[] buffer() {
    return out;
  }

  private int entrySize(LokiRecord r) {
    int size = field(timestampSize(r)) + field(r.lineLength);
    for (int k = 0; k < NAMES.length; k++) {
      String value = r.metadata(k);
      if (value != null) {
        size += field(field(NAMES[k].length) + field(utf8(k, value).length));
      }
    }
    if (r.extra != null) {
      for (int k = 0; k < r.extra.length; k += 2) {
        size += field(field(utf8Length(r.extra[k])) + field(utf8Length(r.extra[k + 1])));
      }
    }
    return size;
  }

  /**
   * Metadata value {@code k} in UTF-8, from a few remembered per name: values repeat from one event to the next (a
   * request's MDC values are the same strings, and a few requests are under way at once), so most lookups are a
   * few comparisons.
   */
  private byte[] utf8(int k, String value) {
    int base = k * RECENT;
    for (int i = base; i < base + RECENT; i++) {
      if (recent[i] == value) {
        return recentBytes[i];
      }
    }
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    int slot = base + (next[k]++ & (RECENT - 1));
    recent[slot] = value;
    recentBytes[slot] = bytes;
    return bytes;
  }

  private static int utf8Length(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  private static int timestampSize(LokiRecord r) {
    return (r.epochSecond != 0 ? 1 + varint64Size(r.epochSecond) : 0) + (r.nanos != 0 ? 1 + varint64Size(r.nanos) : 0);
  }

  /** The size of a length-delimited field of one-byte tag and {@code length} bytes of content. */
  private static int field(int length) {
    return 1 + varint64Size(length) + length;
  }

  private static int varint64Size(long value) {
    int size = 1;
    while ((value & ~0x7FL) != 0) {
      value >>>= 7;
      size++;
    }
    return size;
  }

  private void ensure(int extra) {
    if (pos + extra > out.length) {
      out = Arrays.copyOf(out, Math.max(out.length * 2, pos + extra));
    }
  }

  private void tag(int tag) {
    out[pos++] = (byte) tag;
  }

  private void bytes(int tag, byte[] value) {
    tag(tag);
    varint(value.length);
    System.arraycopy(value, 0, out, pos, value.length);
    pos += value.length;
  }

  private void varint(int value) {
    varint64(value & 0xFFFF_FFFFL);
  }

  private void varint64(long value) {
    while ((value & ~0x7FL) != 0) {
      out[pos++] = (byte) ((value & 0x7F) | 0x80);
      value >>>= 7;
    }
    out[pos++] = (byte) value;
  }
}
