package dev.threadline.loki;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import dev.threadline.core.MdcKeys;
import dev.threadline.logback.ThreadlineEncoder;
import java.time.Instant;
import java.util.Map;

/**
 * Turns an event into a {@link LokiRecord} on the application thread: the encoder's line (the bytes that are sent),
 * the timestamp, the stream from the {@link LabelPolicy}, and the structured metadata (the correlation ids and the
 * error fingerprint, from the MDC keys core has active). May throw what the encoder throws; the caller counts it.
 */
final class RecordMaker {

  private final Encoder<ILoggingEvent> encoder;
  private final LabelPolicy labelPolicy;
  private final boolean structuredMetadata;
  private final Trouble trouble;
  private final int maxValuesPerMdcLabel;

  RecordMaker(Encoder<ILoggingEvent> encoder, LabelPolicy labelPolicy, boolean structuredMetadata, Trouble trouble,
      int maxValuesPerMdcLabel) {
    this.encoder = encoder;
    this.labelPolicy = labelPolicy;
    this.structuredMetadata = structuredMetadata;
    this.trouble = trouble;
    this.maxValuesPerMdcLabel = maxValuesPerMdcLabel;
  }

  LokiRecord make(ILoggingEvent event) {
    byte[] line = encoder.encode(event);
    if (line == null) {
      throw new IllegalStateException("the encoder returned no line");
    }
    Instant instant = event.getInstant() != null ? event.getInstant() : Instant.ofEpochMilli(event.getTimeStamp());
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
    if (!structuredMetadata) {
      return new LokiRecord(labelSet, instant.getEpochSecond(), instant.getNano(), line, null, null, null, null,
          null);
    }
    Map<String, String> mdc = event.getMDCPropertyMap();
    MdcKeys keys = MdcKeys.active();
    return new LokiRecord(labelSet, instant.getEpochSecond(), instant.getNano(), line,
        metadata(mdc, keys.requestId()), metadata(mdc, keys.traceId()), metadata(mdc, keys.spanId()),
        fingerprintOf(event), extra);
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
