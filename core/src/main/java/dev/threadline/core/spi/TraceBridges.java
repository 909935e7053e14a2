package dev.threadline.core.spi;

import java.util.Iterator;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * The {@link TraceBridge} on the class path, if any: looked up once. A bridge whose tracer library is missing fails
 * to load and is skipped, so without the tracer nothing of the bridge is used.
 */
public final class TraceBridges {

  private static final TraceBridge BRIDGE = load();

  private TraceBridges() {
  }

  /** The bridge, or {@code null} when there is none. */
  public static TraceBridge get() {
    return BRIDGE;
  }

  /** The bridged tracer's span current on this thread ({@link TraceBridge#activeSpan}); {@code null} for none. */
  public static dev.threadline.core.Correlation activeSpan() {
    return BRIDGE == null ? null : BRIDGE.activeSpan();
  }

  private static TraceBridge load() {
    try {
      Iterator<TraceBridge> found = ServiceLoader.load(TraceBridge.class, TraceBridge.class.getClassLoader())
          .iterator();
      while (true) {
        try {
          if (!found.hasNext()) {
            return null;
          }
          TraceBridge candidate = found.next();
          // Its tracer's classes resolve on first use: try it once, so a bridge without its tracer is never used.
          candidate.activeSpan();
          return candidate;
        } catch (ServiceConfigurationError | LinkageError e) {
          // A bridge whose tracer is not on the class path: try the next one.
        }
      }
    } catch (RuntimeException | LinkageError e) {
      return null;
    }
  }
}
