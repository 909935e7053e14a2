package dev.threadline.loki;

import java.lang.management.ManagementFactory;
import java.util.function.Supplier;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * A {@link LokiAppender}'s counters on the platform MBean server, as
 * {@code dev.threadline:type=LokiAppender,name="<appender name>"}, for as long as the appender runs.
 */
final class LokiJmx implements LokiAppenderMXBean {

  private final Supplier<LokiStats> stats;
  private ObjectName name;

  private LokiJmx(Supplier<LokiStats> stats) {
    this.stats = stats;
  }

  /** Registers the counters of appender {@code appenderName}; throws when the server refuses (a name taken). */
  static LokiJmx register(String appenderName, Supplier<LokiStats> stats) throws JMException {
    LokiJmx bean = new LokiJmx(stats);
    ObjectName name = new ObjectName("dev.threadline:type=LokiAppender,name=" + ObjectName.quote(appenderName));
    ManagementFactory.getPlatformMBeanServer().registerMBean(bean, name);
    bean.name = name;
    return bean;
  }

  void unregister() {
    try {
      ManagementFactory.getPlatformMBeanServer().unregisterMBean(name);
    } catch (JMException | RuntimeException e) {
      // already gone
    }
  }

  @Override
  public long getAppended() {
    return stats.get().appended();
  }

  @Override
  public long getSent() {
    return stats.get().sent();
  }

  @Override
  public long getDropped() {
    return stats.get().dropped();
  }

  @Override
  public long getDroppedQueueFull() {
    return stats.get().droppedQueueFull();
  }

  @Override
  public long getDroppedRejected() {
    return stats.get().droppedRejected();
  }

  @Override
  public long getDroppedAtShutdown() {
    return stats.get().droppedAtShutdown();
  }

  @Override
  public long getDroppedTooLarge() {
    return stats.get().droppedTooLarge();
  }

  @Override
  public long getDroppedRetriesExhausted() {
    return stats.get().droppedRetriesExhausted();
  }

  @Override
  public long getDroppedFailed() {
    return stats.get().droppedFailed();
  }

  @Override
  public long getUnconfirmed() {
    return stats.get().unconfirmed();
  }

  @Override
  public long getPending() {
    return stats.get().pending();
  }

  @Override
  public boolean isSenderRunning() {
    return stats.get().senderRunning();
  }

  @Override
  public long getRetries() {
    return stats.get().retries();
  }

  @Override
  public long getBytesSent() {
    return stats.get().bytesSent();
  }

  @Override
  public long getQueuedBytes() {
    return stats.get().queuedBytes();
  }

  @Override
  public String getLastError() {
    return stats.get().lastError();
  }

  @Override
  public long getLastSendMillis() {
    return stats.get().lastSendMillis();
  }

  @Override
  public long getSpilled() {
    return stats.get().spilled();
  }

  @Override
  public long getSpillPending() {
    return stats.get().spillPending();
  }

  @Override
  public long getRecovered() {
    return stats.get().recovered();
  }

  @Override
  public long getDroppedTooOld() {
    return stats.get().droppedTooOld();
  }

  @Override
  public long getSpillBytes() {
    return stats.get().spillBytes();
  }

  @Override
  public String getSpillStatus() {
    return stats.get().spillStatus();
  }

  @Override
  public String getSpillError() {
    return stats.get().spillError();
  }
}
