package dev.threadline.loki;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The appender's counters. Application threads touch only {@link #appended}, {@link #droppedQueueFull},
 * {@link #droppedTooLarge}, {@link #droppedFailed} and {@link #pending} (striped adders, no contention); the rest
 * are the sender's.
 */
final class Counters {

  final LongAdder appended = new LongAdder();
  final LongAdder pending = new LongAdder();
  final AtomicLong sent = new AtomicLong();
  final LongAdder droppedQueueFull = new LongAdder();
  final LongAdder droppedTooLarge = new LongAdder();
  final AtomicLong droppedRejected = new AtomicLong();
  final AtomicLong droppedRetriesExhausted = new AtomicLong();
  final LongAdder droppedFailed = new LongAdder();
  final AtomicLong droppedAtShutdown = new AtomicLong();
  final AtomicLong unconfirmed = new AtomicLong();
  final AtomicLong retries = new AtomicLong();
  final AtomicLong retriedAfterTimeout = new AtomicLong();
  final AtomicLong bytesSent = new AtomicLong();
  final AtomicLong senderRestarts = new AtomicLong();
  final AtomicLong spilled = new AtomicLong();
  final AtomicLong spillPending = new AtomicLong();
  final AtomicLong recovered = new AtomicLong();
  final AtomicLong droppedTooOld = new AtomicLong();
  volatile long spillBytes;
  volatile long spillTornBytes;
  volatile String spillStatus = "off";
  volatile String spillError;
  volatile String lastError;
  volatile long lastSendMillis;

  LokiStats snapshot(long queuedBytes, long mdcLabelOverflow, boolean senderRunning) {
    return new LokiStats(appended.sum(), sent.get(), droppedQueueFull.sum(), droppedTooLarge.sum(),
        droppedRejected.get(), droppedRetriesExhausted.get(), droppedFailed.sum(), droppedAtShutdown.get(),
        unconfirmed.get(), pending.sum(), retries.get(), retriedAfterTimeout.get(), bytesSent.get(), queuedBytes,
        mdcLabelOverflow, senderRunning, senderRestarts.get(), lastError, lastSendMillis, spilled.get(),
        spillPending.get(), recovered.get(), droppedTooOld.get(), spillBytes, spillTornBytes, spillStatus, spillError);
  }
}
