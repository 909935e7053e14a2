package dev.threadline.loki;

/**
 * One event, ready to ship: its stream's label set, its timestamp, its encoded line, its structured metadata.
 * Made on the application thread by {@link LokiAppender}; read by the sender thread only. It is also its own node in
 * the {@link RecordQueue}, so queueing an event allocates nothing more.
 */
final class LokiRecord {

  /** The structured metadata names, in the order of {@link #metadata(int)}. */
  static final String[] METADATA_NAMES = {"requestId", "trace_id", "span_id", "error_fingerprint"};
  /** A bound on what one entry adds to a push besides its line and metadata: tags, lengths, timestamp. */
  static final int ENTRY_OVERHEAD = 48;

  final LabelSet labels;
  final long epochSecond;
  final int nanos;
  private final String requestId;
  private final String traceId;
  private final String spanId;
  private final String fingerprint;
  /** Further metadata pairs (name, value, …), e.g. MDC label values past their allowance; {@code null} if none. */
  final String[] extra;
  /** What the metadata adds to the budget: its characters and 24 per value. */
  private final int metadataBytes;
  // The line: set once, by the application thread, before the record is queued (the queue publishes it).
  /** The array that holds the line: a {@link LineSlabs} slab, or the line's own. */
  byte[] line;
  /** Where the line starts in {@link #line}. */
  int lineOffset;
  /** The line's length without its trailing newline. */
  int lineLength;
  /** The line's length as stored, newline included. */
  int storedLength;
  /** The slab that holds the line, {@code null} if the line has an array of its own. */
  LineSlabs.Slab slab;
  /** What this record counts against the byte budget. */
  int budgetBytes;
  /**
   * A bound on what this record adds to an encoded push, its stream's labels included (as if it were alone in its
   * stream), so a batch whose records' bounds sum under the request limit encodes under it.
   */
  int requestBytes;
  /** The next record in the queue; written once, by the producer that queued it. */
  volatile LokiRecord next;

  /** A record whose line is {@code line}, all of it. */
  LokiRecord(LabelSet labels, long epochSecond, int nanos, byte[] line, String requestId, String traceId,
      String spanId, String fingerprint, String[] extra) {
    this(labels, epochSecond, nanos, requestId, traceId, spanId, fingerprint, extra);
    line(line, 0, line.length, null);
  }

  /** A record without its line yet: {@link #line(byte[], int, int, LineSlabs.Slab)} sets it. */
  LokiRecord(LabelSet labels, long epochSecond, int nanos, String requestId, String traceId, String spanId,
      String fingerprint, String[] extra) {
    this.labels = labels;
    this.epochSecond = epochSecond;
    this.nanos = nanos;
    this.requestId = requestId;
    this.traceId = traceId;
    this.spanId = spanId;
    this.fingerprint = fingerprint;
    this.extra = extra;
    int metadata = length(requestId) + length(traceId) + length(spanId) + length(fingerprint);
    if (extra != null) {
      for (String s : extra) {
        metadata += length(s);
      }
    }
    this.metadataBytes = metadata;
  }

  /** Sets the line: {@code bytes[offset, offset + length)}, held in {@code slab} ({@code null}: its own array). */
  void line(byte[] bytes, int offset, int length, LineSlabs.Slab slab) {
    this.line = bytes;
    this.lineOffset = offset;
    this.storedLength = length;
    this.lineLength = length > 0 && bytes[offset + length - 1] == '\n' ? length - 1 : length;
    this.slab = slab;
    this.budgetBytes = 64 + length + metadataBytes;
    // Metadata values are at most 3 UTF-8 bytes per char; length() already adds 24 per value for framing.
    this.requestBytes = ENTRY_OVERHEAD + lineLength + 3 * metadataBytes
        + (labels == null ? 0 : labels.utf8().length + 16);
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
    return requestId != null || traceId != null || spanId != null || fingerprint != null || extra != null;
  }

  private static int length(String value) {
    return value == null ? 0 : 24 + value.length();
  }
}
