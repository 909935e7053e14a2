package dev.threadline.web.messaging.kafka;

import dev.threadline.core.CarrierGetter;
import dev.threadline.core.CarrierSetter;
import dev.threadline.core.Correlation;
import dev.threadline.core.CorrelationPropagator;
import dev.threadline.core.CorrelationScope;
import dev.threadline.web.messaging.Messages;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Kafka record headers as a carrier (values in UTF-8), and the consumer's side: open the span a record's handling
 * runs in.
 *
 * <pre>{@code
 * for (ConsumerRecord<String, String> record : consumer.poll(timeout)) {
 *   try (CorrelationScope scope = KafkaCorrelation.open(record)) {
 *     handle(record);
 *   }
 * }
 * }</pre>
 *
 * The producer's side is {@link ThreadlineProducerInterceptor}, or {@link #inject(Headers)} by hand.
 *
 * @since 0.1.0
 */
public final class KafkaCorrelation {

  /** Reads the last value of a header (Kafka keeps them all), and every value for the W3C duplicate rules. */
  public static final CarrierGetter<Headers> GETTER = new CarrierGetter<>() {
    @Override
    public String get(Headers headers, String name) {
      Header header = headers.lastHeader(name);
      return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    @Override
    public List<String> getAll(Headers headers, String name) {
      List<String> values = new ArrayList<>();
      for (Header header : headers.headers(name)) {
        if (header.value() != null) {
          values.add(new String(header.value(), StandardCharsets.UTF_8));
        }
      }
      return values;
    }
  };

  /** Replaces a header's values with one UTF-8 value. */
  public static final CarrierSetter<Headers> SETTER = (headers, name, value) -> {
    headers.remove(name);
    headers.add(name, value.getBytes(StandardCharsets.UTF_8));
  };

  private KafkaCorrelation() {
  }

  /** Writes the current correlation (or a new trace) into outgoing record headers. Never throws. */
  public static void inject(Headers headers) {
    Messages.inject(headers, SETTER, CorrelationPropagator.shared(), GETTER);
  }

  /** The span handling {@code record} runs in: a child of the producer's span. Never throws. */
  public static Correlation extract(ConsumerRecord<?, ?> record) {
    return Messages.extract(record.headers(), GETTER, CorrelationPropagator.shared());
  }

  /** Opens {@link #extract(ConsumerRecord)} on this thread; close it when the record is handled. */
  public static CorrelationScope open(ConsumerRecord<?, ?> record) {
    return extract(record).open();
  }
}
