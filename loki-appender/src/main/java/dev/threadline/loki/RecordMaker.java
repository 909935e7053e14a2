package dev.threadline.loki;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import dev.threadline.core.MdcKeys;
import dev.threadline.logback.ThreadlineEncoder;
import java.time.Instant;
import java.util.Map;

/**
 * Turns an event into a {@link LokiRecord} on the application thread: the encoder's line (the bytes that are sent,
 * copied once from a {@link ThreadlineEncoder}'s buffer into the {@link LineSlabs}), the timestamp, the stream from the {@link LabelPolicy}, and the structured metadata (the correlation ids and the
 * error fingerprint, from the MDC keys core has active). May throw what the encoder throws; the caller counts it.
 */
final class RecordMaker {

  private final Encoder<ILoggingEvent> encoder;
  /** The encoder when it can hand over its line without an array of its own; else {@code null}. */
  private final ThreadlineEncoder threadline;
  private final ThreadlineEncoder.LineTarget<LokiRecord> toSlab;
  private final LineSlabs slabs;
  private final LabelPolicy labelPolicy;
  private final boolean structuredMetadata;
  private final Trouble trouble;
  private final int maxValuesPerMdcLabel;

  RecordMaker(Encoder<ILoggingEvent> encoder, LineSlabs slabs, LabelPolicy labelPolicy, boolean structuredMetadata,
      Trouble trouble, int maxValuesPerMdcLabel) {
    this.encoder = encoder;
    // Exactly the class: a subclass may override encode(event), which this path would bypass.
    this.threadline = encoder != null && encoder.getClass() == ThreadlineEncoder.class
        ? (ThreadlineEncoder) encoder : null;
    this.slabs = slabs;
    this.toSlab = slabs::store;
    this.labelPolicy = labelPolicy;
    this.structuredMetadata = structuredMetadata;
    this.trouble = trouble;
    this.maxValuesPerMdcLabel = maxValuesPerMdcLabel;
  }

  LokiRecord make(ILoggingEvent event) {
    Instant instant = event.getInstant();
    long epochSecond;
    int nanos;
    if (instant != null) {
      epochSecond = instant.getEpochSecond();
      nanos = instant.getNano();
    } else {
      long millis = event.getTimeStamp();
      epochSecond = Math.floorDiv(millis, 1000L);
      nanos = (int) Math.floorMod(millis, 1000L) * 1_000_000;
    }
    LabelSet labelSet;
    String[] extra = null;
    if (labelPolicy.constant()) {
      labelSet = labelPolicy.forLevel(event.getLevel());
    } else {
      String[] overflow = new String[2 * labelPolicy.mdcKeyCount()];
      int[] count = new int[1];
      labelSet = labelPolicy.labelsOf(event, overflow, count);
      if (count[0] > 0) {
        extra = java.util.Arrays.copyOf(overflow, 2 * count[0]);
        trouble.warn("mdc-labels", "an MDC label had used its allowance of " + maxValuesPerMdcLabel
            + " distinct values; further values go as structured metadata (" + labelPolicy.overflowed() + " so far)");
      }
    }
    LokiRecord record;
    if (!structuredMetadata) {
      record = new LokiRecord(labelSet, epochSecond, nanos, null, null, null, null, null);
    } else {
      Map<String, String> mdc = event.getMDCPropertyMap();
      MdcKeys keys = MdcKeys.active();
      record = new LokiRecord(labelSet, epochSecond, nanos, metadata(mdc, keys.requestId()),
          metadata(mdc, keys.traceId()), metadata(mdc, keys.spanId()), fingerprintOf(event), extra);
    }
    // The line last: once it is in a slab, the record must be queued or its bytes given back.
    if (threadline != null) {
      threadline.encode(event, toSlab, record);
    } else {
      byte[] line = encoder.encode(event);
      if (line == null) {
        throw new IllegalStateException("the encoder returned no line");
      }
      record.line(line, 0, line.length, null);
    }
    return record;
  }

  private static String metadata(Map<String, String> mdc, String key) {
    if (mdc == null || key == null) {
      return null;
    }
    String value = mdc.get(key);
    return value != null && !value.isEmpty() && value.length() <= 256 ? value : null;
  }

  private String fingerprintOf(ILoggingEvent event) {
    if (event.getThrowableProxy() == null) {
      return null;
    }
    return encoder instanceof ThreadlineEncoder
        ? ((ThreadlineEncoder) encoder).fingerprintOf(event.getThrowableProxy())
        : ThreadlineEncoder.fingerprint(event.getThrowableProxy());
  }
}
