package dev.threadline.loki;

/**
 * A snapshot of a {@link LokiAppender}'s counters since it started.
 *
 * @param appended events handed to the appender
 * @param sent events Loki accepted
 * @param droppedQueueFull events dropped because the byte budget was full
 * @param droppedRejected events in batches Loki refused for good (400, 413 and other 4xx but 429)
 * @param droppedAtShutdown events still unsent when the shutdown timeout ran out
 * @param retries batch sends retried after a connection failure, 429 or 5xx
 * @param bytesSent compressed request bytes Loki accepted
 * @param queuedBytes bytes of events waiting (or being sent) now, against the budget
 * @param lastError the last failure, without secrets; {@code null} if none
 * @param lastSendMillis how long the last successful push took
 */
public record LokiStats(
    long appended,
    long sent,
    long droppedQueueFull,
    long droppedRejected,
    long droppedAtShutdown,
    long retries,
    long bytesSent,
    long queuedBytes,
    String lastError,
    long lastSendMillis) {

  /** All dropped events, whatever the cause. */
  public long dropped() {
    return droppedQueueFull + droppedRejected + droppedAtShutdown;
  }
}
