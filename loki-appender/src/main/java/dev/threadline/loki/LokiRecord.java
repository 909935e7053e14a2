package dev.threadline.loki;

/**
 * One event, ready to ship: its stream's label set, its timestamp, its encoded line, its structured metadata.
 * Made on the application thread by {@link LokiAppender#append}; read by the sender thread only.
 */
final class LokiRecord {

  /** The label set in Loki's text form, {@code {service="api", level="info"}}; shared between records. */
  final String labels;
  final long epochSecond;
  final int nanos;
  final byte[] line;
  /** The line's length without its trailing newline. */
  final int lineLength;
  /** Structured metadata as name, value, name, value…; never {@code null}. */
  final String[] metadata;
  /** What this record counts against the byte budget. */
  final int budgetBytes;

  LokiRecord(String labels, long epochSecond, int nanos, byte[] line, String[] metadata) {
    this.labels = labels;
    this.epochSecond = epochSecond;
    this.nanos = nanos;
    this.line = line;
    this.lineLength = line.length > 0 && line[line.length - 1] == '\n' ? line.length - 1 : line.length;
    this.metadata = metadata;
    int size = 64 + line.length;
    for (String m : metadata) {
      size += 8 + m.length();
    }
    this.budgetBytes = size;
  }
}
