package dev.threadline.logback;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.Context;
import ch.qos.logback.core.spi.FilterReply;
import dev.threadline.core.internal.ActiveSpan;
import dev.threadline.core.internal.TraceBridges;
import org.slf4j.Marker;

/**
 * Before each enabled log call, on the calling thread, brings the MDC up to date with the tracer's current span, so
 * the event, whatever appender takes it (an {@code AsyncAppender} included, which copies the MDC on this thread),
 * carries the span that is current where the line is logged. Decides nothing: always {@link FilterReply#NEUTRAL}.
 *
 * <p>Threadline's encoder and Loki appender install it on their context when a tracer bridge (threadline-otel-bridge)
 * is on the class path, so there is nothing to configure. With other encoders, add it to logback.xml:
 * {@code <turboFilter class="dev.threadline.logback.ActiveSpanFilter"/>}. Without a bridge it does nothing.
 *
 * @since 0.1.0
 */
public final class ActiveSpanFilter extends TurboFilter {

  /** Installs one on {@code context}, unless there is no tracer bridge or one is there already. */
  public static void installOn(Context context) {
    if (!(context instanceof LoggerContext) || TraceBridges.get() == null) {
      return;
    }
    LoggerContext loggers = (LoggerContext) context;
    synchronized (ActiveSpanFilter.class) {
      for (TurboFilter filter : loggers.getTurboFilterList()) {
        if (filter instanceof ActiveSpanFilter) {
          return;
        }
      }
      ActiveSpanFilter filter = new ActiveSpanFilter();
      filter.setName("threadline-active-span");
      filter.setContext(loggers);
      filter.start();
      loggers.addTurboFilter(filter);
    }
  }

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    // Only for calls that will make an event (a disabled debug call stays as cheap as it was). Not
    // logger.isEnabledFor, which would call the turbo filters again.
    if (level != null && logger != null && level.isGreaterOrEqual(logger.getEffectiveLevel())) {
      ActiveSpan.publish();
    }
    return FilterReply.NEUTRAL;
  }
}
