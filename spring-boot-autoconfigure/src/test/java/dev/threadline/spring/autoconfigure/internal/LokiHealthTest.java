package dev.threadline.spring.autoconfigure.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadline.loki.LokiStats;
import org.junit.jupiter.api.Test;

/**
 * The status rule and the details both Boot lines' health contributors report, on counters as the appender hands them
 * out (the sender thread's death cannot be caused from outside the appender, so DOWN is shown on its counters).
 */
class LokiHealthTest {

  @Test
  void aStartedAppenderWhoseSenderDied_isDown_whateverLokiSaid() {
    assertThat(LokiHealth.status(true, false, stats(false, null))).isEqualTo("DOWN");
    assertThat(LokiHealth.status(true, false, stats(true, "HTTP 503"))).isEqualTo("UP");
    assertThat(LokiHealth.status(true, false, stats(true, null))).isEqualTo("UP");
  }

  @Test
  void aStoppedOrOffAppender_isUnknown_neverDown() {
    assertThat(LokiHealth.status(false, false, stats(false, null))).isEqualTo("UNKNOWN");
    assertThat(LokiHealth.status(true, true, stats(false, null))).isEqualTo("UNKNOWN");
  }

  @Test
  void theDetailsAreEveryCounter_inAStableOrder_andTheLastErrorOnlyWhenThereIsOne() {
    assertThat(stats(true, null).unaccounted()).as("the counters below add up").isZero();
    assertThat(LokiHealth.details(stats(true, null))).containsExactly(
        entry("appended", 110L), entry("sent", 80L), entry("dropped", 36L), entry("droppedQueueFull", 1L),
        entry("droppedTooLarge", 2L), entry("droppedRejected", 3L), entry("droppedRetriesExhausted", 4L),
        entry("droppedFailed", 5L), entry("droppedAtShutdown", 6L), entry("unconfirmed", 7L), entry("pending", 2L),
        entry("retries", 8L), entry("retriedAfterTimeout", 9L), entry("bytesSent", 10L), entry("queuedBytes", 11L),
        entry("mdcLabelOverflow", 12L), entry("senderRunning", true), entry("senderRestarts", 13L),
        entry("lastSendMillis", 14L), entry("spilled", 40L), entry("spillPending", 30L), entry("recovered", 45L),
        entry("droppedTooOld", 15L), entry("spillBytes", 4096L), entry("spillTornBytes", 17L),
        entry("spillStatus", "on"));
    assertThat(LokiHealth.details(stats(false, "HTTP 400: 2 entries refused"))).containsEntry("senderRunning", false)
        .containsEntry("lastError", "HTTP 400: 2 entries refused");
  }

  @Test
  void aSpillThatCannotBeUsed_isADetail_neverTheStatus() {
    LokiStats memoryOnly = spill(true, "memory-only", "cannot create the spill directory /data/spill: not a directory");
    assertThat(LokiHealth.details(memoryOnly)).containsEntry("spillStatus", "memory-only")
        .containsEntry("spillError", "cannot create the spill directory /data/spill: not a directory");
    assertThat(LokiHealth.status(true, false, memoryOnly)).isEqualTo("UP");
    assertThat(LokiHealth.details(spill(true, "off", null))).containsEntry("spillStatus", "off")
        .doesNotContainKey("spillError");
  }

  private static java.util.Map.Entry<String, Object> entry(String key, Object value) {
    return java.util.Map.entry(key, value);
  }

  /**
   * Counters that add up: 110 appended + 45 recovered = 80 sent + 36 dropped (15 of them too old) + 7 unconfirmed
   * + 2 pending + 30 on disk.
   */
  private static LokiStats stats(boolean senderRunning, String lastError) {
    return new LokiStats(110, 80, 1, 2, 3, 4, 5, 6, 7, 2, 8, 9, 10, 11, 12, senderRunning, 13, lastError, 14,
        40, 30, 45, 15, 4096, 17, "on", null);
  }

  private static LokiStats spill(boolean senderRunning, String spillStatus, String spillError) {
    return new LokiStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, senderRunning, 0, null, 0,
        0, 0, 0, 0, 0, 0, spillStatus, spillError);
  }
}
