package dev.threadline.web.messaging;

import dev.threadline.core.CarrierGetter;
import dev.threadline.core.CarrierSetter;
import dev.threadline.core.Correlation;
import dev.threadline.core.CorrelationPropagator;
import dev.threadline.core.CorrelationScope;
import dev.threadline.core.W3CTraceContext;
import dev.threadline.core.spi.TraceBridges;
import java.util.Map;

/**
 * Propagation through a message's headers, for any transport: the Kafka and JMS helpers are this with their own
 * carriers, and SQS, RabbitMQ or NATS need nothing more than a header map.
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

  /** Writes the current correlation into any carrier. Never throws. */
  public static <C> void inject(C carrier, CarrierSetter<C> setter, CorrelationPropagator propagator) {
    inject(carrier, setter, propagator, true);
  }

  /**
   * Writes the current correlation into any carrier, told whether it holds a {@code traceparent} already: when a
   * tracer owns the trace but wrote none (its propagator is off), Threadline writes the trace headers. Never throws.
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
    Correlation own = Correlation.current().orElse(null);
    // The tracer's span, with the baggage fields Threadline's correlation of the same trace carries.
    Correlation sent = own != null && own.traceId().equals(external.traceId()) && !own.baggage().isEmpty()
        ? withFields(external, own) : external;
    if (traceparent == null) {
      propagator.inject(sent, carrier, setter);
    } else {
      propagator.injectBeside(sent, carrier, setter, baggage);
    }
  }

  private static Correlation withFields(Correlation span, Correlation fields) {
    Correlation.Builder b = span.toBuilder();
    fields.baggage().forEach(b::baggage);
    return b.build();
  }

  /**
   * As {@link #inject(Object, CarrierSetter, CorrelationPropagator, CarrierGetter)}, told only whether the carrier
   * holds a {@code traceparent} already.
   */
  public static <C> void inject(C carrier, CarrierSetter<C> setter, CorrelationPropagator propagator,
      boolean traceparentWritten) {
    Correlation external = TraceBridges.activeSpan();
    if (external != null && !traceparentWritten) {
      propagator.inject(external, carrier, setter);
    } else if (external != null) {
      // OpenTelemetry owns the trace (through the bridge): its instrumentation writes the trace headers.
      propagator.injectRequestId(external.requestId(), carrier, setter);
    } else {
      propagator.inject(current(), carrier, setter);
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
      java.util.Optional<dev.threadline.core.RemoteParent> producer = W3CTraceContext.extract(carrier, getter);
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
