package dev.threadline.logback;

import java.util.Arrays;

/**
 * The frames one line's stack text looked up in the {@link FrameCache}, in the order it looked them up, so the line's
 * fingerprint, which walks the same frames in the same order, takes each from here instead of looking it up again.
 * A frame is taken only when it is the very instance recorded next; any other frame (a common frame the text left
 * out, a different order) is looked up in the cache as before, so the memo changes no result, only its cost.
 *
 * <p>Belongs to one {@link LineContext}, so to one thread at a time. Cleared after each line, so it holds on to no
 * exception between lines.
 */
final class FrameMemo {

  private static final int MAX_FRAMES = 1024;

  private StackTraceElement[] elements = new StackTraceElement[64];
  private FrameCache.Frame[] frames = new FrameCache.Frame[64];
  private int count;
  private int cursor;

  /** Records that {@code element} resolved to {@code frame}. */
  void record(StackTraceElement element, FrameCache.Frame frame) {
    if (count == elements.length) {
      if (count >= MAX_FRAMES) {
        return;
      }
      elements = Arrays.copyOf(elements, count * 2);
      frames = Arrays.copyOf(frames, count * 2);
    }
    elements[count] = element;
    frames[count++] = frame;
  }

  /** The frame recorded for {@code element} if it is the next one recorded; {@code null} otherwise. */
  FrameCache.Frame next(StackTraceElement element) {
    if (cursor < count && elements[cursor] == element) {
      return frames[cursor++];
    }
    return null;
  }

  void clear() {
    Arrays.fill(elements, 0, count, null);
    Arrays.fill(frames, 0, count, null);
    count = 0;
    cursor = 0;
  }
}
