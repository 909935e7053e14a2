package dev.threadline.logback;

/** The reusable working state of encoding one event: the byte buffer and the names of the fields written so far. */
final class LineContext implements java.util.function.BiConsumer<String, String> {

  final JsonBuffer buffer;
  /** User field names written in the current line, to keep keys unique. */
  String[] fieldNames = new String[16];
  int fieldCount;
  /** Set for the duration of the MDC walk, so this context can be the walk's callback without a lambda. */
  LineWriter mdcWriter;
  dev.threadline.core.MdcKeys mdcKeys;
  /**
   * Which correlation values (1 request id, 2 trace id, 4 span id) were written in their schema keys, so the MDC
   * walk leaves them out without validating them again.
   */
  int correlationWritten;
  /** The frames the line's stack text looked up, for its fingerprint. */
  final FrameMemo frames = new FrameMemo();

  LineContext(int initialBytes) {
    buffer = new JsonBuffer(initialBytes);
  }

  void reset() {
    buffer.reset();
    java.util.Arrays.fill(fieldNames, 0, fieldCount, null);
    fieldCount = 0;
    mdcWriter = null;
    mdcKeys = null;
    correlationWritten = 0;
    frames.clear();
  }

  @Override
  public void accept(String key, String value) {
    mdcWriter.mdcEntry(this, mdcKeys, key, value);
  }

  boolean hasField(String name) {
    for (int i = 0; i < fieldCount; i++) {
      if (fieldNames[i].equals(name)) {
        return true;
      }
    }
    return false;
  }

  void addField(String name) {
    if (fieldCount == fieldNames.length) {
      fieldNames = java.util.Arrays.copyOf(fieldNames, fieldCount * 2);
    }
    fieldNames[fieldCount++] = name;
  }
}
