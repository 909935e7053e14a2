package dev.threadline.loki;

/**
 * One event, ready to ship: its stream's label set, its timestamp, its encoded line, its structured metadata.
 * Made on the application thread by {@link LokiAppender#append}; read by the sender thread only. It is also its own
 * node in the {@link RecordQueue}, so queueing an event allocates nothing more.
 */
final class LokiRecord {

  /** The structured metadata names, in the order of {@link #metadata(int)}. */
  static final String[] METADATA_NAMES = {"requestId", "trace_id", "span_id", "error_fingerprint"};

  /** The label set in Loki's text form, {@code {service="api", level="info"}}; shared between records. */
  final String labels;
  final long epochSecond;
  final int nanos;
  final byte[] line;
  /** The line's length without its trailing newline. */
  final int lineLength;
  private final String requestId;
  private final String traceId;
  private final String spanId;
  private final String fingerprint;
  /** What this record counts against the byte budget. */
  final int budgetBytes;
  /** The next record in the queue; written once, by the producer that queued it. */
  volatile LokiRecord next;

  LokiRecord(String labels, long epochSecond, int nanos, byte[] line, String requestId, String traceId,
      String spanId, String fingerprint) {
    this.labels = labels;
    this.epochSecond = epochSecond;
    this.nanos = nanos;
    this.line = line;
    this.lineLength = line.length > 0 && line[line.length - 1] == '\n' ? line.length - 1 : line.length;
    this.requestId = requestId;
    this.traceId = traceId;
    this.spanId = spanId;
    this.fingerprint = fingerprint;
    this.budgetBytes = 64 + line.length + length(requestId) + length(traceId) + length(spanId) + length(fingerprint);
  }

  /** The value of structured metadata {@code k} (named by {@link #METADATA_NAMES}), or {@code null} if absent. */
  String metadata(int k) {
    switch (k) {
      case 0:
        return requestId;
      case 1:
        return traceId;
      case 2:
        return spanId;
      default:
        return fingerprint;
    }
  }

  boolean hasMetadata() {
    return requestId != null || traceId != null || spanId != null || fingerprint != null;
  }

  private static int length(String value) {
    return value == null ? 0 : 24 + value.length();
  }
}
