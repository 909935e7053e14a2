package dev.threadline.web.internal;

import dev.threadline.core.CarrierGetter;
import dev.threadline.core.Correlation;
import dev.threadline.core.internal.RemoteParent;
import dev.threadline.core.internal.TraceBridges;
import dev.threadline.core.internal.W3CTraceContext;
import dev.threadline.core.spi.TraceBridge;
import java.util.Optional;

/**
 * What the servlet filter, the reactive handler and the gRPC interceptor that run before a tracer's server
 * instrumentation share: read the caller's span from {@code traceparent}, make it the tracer's current remote context,
 * and close that again. None of it throws: a carrier that cannot be read, or a tracer that fails to enter or leave the
 * context, leaves the request as it would have been without them.
 */
public final class RemoteParents {

  private RemoteParents() {
  }

  /**
   * The caller's span from a valid {@code traceparent} in {@code carrier}, as a correlation whose request id is the
   * trace id; {@code null} when there is none or the carrier cannot be read.
   */
  public static <C> Correlation callerSpan(C carrier, CarrierGetter<C> getter) {
    try {
      Optional<RemoteParent> caller = W3CTraceContext.extract(carrier, getter);
      if (caller.isEmpty()) {
        return null;
      }
      RemoteParent parent = caller.get();
      return Correlation.ofSpan(parent.traceId(), parent.traceId(), parent.spanId(), parent.traceFlags());
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * Makes the caller's span in {@code carrier} the current tracer's remote context; {@link TraceBridge#NOTHING} when
   * there is no tracer bridge or no valid {@code traceparent}. Close the result with {@link #exit}.
   */
  public static <C> AutoCloseable enter(C carrier, CarrierGetter<C> getter) {
    TraceBridge bridge = TraceBridges.get();
    if (bridge == null) {
      return TraceBridge.NOTHING;
    }
    Correlation caller = callerSpan(carrier, getter);
    return caller == null ? TraceBridge.NOTHING : enter(bridge, caller);
  }

  /** Makes {@code caller} {@code bridge}'s remote context; {@link TraceBridge#NOTHING} if the tracer fails to. */
  public static AutoCloseable enter(TraceBridge bridge, Correlation caller) {
    try {
      return bridge.enterRemoteParent(caller);
    } catch (RuntimeException e) {
      return TraceBridge.NOTHING;
    }
  }

  /** Closes what {@link #enter} returned; a failure of the tracer's scope handling is ignored. */
  public static void exit(AutoCloseable entered) {
    if (entered == TraceBridge.NOTHING) {
      return;
    }
    try {
      entered.close();
    } catch (Exception e) {
      // The tracer's scope handling failed; the request goes on (or is done) either way.
    }
  }
}
