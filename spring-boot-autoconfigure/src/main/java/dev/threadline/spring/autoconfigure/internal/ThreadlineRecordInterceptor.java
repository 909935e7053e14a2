package dev.threadline.spring.autoconfigure.internal;

import dev.threadline.core.CorrelationScope;
import dev.threadline.web.messaging.kafka.KafkaCorrelation;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.listener.RecordInterceptor;

/**
 * Runs each {@code @KafkaListener} record in its own span: a child of the producer's, with the producer's request id
 * and trace, opened before the listener and closed after it (or when the container clears the thread).
 */
public class ThreadlineRecordInterceptor implements RecordInterceptor<Object, Object> {

  /** The scope of the record being handled on a container thread. */
  private final ThreadLocal<CorrelationScope> open = new ThreadLocal<>();

  @Override
  public ConsumerRecord<Object, Object> intercept(ConsumerRecord<Object, Object> record,
      Consumer<Object, Object> consumer) {
    close();
    try {
      open.set(KafkaCorrelation.open(record));
    } catch (RuntimeException e) {
      // The record is handled without ids rather than not at all.
    }
    return record;
  }

  @Override
  public void afterRecord(ConsumerRecord<Object, Object> record, Consumer<Object, Object> consumer) {
    close();
  }

  @Override
  public void clearThreadState(Consumer<?, ?> consumer) {
    close();
  }

  private void close() {
    CorrelationScope scope = open.get();
    if (scope != null) {
      open.remove();
      scope.close();
    }
  }
}
