package dev.threadline.loki;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Label;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Type;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.TimestampProto;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Loki's push messages, described in code from grafana/loki {@code pkg/push/push.proto} (package {@code logproto}), so
 * that tests decode and build them with protobuf-java's {@link DynamicMessage}: no protoc, no generated classes, and
 * nothing shared with the appender's own hand-written encoder.
 *
 * <p>Names, field numbers and types are those of the real file, including the fields a client never sends
 * ({@code PushRequest.format = 2}, {@code EntryAdapter.parsed = 4}); the gogoproto options there change the Go code
 * only, never the wire format.
 */
final class LokiReceiverProto {

  /** {@code pkg/push/push.proto}, depending on {@code google/protobuf/timestamp.proto}. */
  static final FileDescriptor FILE = buildFile();
  /** {@code PushRequest { repeated StreamAdapter streams = 1; string format = 2; }} */
  static final Descriptor PUSH_REQUEST = FILE.findMessageTypeByName("PushRequest");
  /** {@code StreamAdapter { string labels = 1; repeated EntryAdapter entries = 2; uint64 hash = 3; }} */
  static final Descriptor STREAM_ADAPTER = FILE.findMessageTypeByName("StreamAdapter");
  /** {@code EntryAdapter { Timestamp timestamp = 1; string line = 2; repeated LabelPairAdapter structuredMetadata = 3; ... }} */
  static final Descriptor ENTRY_ADAPTER = FILE.findMessageTypeByName("EntryAdapter");
  /** {@code LabelPairAdapter { string name = 1; string value = 2; }} */
  static final Descriptor LABEL_PAIR_ADAPTER = FILE.findMessageTypeByName("LabelPairAdapter");
  /** {@code google.protobuf.Timestamp { int64 seconds = 1; int32 nanos = 2; }} */
  static final Descriptor TIMESTAMP = TimestampProto.getDescriptor().findMessageTypeByName("Timestamp");

  private static final FieldDescriptor STREAMS = PUSH_REQUEST.findFieldByNumber(1);
  private static final FieldDescriptor LABELS = STREAM_ADAPTER.findFieldByNumber(1);
  private static final FieldDescriptor ENTRIES = STREAM_ADAPTER.findFieldByNumber(2);
  private static final FieldDescriptor ENTRY_TIMESTAMP = ENTRY_ADAPTER.findFieldByNumber(1);
  private static final FieldDescriptor LINE = ENTRY_ADAPTER.findFieldByNumber(2);
  private static final FieldDescriptor STRUCTURED_METADATA = ENTRY_ADAPTER.findFieldByNumber(3);
  private static final FieldDescriptor PAIR_NAME = LABEL_PAIR_ADAPTER.findFieldByNumber(1);
  private static final FieldDescriptor PAIR_VALUE = LABEL_PAIR_ADAPTER.findFieldByNumber(2);
  private static final FieldDescriptor SECONDS = TIMESTAMP.findFieldByNumber(1);
  private static final FieldDescriptor NANOS = TIMESTAMP.findFieldByNumber(2);

  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private LokiReceiverProto() {
  }

  /**
   * Parses a serialized {@code PushRequest} (already snappy-decoded) into the receiver's neutral model. A missing
   * timestamp reads as the epoch, as in Go, and is then rejected as too old by the rules.
   *
   * @throws InvalidProtocolBufferException when the bytes are not a {@code PushRequest}, including proto3 string
   *     fields that are not valid UTF-8 (protobuf-java checks; Loki's gogo decoder does not)
   */
  static List<LokiReceiverPush.Stream> decode(byte[] message) throws InvalidProtocolBufferException {
    DynamicMessage request = DynamicMessage.parseFrom(PUSH_REQUEST, message);
    int streamCount = request.getRepeatedFieldCount(STREAMS);
    List<LokiReceiverPush.Stream> streams = new ArrayList<>(streamCount);
    for (int s = 0; s < streamCount; s++) {
      Message stream = (Message) request.getRepeatedField(STREAMS, s);
      int entryCount = stream.getRepeatedFieldCount(ENTRIES);
      List<LokiReceiverPush.Entry> entries = new ArrayList<>(entryCount);
      for (int e = 0; e < entryCount; e++) {
        Message entry = (Message) stream.getRepeatedField(ENTRIES, e);
        Message timestamp = (Message) entry.getField(ENTRY_TIMESTAMP);
        long nanos = (Long) timestamp.getField(SECONDS) * NANOS_PER_SECOND + (Integer) timestamp.getField(NANOS);
        int pairCount = entry.getRepeatedFieldCount(STRUCTURED_METADATA);
        List<LokiReceiverPush.Pair> metadata = new ArrayList<>(pairCount);
        for (int p = 0; p < pairCount; p++) {
          Message pair = (Message) entry.getRepeatedField(STRUCTURED_METADATA, p);
          metadata.add(new LokiReceiverPush.Pair((String) pair.getField(PAIR_NAME), (String) pair.getField(PAIR_VALUE)));
        }
        entries.add(new LokiReceiverPush.Entry(nanos, (String) entry.getField(LINE), metadata));
      }
      streams.add(new LokiReceiverPush.Stream((String) stream.getField(LABELS), entries));
    }
    return streams;
  }

  /** Builds the {@code PushRequest} for the model; the receiver uses its size to apply gRPC's limit to JSON too. */
  static DynamicMessage encode(List<LokiReceiverPush.Stream> streams) {
    DynamicMessage.Builder request = DynamicMessage.newBuilder(PUSH_REQUEST);
    for (LokiReceiverPush.Stream stream : streams) {
      DynamicMessage.Builder builder = DynamicMessage.newBuilder(STREAM_ADAPTER).setField(LABELS, stream.labels());
      for (LokiReceiverPush.Entry entry : stream.entries()) {
        DynamicMessage.Builder e = DynamicMessage.newBuilder(ENTRY_ADAPTER)
            .setField(ENTRY_TIMESTAMP, timestamp(entry.timestampNanos()))
            .setField(LINE, entry.line());
        for (LokiReceiverPush.Pair pair : entry.structuredMetadata()) {
          e.addRepeatedField(STRUCTURED_METADATA, labelPair(pair.name(), pair.value()));
        }
        builder.addRepeatedField(ENTRIES, e.build());
      }
      request.addRepeatedField(STREAMS, builder.build());
    }
    return request.build();
  }

  /** A {@code PushRequest} of the given {@code StreamAdapter}s, for tests that build pushes by hand. */
  static DynamicMessage pushRequest(DynamicMessage... streams) {
    DynamicMessage.Builder request = DynamicMessage.newBuilder(PUSH_REQUEST);
    for (DynamicMessage stream : streams) {
      request.addRepeatedField(STREAMS, stream);
    }
    return request.build();
  }

  /** A {@code StreamAdapter} with the label set in its Prometheus text form, e.g. {@code {service="api"}}. */
  static DynamicMessage stream(String labels, DynamicMessage... entries) {
    DynamicMessage.Builder stream = DynamicMessage.newBuilder(STREAM_ADAPTER).setField(LABELS, labels);
    for (DynamicMessage entry : entries) {
      stream.addRepeatedField(ENTRIES, entry);
    }
    return stream.build();
  }

  /** An {@code EntryAdapter}; the structured metadata is written in the map's iteration order. */
  static DynamicMessage entry(long timestampNanos, String line, Map<String, String> structuredMetadata) {
    DynamicMessage.Builder entry = DynamicMessage.newBuilder(ENTRY_ADAPTER)
        .setField(ENTRY_TIMESTAMP, timestamp(timestampNanos))
        .setField(LINE, line);
    structuredMetadata.forEach((name, value) -> entry.addRepeatedField(STRUCTURED_METADATA, labelPair(name, value)));
    return entry.build();
  }

  private static DynamicMessage timestamp(long nanos) {
    return DynamicMessage.newBuilder(TIMESTAMP)
        .setField(SECONDS, Math.floorDiv(nanos, NANOS_PER_SECOND))
        .setField(NANOS, (int) Math.floorMod(nanos, NANOS_PER_SECOND))
        .build();
  }

  private static DynamicMessage labelPair(String name, String value) {
    return DynamicMessage.newBuilder(LABEL_PAIR_ADAPTER).setField(PAIR_NAME, name).setField(PAIR_VALUE, value).build();
  }

  private static FileDescriptor buildFile() {
    FileDescriptorProto file = FileDescriptorProto.newBuilder()
        .setName("pkg/push/push.proto")
        .setPackage("logproto")
        .setSyntax("proto3")
        .addDependency(TimestampProto.getDescriptor().getName())
        .addMessageType(message("PushRequest",
            field("streams", 1, Label.LABEL_REPEATED, Type.TYPE_MESSAGE, ".logproto.StreamAdapter"),
            field("format", 2, Label.LABEL_OPTIONAL, Type.TYPE_STRING, null)))
        .addMessageType(message("PushResponse"))
        .addMessageType(message("StreamAdapter",
            field("labels", 1, Label.LABEL_OPTIONAL, Type.TYPE_STRING, null),
            field("entries", 2, Label.LABEL_REPEATED, Type.TYPE_MESSAGE, ".logproto.EntryAdapter"),
            field("hash", 3, Label.LABEL_OPTIONAL, Type.TYPE_UINT64, null)))
        .addMessageType(message("LabelPairAdapter",
            field("name", 1, Label.LABEL_OPTIONAL, Type.TYPE_STRING, null),
            field("value", 2, Label.LABEL_OPTIONAL, Type.TYPE_STRING, null)))
        .addMessageType(message("EntryAdapter",
            field("timestamp", 1, Label.LABEL_OPTIONAL, Type.TYPE_MESSAGE, ".google.protobuf.Timestamp"),
            field("line", 2, Label.LABEL_OPTIONAL, Type.TYPE_STRING, null),
            field("structuredMetadata", 3, Label.LABEL_REPEATED, Type.TYPE_MESSAGE, ".logproto.LabelPairAdapter"),
            field("parsed", 4, Label.LABEL_REPEATED, Type.TYPE_MESSAGE, ".logproto.LabelPairAdapter")))
        .build();
    try {
      return FileDescriptor.buildFrom(file, new FileDescriptor[] {TimestampProto.getDescriptor()});
    } catch (DescriptorValidationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private static DescriptorProto message(String name, FieldDescriptorProto... fields) {
    DescriptorProto.Builder message = DescriptorProto.newBuilder().setName(name);
    for (FieldDescriptorProto field : fields) {
      message.addField(field);
    }
    return message.build();
  }

  private static FieldDescriptorProto field(String name, int number, Label label, Type type, String typeName) {
    FieldDescriptorProto.Builder field = FieldDescriptorProto.newBuilder()
        .setName(name).setNumber(number).setLabel(label).setType(type);
    if (typeName != null) {
      field.setTypeName(typeName);
    }
    return field.build();
  }
}
