package dev.threadline.core;

import java.util.Map;

/**
 * Writes one header into a transport's carrier: an outgoing HTTP request, a Kafka record, a JMS message, a map.
 * Setting a header that is already there replaces it. A setter must not throw.
 *
 * @param <C> the carrier type
 * @since 0.1.0
 */
@FunctionalInterface
public interface CarrierSetter<C> {

  /** Sets header {@code name} to {@code value}, replacing any value it had. */
  void set(C carrier, String name, String value);

  /** A setter into a {@code Map<String, String>}. */
  static CarrierSetter<Map<String, String>> ofMap() {
    return Map::put;
  }
}
