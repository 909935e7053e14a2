package dev.threadline.web.messaging.kafka;

import java.util.Map;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Writes {@code traceparent}, {@code tracestate} and the request id into every record's headers as it is sent,
 * from the correlation current on the sending thread (a new trace when there is none). Configure it with
 * {@code interceptor.classes=dev.threadline.web.messaging.kafka.ThreadlineProducerInterceptor}.
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
