package dev.threadline.loki;

/**
 * The counters of one {@link LokiAppender} over JMX, registered as
 * {@code dev.threadline:type=LokiAppender,name="<appender name>"} while the appender runs (unless its {@code jmx}
 * setting is false). See {@link LokiStats}.
 *
 * @since 0.1.0
 */
public interface LokiAppenderMXBean {

  /** Events handed to the appender. */
  long getAppended();

  /** Events Loki accepted. */
  long getSent();

  /** Events dropped, any cause. */
  long getDropped();

  /** Events dropped because the byte budget was full. */
  long getDroppedQueueFull();

  /** Events in batches Loki refused for good. */
  long getDroppedRejected();

  /** Events unsent when the shutdown timeout ran out. */
  long getDroppedAtShutdown();

  /** Events that could never fit a push. */
  long getDroppedTooLarge();

  /** Events in pushes that kept failing past the retry bounds. */
  long getDroppedRetriesExhausted();

  /** Events lost to a failure inside the appender. */
  long getDroppedFailed();

  /** Events sent to Loki without an answer when the appender stopped. */
  long getUnconfirmed();

  /** Events queued or being sent now. */
  long getPending();

  /** Whether the sender thread is alive. */
  boolean isSenderRunning();

  /** Batch sends retried. */
  long getRetries();

  /** Compressed bytes Loki accepted. */
  long getBytesSent();

  /** Bytes of events queued now. */
  long getQueuedBytes();

  /** The last failure, without secrets. */
  String getLastError();

  /** How long the last successful push took, in milliseconds. */
  long getLastSendMillis();

  /** Events written to the spill directory since start. */
  long getSpilled();

  /** Events on disk in the spill directory, waiting to be sent. */
  long getSpillPending();

  /** Events a previous run left in the spill directory, found at start. */
  long getRecovered();

  /** Spilled events dropped because they were older than spillMaxAge. */
  long getDroppedTooOld();

  /** Bytes of the spill's files on disk. */
  long getSpillBytes();

  /** off, on, or memory-only (the spill directory could not be used). */
  String getSpillStatus();

  /** Why the spill could not be used or last failed; null if it never failed. */
  String getSpillError();
}
