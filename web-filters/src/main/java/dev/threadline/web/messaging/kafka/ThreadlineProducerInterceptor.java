package dev.threadline.web.messaging.kafka;

import java.util.Map;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Writes the correlation current on the sending thread (a new trace when there is none) into every record's headers
 * as it is sent, through the {@linkplain dev.threadline.core.CorrelationPropagator#shared() shared propagator}:
 * {@code traceparent}, {@code tracestate}, the request id and the baggage fields; when a tracer owns the trace and
 * wrote its own headers, the request id and baggage fields beside them ({@link KafkaCorrelation#inject}). Configure it
 * with {@code interceptor.classes=dev.threadline.web.messaging.kafka.ThreadlineProducerInterceptor}.
 *
 * @since 0.1.0
 */
public class ThreadlineProducerInterceptor<K, V> implements ProducerInterceptor<K, V> {

  @Override
  public ProducerRecord<K, V> onSend(ProducerRecord<K, V> record) {
    try {
      KafkaCorrelation.inject(record.headers());
    } catch (RuntimeException e) {
      // Read-only headers (a record sent twice): send it as it is rather than fail the send.
    }
    return record;
  }

  @Override
  public void onAcknowledgement(RecordMetadata metadata, Exception exception) {
  }

  @Override
  public void close() {
  }

  @Override
  public void configure(Map<String, ?> configs) {
  }
}
