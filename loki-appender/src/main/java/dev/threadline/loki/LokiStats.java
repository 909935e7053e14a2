package dev.threadline.loki;

/**
 * A snapshot of a {@link LokiAppender}'s counters since it started. Every event handed to the appender, or found in
 * its spill directory at start, is in exactly one place:
 * {@code appended + recovered = sent + dropped() + unconfirmed + pending + spillPending} ({@link #unaccounted()} is
 * the difference). The counters are read one after another, so while events move the sum can be off by those in
 * motion; once the appender has stopped it is exact.
 *
 * @param appended events handed to the appender
 * @param sent events Loki accepted
 * @param droppedQueueFull events dropped because the byte budget was full (or a {@code block} caller gave up)
 * @param droppedTooLarge events that could never fit in a push under {@code maxRequestBytes}
 * @param droppedRejected events Loki refused for good (a 4xx other than 429, or the refused part of a 400)
 * @param droppedRetriesExhausted events in a batch that still failed after {@code maxRetries} or {@code maxRetryTime}
 * @param droppedFailed events lost to a failure inside the appender (the encoder threw, a batch could not be encoded)
 * @param droppedAtShutdown events not yet sent when the appender stopped
 * @param unconfirmed events handed to Loki whose answer never came before the appender stopped: Loki may have
 *     stored them or not
 * @param pending events queued or being sent now
 * @param retries pushes retried after a connection failure, timeout, 429 or 5xx
 * @param retriedAfterTimeout events sent again after a push timed out or its connection broke mid-request: Loki may
 *     have stored the first copy too, so metric queries can count these twice
 * @param bytesSent compressed request bytes Loki accepted
 * @param queuedBytes bytes of events waiting (or being sent) now, against the budget
 * @param mdcLabelOverflow MDC label values sent as structured metadata because their key had used its allowance of
 *     distinct values
 * @param senderRunning whether the sender thread is alive (false once stopped, or if it died and could not be
 *     restarted)
 * @param senderRestarts times the sender thread was restarted after an unexpected failure
 * @param lastError the last failure, short and without secrets or Loki's raw text; {@code null} if none
 * @param lastSendMillis how long the last successful push took
 * @param spilled events written to the spill directory since start (each counted once, however long it stays)
 * @param spillPending events on disk in the spill directory, waiting to be sent (those recovered at start included)
 * @param recovered events a previous run left in the spill directory, found at start
 * @param droppedTooOld spilled events dropped unsent because they were older than {@code spillMaxAge}, which Loki
 *     would refuse
 * @param spillBytes bytes of the spill's files on disk now
 * @param spillTornBytes bytes cut at start from the end of segments a crash left half-written
 * @param spillStatus {@code off} (no {@code spillDirectory}), {@code on}, or {@code memory-only} (the directory
 *     could not be used: {@code spillError} says why)
 * @param spillError why the spill could not be used or last failed, with the directory named; {@code null} if it
 *     never failed
 * @since 0.1.0
 */
public record LokiStats(
    long appended,
    long sent,
    long droppedQueueFull,
    long droppedTooLarge,
    long droppedRejected,
    long droppedRetriesExhausted,
    long droppedFailed,
    long droppedAtShutdown,
    long unconfirmed,
    long pending,
    long retries,
    long retriedAfterTimeout,
    long bytesSent,
    long queuedBytes,
    long mdcLabelOverflow,
    boolean senderRunning,
    long senderRestarts,
    String lastError,
    long lastSendMillis,
    long spilled,
    long spillPending,
    long recovered,
    long droppedTooOld,
    long spillBytes,
    long spillTornBytes,
    String spillStatus,
    String spillError) {

  /** All dropped events, whatever the cause. */
  public long dropped() {
    return droppedQueueFull + droppedTooLarge + droppedRejected + droppedRetriesExhausted + droppedFailed
        + droppedAtShutdown + droppedTooOld;
  }

  /**
   * {@code appended + recovered - (sent + dropped() + unconfirmed + pending + spillPending)}: zero once the appender
   * has stopped, and while it runs at most the events in motion between two counters.
   */
  public long unaccounted() {
    return appended + recovered - (sent + dropped() + unconfirmed + pending + spillPending);
  }
}
