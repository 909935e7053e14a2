package dev.threadline.web.messaging;

import dev.threadline.core.CarrierGetter;
import dev.threadline.core.CarrierSetter;
import dev.threadline.core.Correlation;
import dev.threadline.core.CorrelationPropagator;
import dev.threadline.core.CorrelationScope;
import dev.threadline.core.internal.RemoteParent;
import dev.threadline.core.internal.TraceBridges;
import dev.threadline.core.internal.W3CTraceContext;
import java.util.Map;

/**
 * Propagation through a message's headers, for any transport: the Kafka, JMS and RabbitMQ helpers are this with
 * their own carriers, and SQS or NATS need nothing more than a header map.
 *
 * <p>The producing side writes the correlation current when the message is sent (a new trace when none is), so the
 * consumer's span is a child of the span that produced the message and the producer's log lines carry the parent's
 * span id. The consuming side starts that child span: same request id and trace id, a new span id.
 *
 * <pre>{@code
 * Map<String, String> headers = new HashMap<>();
 * Messages.inject(headers);                       // producer
 * try (CorrelationScope scope = Messages.open(headers)) {   // consumer
 *   handle(message);
 * }
 * }</pre>
 *
 * @since 0.1.0
 */
public final class Messages {

  private Messages() {
  }

  /** The correlation a message sent now carries: the current one, or a new trace. */
  public static Correlation current() {
    return Correlation.current().orElseGet(Correlation::newTrace);
  }

  /** Writes the current correlation into a header map. Never throws. */
  public static void inject(Map<String, String> headers) {
    inject(headers, CarrierSetter.ofMap(), CorrelationPropagator.shared());
  }

  /**
   * Writes the current correlation into any carrier; only the request id when a tracer owns the trace and writes
   * its headers. Never throws.
   */
  public static <C> void inject(C carrier, CarrierSetter<C> setter, CorrelationPropagator propagator) {
    Correlation external = TraceBridges.activeSpan();
    if (external != null) {
      propagator.injectRequestId(external.requestId(), carrier, setter);
    } else {
      propagator.inject(current(), carrier, setter);
    }
  }

  /**
   * Writes the current correlation into any carrier, reading what is on it already through {@code written}: when a
   * tracer owns the trace and wrote {@code traceparent}, the request id and baggage fields go beside its headers;
   * when it wrote none (its propagator is off), Threadline writes the trace headers. The bridge's span carries the
   * baggage fields of Threadline's correlation of the same trace. Never throws.
   */
  public static <C> void inject(C carrier, CarrierSetter<C> setter, CorrelationPropagator propagator,
      CarrierGetter<C> written) {
    Correlation external = TraceBridges.activeSpan();
    if (external == null) {
      propagator.inject(current(), carrier, setter);
      return;
    }
    String traceparent;
    String baggage;
    try {
      traceparent = written.get(carrier, "traceparent");
      baggage = written.get(carrier, CorrelationPropagator.BAGGAGE);
    } catch (RuntimeException e) {
      traceparent = null;
      baggage = null;
    }
    if (traceparent == null) {
      propagator.inject(external, carrier, setter);
    } else {
      propagator.injectBeside(external, carrier, setter, baggage);
    }
  }

  /** The consumer's span for a message with these headers. Never throws, never returns {@code null}. */
  public static Correlation extract(Map<String, String> headers) {
    return extract(headers, CarrierGetter.ofMap(), CorrelationPropagator.shared());
  }

  /** The consumer's span for a message in any carrier. Never throws, never returns {@code null}. */
  public static <C> Correlation extract(C carrier, CarrierGetter<C> getter, CorrelationPropagator propagator) {
    Correlation external = TraceBridges.activeSpan();
    if (external != null) {
      // A consumer span of OpenTelemetry's is current: keep it, with the message's request id.
      String requestId = propagator.extractValidRequestId(carrier, getter);
      Correlation consumer = requestId == null ? external : external.toBuilder().requestId(requestId).build();
      // The producer's span, which the tracer's API does not tell, as the parent: the hop joins in the logs.
      java.util.Optional<RemoteParent> producer = W3CTraceContext.extract(carrier, getter);
      if (producer.isPresent() && producer.get().traceId().equals(consumer.traceId())
          && !producer.get().spanId().equals(consumer.spanId())) {
        consumer = consumer.toBuilder().parentSpanId(producer.get().spanId()).build();
      }
      return consumer;
    }
    return propagator.extract(carrier, getter);
  }

  /** Opens the consumer's span for a message with these headers on this thread; close it when done. */
  public static CorrelationScope open(Map<String, String> headers) {
    return extract(headers).open();
  }
}
