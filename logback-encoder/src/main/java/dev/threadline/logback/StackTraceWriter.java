package dev.threadline.logback;

import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;

/**
 * Writes a throwable's whole story as the text of one JSON string, straight into the line's buffer: the cause
 * chain ({@code Caused by:}), suppressed exceptions ({@code Suppressed:}, indented), frames shared with the
 * enclosing trace folded into {@code ... N common frames omitted}, excluded frames counted, cycles marked.
 *
 * <p>Caps: at most {@code maxDepth} frames per throwable, at most {@code maxBytes} bytes of text in all, at most
 * {@value #MAX_CHAIN} throwables deep. Optionally the root cause comes first, each enclosing exception after it as
 * {@code Wrapped by:}.
 */
final class StackTraceWriter {

  static final int MAX_CHAIN = 32;
  static final int MAX_SUPPRESSED_NESTING = 4;
  /** How far a cause chain is walked at all, in case no cycle is marked. */
  static final int MAX_WALK = 1024;

  private final FrameCache frames;
  private final int maxDepth;
  private final int maxBytes;
  private final int maxMessageChars;
  private final boolean rootCauseFirst;
  private final Redactor redactor;

  StackTraceWriter(
      FrameCache frames, int maxDepth, int maxBytes, int maxMessageChars, boolean rootCauseFirst,
      Redactor redactor) {
    this.frames = frames;
    this.maxDepth = maxDepth;
    this.maxBytes = maxBytes;
    this.maxMessageChars = maxMessageChars;
    this.rootCauseFirst = rootCauseFirst;
    this.redactor = redactor;
  }

  /** A copy with smaller caps, for a line that came out too long. */
  StackTraceWriter shrunk(int bytes, int depth) {
    return new StackTraceWriter(
        frames, Math.min(maxDepth, depth), Math.min(maxBytes, bytes), Math.min(maxMessageChars, bytes),
        rootCauseFirst, redactor);
  }

  /** Writes the stack text of {@code throwable} as a quoted JSON string. */
  void write(JsonBuffer out, IThrowableProxy throwable) {
    write(out, throwable, null);
  }

  /**
   * Writes the stack text of {@code throwable} as a quoted JSON string, recording the frames it looks up in
   * {@code memo} (when not null) for the fingerprint that follows.
   */
  void write(JsonBuffer out, IThrowableProxy throwable, FrameMemo memo) {
    out.raw((byte) '"');
    int start = out.size;
    if (rootCauseFirst) {
      // Keep the innermost MAX_CHAIN throwables (the root cause first of all) in a ring; count the outer ones left.
      IThrowableProxy[] ring = new IThrowableProxy[MAX_CHAIN];
      int seen = 0;
      for (IThrowableProxy t = throwable; t != null && seen < MAX_WALK; t = t.getCause()) {
        ring[seen++ % MAX_CHAIN] = t;
        if (t.isCyclic()) {
          break;
        }
      }
      int kept = Math.min(seen, MAX_CHAIN);
      for (int i = 0; i < kept && !full(out, start); i++) {
        IThrowableProxy t = ring[(seen - 1 - i) % MAX_CHAIN];
        one(out, start, t, i == 0 ? "" : "Wrapped by: ", "", false, 0, memo);
      }
      if (seen > kept) {
        line(out, "", "[" + (seen - kept) + " outer exceptions not shown]");
      }
    } else {
      chain(out, start, throwable, "", "", 0, memo);
    }
    // Drop the trailing newline: the last line needs none.
    if (out.size >= start + 2 && out.bytes[out.size - 2] == '\\' && out.bytes[out.size - 1] == 'n') {
      out.size -= 2;
    }
    out.raw((byte) '"');
  }

  /** Writes {@code throwable} and its causes; {@code nesting} counts how deep in suppressed exceptions we are. */
  private void chain(
      JsonBuffer out, int start, IThrowableProxy throwable, String prefix, String indent, int nesting,
      FrameMemo memo) {
    int depth = 0;
    for (IThrowableProxy t = throwable; t != null && !full(out, start); t = t.getCause()) {
      if (++depth > MAX_CHAIN) {
        line(out, indent, "[cause chain truncated]");
        break;
      }
      one(out, start, t, depth == 1 ? prefix : "Caused by: ", indent, true, nesting, memo);
      if (t.isCyclic()) {
        break;
      }
    }
  }

  private boolean full(JsonBuffer out, int start) {
    return out.size - start >= maxBytes;
  }

  private void one(
      JsonBuffer out, int start, IThrowableProxy t, String prefix, String indent, boolean foldCommon,
      int nesting, FrameMemo memo) {
    out.escape(indent, 0, indent.length());
    out.escape(prefix, 0, prefix.length());
    if (t.isCyclic()) {
      out.escape("[CIRCULAR REFERENCE: ", 0, 21);
      header(out, t);
      out.raw((byte) ']');
      newline(out);
      return;
    }
    header(out, t);
    newline(out);
    StackTraceElementProxy[] elements = t.getStackTraceElementProxyArray();
    int common =
        foldCommon ? Math.max(0, Math.min(t.getCommonFrames(), elements == null ? 0 : elements.length)) : 0;
    int count = elements == null ? 0 : elements.length - common;
    int written = 0;
    int excluded = 0;
    for (int i = 0; i < count; i++) {
      if (full(out, start)) {
        line(out, indent, "\t... [stack truncated]");
        return;
      }
      StackTraceElement element = elements[i] == null ? null : elements[i].getStackTraceElement();
      if (element == null) {
        continue;
      }
      FrameCache.Frame frame = this.frames.get(element);
      if (memo != null) {
        memo.record(element, frame);
      }
      if (frame.excluded) {
        excluded++;
        continue;
      }
      if (written == maxDepth) {
        excludedLine(out, indent, excluded);
        out.escape(indent, 0, indent.length());
        out.escape("\t... ", 0, 5);
        out.number(count - i);
        out.escape(" more frames not shown", 0, 22);
        newline(out);
        excluded = 0;
        break;
      }
      excludedLine(out, indent, excluded);
      excluded = 0;
      out.escape(indent, 0, indent.length());
      out.raw(frame.line);
      written++;
    }
    excludedLine(out, indent, excluded);
    if (common > 0) {
      out.escape(indent, 0, indent.length());
      out.escape("\t... ", 0, 5);
      out.number(common);
      out.escape(" common frames omitted", 0, 22);
      newline(out);
    }
    IThrowableProxy[] suppressed = t.getSuppressed();
    if (suppressed != null && suppressed.length > 0) {
      if (nesting >= MAX_SUPPRESSED_NESTING) {
        line(out, indent, "\t[suppressed exceptions nested too deep]");
        return;
      }
      String inner = indent + "\t";
      for (IThrowableProxy s : suppressed) {
        if (s != null && !full(out, start)) {
          chain(out, start, s, "Suppressed: ", inner, nesting + 1, memo);
        }
      }
    }
  }

  /**
   * The {@code type: message} line. The message is capped at an eighth of the stack budget as well (an escaped
   * character takes at most 6 bytes), so a huge exception message cannot blow the stack's byte cap.
   */
  private void header(JsonBuffer out, IThrowableProxy t) {
    int cap = Math.min(maxMessageChars, Math.max(64, maxBytes / 8));
    String type = t.getClassName();
    out.stringContent(type == null ? "null" : type, cap);
    String message = t.getMessage();
    if (message != null) {
      out.escape(": ", 0, 2);
      out.stringContent(redactor.redact(message), cap);
    }
  }

  private static void excludedLine(JsonBuffer out, String indent, int excluded) {
    if (excluded > 0) {
      out.escape(indent, 0, indent.length());
      out.escape("\t... ", 0, 5);
      out.number(excluded);
      out.escape(excluded == 1 ? " frame excluded" : " frames excluded", 0, excluded == 1 ? 15 : 16);
      newline(out);
    }
  }

  private static void line(JsonBuffer out, String indent, String text) {
    out.escape(indent, 0, indent.length());
    out.escape(text, 0, text.length());
    newline(out);
  }

  private static void newline(JsonBuffer out) {
    out.raw((byte) '\\');
    out.raw((byte) 'n');
  }
}
