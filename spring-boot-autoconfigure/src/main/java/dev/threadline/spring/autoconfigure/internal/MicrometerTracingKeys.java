package dev.threadline.spring.autoconfigure.internal;

import dev.threadline.logback.ThreadlineEncoder;
import org.springframework.util.ClassUtils;

/**
 * With Micrometer Tracing on the class path, Spring Boot also writes the current span under the MDC keys
 * {@code traceId} and {@code spanId}. Threadline's scopes follow the same span (its OpenTelemetry context storage, its
 * Brave scope decorator), so those entries only repeat {@code trace_id} and {@code span_id}: the encoders the starter
 * makes leave them out of the lines.
 */
public final class MicrometerTracingKeys {

  private static final boolean PRESENT =
      ClassUtils.isPresent("io.micrometer.tracing.Tracer", MicrometerTracingKeys.class.getClassLoader());

  private MicrometerTracingKeys() {
  }

  /** {@code encoder}, told to leave Micrometer Tracing's duplicate MDC entries out when Micrometer Tracing is here. */
  public static ThreadlineEncoder leaveOutDuplicates(ThreadlineEncoder encoder) {
    if (PRESENT) {
      encoder.addExcludeMdcKey("traceId");
      encoder.addExcludeMdcKey("spanId");
    }
    return encoder;
  }
}
