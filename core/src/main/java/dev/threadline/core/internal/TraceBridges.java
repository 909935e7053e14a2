package dev.threadline.core.internal;

import dev.threadline.core.Correlation;
import dev.threadline.core.spi.TraceBridge;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * The {@link TraceBridge}s on the class path, looked up once. A bridge whose tracer library is missing fails to load
 * and is skipped, so without the tracer nothing of the bridge is used. With more than one (OpenTelemetry and Brave in
 * one application), the first whose tracer has a span current on the thread answers.
 */
public final class TraceBridges {

  private static final TraceBridge BRIDGE = load();

  private TraceBridges() {
  }

  /** The bridge (one, or all of them asked in turn), or {@code null} when there is none. */
  public static TraceBridge get() {
    return BRIDGE;
  }

  /** The bridged tracer's span current on this thread ({@link TraceBridge#activeSpan}); {@code null} for none. */
  public static Correlation activeSpan() {
    return BRIDGE == null ? null : BRIDGE.activeSpan();
  }

  /**
   * The system property that switches every bridge off when {@code off}: Threadline then keeps its own spans even
   * with a tracer present (for a comparison, or to rule the bridge out when looking for a fault).
   */
  public static final String SWITCH_PROPERTY = "threadline.bridges";

  private static TraceBridge load() {
    try {
      if ("off".equalsIgnoreCase(System.getProperty(SWITCH_PROPERTY, "").trim())) {
        return null;
      }
    } catch (SecurityException e) {
      // Read as not set.
    }
    List<TraceBridge> usable = new ArrayList<>(2);
    try {
      Iterator<TraceBridge> found = ServiceLoader.load(TraceBridge.class, TraceBridge.class.getClassLoader())
          .iterator();
      while (true) {
        try {
          if (!found.hasNext()) {
            break;
          }
          TraceBridge candidate = found.next();
          // Its tracer's classes resolve on first use: try it once, so a bridge without its tracer is never used.
          candidate.activeSpan();
          usable.add(candidate);
        } catch (ServiceConfigurationError | LinkageError e) {
          // A bridge whose tracer is not on the class path: try the next one.
        }
      }
    } catch (RuntimeException | LinkageError e) {
      // A broken service file: keep the bridges found before it.
    }
    if (usable.isEmpty()) {
      warnIfAgentWithoutBridge();
      return null;
    }
    return usable.size() == 1 ? usable.get(0) : new FirstActive(usable.toArray(new TraceBridge[0]));
  }

  /**
   * The OpenTelemetry Java agent with no bridge to it: the agent's spans and Threadline's are two different traces,
   * and nothing would say so.
   */
  private static void warnIfAgentWithoutBridge() {
    try {
      Class.forName("io.opentelemetry.javaagent.OpenTelemetryAgent", false, ClassLoader.getSystemClassLoader());
    } catch (ClassNotFoundException | LinkageError | SecurityException e) {
      return;
    }
    try {
      org.slf4j.LoggerFactory.getLogger(TraceBridges.class).warn("The OpenTelemetry Java agent is running, but "
          + "Threadline has no bridge to it: log lines carry Threadline's own trace and span ids, which are not the "
          + "agent's. Add dev.threadline:threadline-otel-bridge and io.opentelemetry:opentelemetry-api to the "
          + "application.");
    } catch (RuntimeException e) {
      // Nowhere to say it.
    }
  }

  /** Several bridges: the first with a span current answers, and takes the request. */
  private static final class FirstActive implements TraceBridge {

    private final TraceBridge[] bridges;

    FirstActive(TraceBridge[] bridges) {
      this.bridges = bridges;
    }

    @Override
    public Correlation activeSpan() {
      for (TraceBridge bridge : bridges) {
        Correlation span = bridge.activeSpan();
        if (span != null) {
          return span;
        }
      }
      return null;
    }

    @Override
    public Correlation spanToShow(Correlation shown) {
      Correlation same = null;
      for (TraceBridge bridge : bridges) {
        Correlation span = bridge.spanToShow(shown);
        if (span != null && span != shown) {
          return span;
        }
        if (span != null) {
          same = span;
        }
      }
      return same;
    }

    @Override
    public AutoCloseable enterSpan(Correlation span) {
      return inEvery(bridge -> bridge.enterSpan(span));
    }

    @Override
    public AutoCloseable enterRemoteParent(Correlation callerSpan) {
      return inEvery(bridge -> bridge.enterRemoteParent(callerSpan));
    }

    /** {@code enter} done in every bridge; closing the result closes theirs in reverse order. */
    private AutoCloseable inEvery(java.util.function.Function<TraceBridge, AutoCloseable> enter) {
      AutoCloseable[] entered = new AutoCloseable[bridges.length];
      for (int i = 0; i < bridges.length; i++) {
        entered[i] = enter.apply(bridges[i]);
      }
      return () -> {
        for (int i = entered.length - 1; i >= 0; i--) {
          entered[i].close();
        }
      };
    }

    @Override
    public AutoCloseable enterRequest(String requestId) {
      for (TraceBridge bridge : bridges) {
        if (bridge.activeSpan() != null) {
          return bridge.enterRequest(requestId);
        }
      }
      return () -> { };
    }
  }
}
