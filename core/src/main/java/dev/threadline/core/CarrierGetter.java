package dev.threadline.core;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Reads header values from a transport's carrier: HTTP request headers, Kafka record headers, JMS message
 * properties, a plain map. The only thing a transport adapter has to write to take part in propagation.
 *
 * <p>Header names are given as the codecs know them ({@code traceparent}, {@code X-Request-Id}); matching them
 * case-insensitively where the transport is case-insensitive (HTTP) is the getter's job. A getter must not throw.
 *
 * @param <C> the carrier type
 * @since 0.1.0
 */
@FunctionalInterface
public interface CarrierGetter<C> {

  /** The first value of header {@code name}, or {@code null} when there is none. */
  String get(C carrier, String name);

  /**
   * Every value of header {@code name}, in the order received; empty when there is none. Override it where the
   * transport can carry a header more than once: W3C needs it to combine {@code tracestate} headers and to refuse
   * duplicate {@code traceparent} headers.
   */
  default List<String> getAll(C carrier, String name) {
    String value = get(carrier, name);
    return value == null ? List.of() : List.of(value);
  }

  /** A getter over a {@code Map<String, String>}, matching names case-insensitively. */
  static CarrierGetter<Map<String, String>> ofMap() {
    return (map, name) -> {
      String exact = map.get(name);
      if (exact != null) {
        return exact;
      }
      for (Map.Entry<String, String> e : map.entrySet()) {
        if (e.getKey() != null && e.getKey().equalsIgnoreCase(name)) {
          return e.getValue();
        }
      }
      return null;
    };
  }

  /**
   * A getter over a multi-valued map such as {@code Map<String, List<String>>}, matching names case-insensitively.
   */
  static <V extends Collection<String>> CarrierGetter<Map<String, V>> ofMultiMap() {
    return new CarrierGetter<>() {
      @Override
      public String get(Map<String, V> map, String name) {
        List<String> all = getAll(map, name);
        return all.isEmpty() ? null : all.get(0);
      }

      @Override
      public List<String> getAll(Map<String, V> map, String name) {
        List<String> values = new java.util.ArrayList<>();
        for (Map.Entry<String, V> e : map.entrySet()) {
          if (e.getKey() != null && e.getKey().equalsIgnoreCase(name) && e.getValue() != null) {
            for (String v : e.getValue()) {
              if (v != null) {
                values.add(v);
              }
            }
          }
        }
        return values;
      }
    };
  }
}
