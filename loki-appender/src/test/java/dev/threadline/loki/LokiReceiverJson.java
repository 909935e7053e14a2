package dev.threadline.loki;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Loki's JSON push body, read with Jackson 3 as strictly as Loki's own decoder (grafana/loki
 * {@code pkg/loghttp/entry.go}, {@code pkg/util/unmarshal}):
 * {@code {"streams":[{"stream":{"service":"api"},"values":[["<ns>","<line>",{"trace_id":"..."}]]}]}}.
 *
 * <p>The timestamp must be a JSON string holding a base-10 integer of nanoseconds (a JSON number is refused), the
 * line a string, the optional third element an object of strings, and there is no fourth. The {@code stream} object
 * becomes the label text the way Loki's {@code LabelSet.String()} writes it, names unquoted, so a bad name fails in
 * the same label parser as protobuf pushes. Unknown fields are ignored, as jsoniter does.
 */
final class LokiReceiverJson {

  private static final JsonMapper MAPPER = JsonMapper.builder().build();

  private LokiReceiverJson() {
  }

  static List<LokiReceiverPush.Stream> decode(byte[] json) throws LokiReceiverPush.Rejected {
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (JacksonException e) {
      throw new LokiReceiverPush.Rejected("loghttp.PushRequest: " + e.getOriginalMessage());
    }
    if (root == null || root.isMissingNode()) {
      throw new LokiReceiverPush.Rejected("EOF");
    }
    if (!root.isObject()) {
      throw new LokiReceiverPush.Rejected("loghttp.PushRequest: ReadObject: expect { or n, but found " + root.getNodeType());
    }
    List<LokiReceiverPush.Stream> streams = new ArrayList<>();
    for (JsonNode stream : array(root.get("streams"), "loghttp.PushRequest.Streams")) {
      if (!stream.isObject()) {
        throw new LokiReceiverPush.Rejected("loghttp.PushRequest.Streams: expect { or n, but found " + stream.getNodeType());
      }
      String labels = labelText(strings(stream.get("stream"), "loghttp.Stream.Labels"));
      List<LokiReceiverPush.Entry> entries = new ArrayList<>();
      for (JsonNode value : array(stream.get("values"), "loghttp.Stream.Entries")) {
        entries.add(entry(value));
      }
      streams.add(new LokiReceiverPush.Stream(labels, entries));
    }
    return streams;
  }

  private static LokiReceiverPush.Entry entry(JsonNode value) throws LokiReceiverPush.Rejected {
    String where = "loghttp.Stream.Entries: ";
    if (!value.isArray()) {
      throw new LokiReceiverPush.Rejected(where + "ReadArray: expect [ or n, but found " + value.getNodeType());
    }
    if (value.size() > 3) {
      throw new LokiReceiverPush.Rejected(where + "error reading entry, array must contains 2 values");
    }
    JsonNode timestamp = value.get(0);
    if (timestamp == null || !timestamp.isString()) {
      throw new LokiReceiverPush.Rejected(where + "ReadString: expects \" or n, but found "
          + (timestamp == null ? "]" : timestamp.getNodeType() + " " + timestamp));
    }
    long nanos;
    try {
      nanos = Long.parseLong(timestamp.stringValue());
    } catch (NumberFormatException e) {
      throw new LokiReceiverPush.Rejected(where + "error reading entry timestamp, strconv.ParseInt: parsing \""
          + timestamp.stringValue() + "\": invalid syntax");
    }
    JsonNode line = value.get(1);
    if (line != null && !line.isString() && !line.isNull()) {
      throw new LokiReceiverPush.Rejected(where + "ReadString: expects \" or n, but found " + line.getNodeType());
    }
    List<LokiReceiverPush.Pair> metadata = new ArrayList<>();
    strings(value.get(2), where + "structured metadata").forEach((k, v) -> metadata.add(new LokiReceiverPush.Pair(k, v)));
    return new LokiReceiverPush.Entry(nanos, line == null || line.isNull() ? "" : line.stringValue(), metadata);
  }

  private static Iterable<JsonNode> array(JsonNode node, String where) throws LokiReceiverPush.Rejected {
    if (node == null || node.isNull()) {
      return List.of();
    }
    if (!node.isArray()) {
      throw new LokiReceiverPush.Rejected(where + ": ReadArray: expect [ or n, but found " + node.getNodeType());
    }
    return node;
  }

  /** An object of strings, in document order (a repeated name keeps its last value, as a Go map would). */
  private static Map<String, String> strings(JsonNode node, String where) throws LokiReceiverPush.Rejected {
    Map<String, String> strings = new LinkedHashMap<>();
    if (node == null || node.isNull()) {
      return strings;
    }
    if (!node.isObject()) {
      throw new LokiReceiverPush.Rejected(where + ": ReadMapCB: expect { or n, but found " + node.getNodeType());
    }
    for (Map.Entry<String, JsonNode> property : node.properties()) {
      if (!property.getValue().isString()) {
        throw new LokiReceiverPush.Rejected(where + ": ReadString: expects \" or n, but found "
            + property.getValue().getNodeType() + " for \"" + property.getKey() + "\"");
      }
      strings.put(property.getKey(), property.getValue().stringValue());
    }
    return strings;
  }

  /** Loki's {@code loghttp.LabelSet.String()}: sorted, names as they are, values quoted. */
  private static String labelText(Map<String, String> labels) {
    StringBuilder text = new StringBuilder("{");
    for (Map.Entry<String, String> label : new TreeMap<>(labels).entrySet()) {
      if (text.length() > 1) {
        text.append(", ");
      }
      text.append(label.getKey()).append('=');
      LokiReceiverLabels.quote(label.getValue(), text);
    }
    return text.append('}').toString();
  }
}
