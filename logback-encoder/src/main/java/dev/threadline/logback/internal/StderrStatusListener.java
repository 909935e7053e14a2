package dev.threadline.logback.internal;

import ch.qos.logback.core.Context;
import ch.qos.logback.core.spi.ContextAwareBase;
import ch.qos.logback.core.spi.LifeCycle;
import ch.qos.logback.core.status.Status;
import ch.qos.logback.core.status.StatusListener;
import ch.qos.logback.core.status.StatusManager;
import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * Prints Logback's warnings and errors to standard error as they happen, never to standard output, where the JSON
 * lines go. Threadline's encoder and Loki appender install one on their context when they start, so Loki trouble
 * (unreachable, refusing, dropping) is visible without any configuration; with one on the context, Logback also no
 * longer dumps its status report onto standard output after a configuration error. When it starts it prints the
 * warnings and errors of the last few seconds, so the configuration run that started it is covered too. Information
 * statuses are not printed.
 */
public class StderrStatusListener extends ContextAwareBase implements StatusListener, LifeCycle {

  /** Statuses this old or newer are printed when the listener starts: the configuration run that started it. */
  private static final long RETROSPECTIVE_MILLIS = 5_000;
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss,SSS").withZone(ZoneId.systemDefault());

  private volatile boolean started;

  /**
   * Adds a started listener to {@code context} unless one of this class is there already. Never throws.
   *
   * @return whether one was added
   */
  public static boolean installOn(Context context) {
    try {
      if (context == null) {
        return false;
      }
      StatusManager manager = context.getStatusManager();
      for (StatusListener listener : manager.getCopyOfStatusListenerList()) {
        if (listener instanceof StderrStatusListener) {
          return false;
        }
      }
      StderrStatusListener listener = new StderrStatusListener();
      listener.setContext(context);
      listener.start();
      return manager.add(listener);
    } catch (RuntimeException e) {
      return false;
    }
  }

  @Override
  public void start() {
    started = true;
    if (context == null) {
      return;
    }
    long since = System.currentTimeMillis() - RETROSPECTIVE_MILLIS;
    for (Status status : context.getStatusManager().getCopyOfStatusList()) {
      if (status.getTimestamp() >= since) {
        print(status);
      }
    }
  }

  @Override
  public void stop() {
    started = false;
  }

  @Override
  public boolean isStarted() {
    return started;
  }

  /** Survives a reset of the context, as the appenders that installed it may be started again. */
  @Override
  public boolean isResetResistant() {
    return true;
  }

  @Override
  public void addStatusEvent(Status status) {
    if (started) {
      print(status);
    }
  }

  private static void print(Status status) {
    if (status.getEffectiveLevel() < Status.WARN) {
      return;
    }
    try {
      StringBuilder line = new StringBuilder(128);
      line.append(TIME.format(Instant.ofEpochMilli(status.getTimestamp())))
          .append(status.getEffectiveLevel() >= Status.ERROR ? " ERROR in " : " WARN in ")
          .append(origin(status.getOrigin())).append(" - ").append(status.getMessage());
      PrintStream err = System.err;
      synchronized (err) {
        err.println(line);
        if (status.getThrowable() != null && status.getEffectiveLevel() >= Status.ERROR) {
          status.getThrowable().printStackTrace(err);
        }
      }
    } catch (RuntimeException ignored) {
      // printing a warning must never fail the caller that reported it
    }
  }

  private static String origin(Object origin) {
    if (origin == null) {
      return "null";
    }
    try {
      return origin.getClass().getSimpleName();
    } catch (RuntimeException e) {
      return "?";
    }
  }
}
