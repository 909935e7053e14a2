package dev.threadline.logback;

import java.util.concurrent.ConcurrentHashMap;

/**
 * What the encoder needs of each stack frame, computed once per distinct frame: its line of {@code error.stack}
 * (already escaped for JSON), its share of the error fingerprint, and whether the filter excludes it. Errors repeat
 * (the same code paths fail again and again), so most frames of an error are found here and cost one lookup and
 * one copy instead of escaping, filtering and hashing their names.
 *
 * <p>Bounded: once {@value #MAX_FRAMES} frames are cached, new ones are computed each time and not kept. Owned by
 * one encoder, so it goes when the encoder goes (no static state to pin a class loader).
 */
final class FrameCache {

  static final int MAX_FRAMES = 16_384;

  /** One frame, resolved. */
  static final class Frame {
    /** {@code \tat class.method(File.java:12)\n}, JSON-escaped, without indentation. */
    final byte[] line;
    final long hash;
    final boolean excluded;

    Frame(byte[] line, long hash, boolean excluded) {
      this.line = line;
      this.hash = hash;
      this.excluded = excluded;
    }
  }

  private final FrameFilter filter;
  private final ConcurrentHashMap<StackTraceElement, Frame> frames = new ConcurrentHashMap<>();

  FrameCache(FrameFilter filter) {
    this.filter = filter;
  }

  FrameFilter filter() {
    return filter;
  }

  Frame get(StackTraceElement element) {
    Frame frame = frames.get(element);
    if (frame == null) {
      frame = resolve(element);
      if (frames.size() < MAX_FRAMES) {
        frames.putIfAbsent(element, frame);
      }
    }
    return frame;
  }

  private Frame resolve(StackTraceElement element) {
    boolean excluded = filter.excludes(element.getClassName());
    JsonBuffer out = new JsonBuffer(128);
    render(out, element);
    return new Frame(out.toByteArray(), excluded ? 0 : ErrorFingerprint.frameHash(element), excluded);
  }

  /** Writes {@code \tat class.method(File.java:12)\n}, JSON-escaped. */
  static void render(JsonBuffer out, StackTraceElement frame) {
    out.escape("\tat ", 0, 4);
    String cls = frame.getClassName();
    out.escape(cls, 0, cls.length());
    out.raw((byte) '.');
    String method = frame.getMethodName();
    out.escape(method, 0, method.length());
    out.raw((byte) '(');
    int lineNumber = frame.getLineNumber();
    if (lineNumber == -2) {
      out.escape("Native Method", 0, 13);
    } else {
      String file = frame.getFileName();
      if (file == null) {
        out.escape("Unknown Source", 0, 14);
      } else {
        out.escape(file, 0, file.length());
        if (lineNumber >= 0) {
          out.raw((byte) ':');
          out.number(lineNumber);
        }
      }
    }
    out.raw((byte) ')');
    out.raw((byte) '\\');
    out.raw((byte) 'n');
  }
}
