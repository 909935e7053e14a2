package dev.threadline.spring.autoconfigure.internal;

import dev.threadline.web.messaging.kafka.ThreadlineProducerInterceptor;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;

/**
 * Adds Threadline's producer interceptor to a producer factory's {@code interceptor.classes}, for the producer factory
 * customizers of both Spring Boot lines (whose customizer interfaces live in different packages).
 */
public final class KafkaProducerInterceptors {

  private static final String OURS = ThreadlineProducerInterceptor.class.getName();

  private KafkaProducerInterceptors() {
  }

  /**
   * Appends {@code ThreadlineProducerInterceptor} to the interceptors the factory already lists (the application's
   * stay, in their order), once: a factory that lists it already is left as it is.
   *
   * @param factory the auto-configured producer factory, before it creates a producer
   */
  public static void addTo(DefaultKafkaProducerFactory<?, ?> factory) {
    Object existing = factory.getConfigurationProperties().get(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG);
    String classes = existing == null || existing.toString().isBlank() ? OURS
        : existing.toString().contains(OURS) ? existing.toString() : existing + "," + OURS;
    factory.updateConfigs(Map.of(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG, classes));
  }
}
