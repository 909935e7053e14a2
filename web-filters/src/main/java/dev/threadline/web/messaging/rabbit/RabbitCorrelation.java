package dev.threadline.web.messaging.rabbit;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.LongString;
import dev.threadline.core.CarrierGetter;
import dev.threadline.core.CarrierSetter;
import dev.threadline.core.Correlation;
import dev.threadline.core.CorrelationPropagator;
import dev.threadline.core.CorrelationScope;
import dev.threadline.web.messaging.Messages;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * AMQP 0-9-1 message headers (RabbitMQ's Java client, {@code com.rabbitmq:amqp-client}) as a carrier, and the
 * consumer's side: open the span a delivery's handling runs in.
 *
 * <pre>{@code
 * AMQP.BasicProperties props = RabbitCorrelation.inject(new AMQP.BasicProperties.Builder().build());
 * channel.basicPublish("", "orders", props, body);                                  // producer
 *
 * channel.basicConsume("orders", true, (tag, delivery) -> {                         // consumer
 *   try (CorrelationScope scope = RabbitCorrelation.open(delivery.getProperties())) {
 *     handle(delivery);
 *   }
 * }, tag -> { });
 * }</pre>
 *
 * Values are written as strings. A received header arrives as the client decoded it: a {@link LongString} (how
 * RabbitMQ's client reads every string), a {@code String} or a {@code byte[]}, all read as UTF-8; any other type
 * (a number, a table, an array) and any value longer than {@value #MAX_VALUE_BYTES} bytes counts as absent, so
 * the codecs see nothing they could misread. Spring AMQP's {@code MessageProperties.getHeaders()} is the same kind of
 * map: {@link #GETTER} and {@link #SETTER} serve it too.
 *
 * @since 0.1.0
 */
public final class RabbitCorrelation {

  /** The longest header value read, in bytes: W3C's limit for {@code baggage}, the longest header propagated. */
  public static final int MAX_VALUE_BYTES = 8192;

  /**
   * Reads a header from an AMQP header table: the exact name first, then any case (AMQP names are case-sensitive,
   * but not every producer spells {@code X-Request-Id} alike). Never throws.
   */
  public static final CarrierGetter<Map<String, Object>> GETTER = (headers, name) -> {
    if (headers == null) {
      return null;
    }
    try {
      Object exact = headers.get(name);
      if (exact != null) {
        return text(exact);
      }
      for (Map.Entry<String, Object> e : headers.entrySet()) {
        if (e.getKey() != null && e.getKey().equalsIgnoreCase(name)) {
          return text(e.getValue());
        }
      }
      return null;
    } catch (RuntimeException e) {
      return null;
    }
  };

  /** Sets a header to a string value; a read-only table is left as it is. */
  public static final CarrierSetter<Map<String, Object>> SETTER = (headers, name, value) -> {
    try {
      headers.put(name, value);
    } catch (RuntimeException e) {
      // An unmodifiable table (a received message's): nothing to propagate then.
    }
  };

  private RabbitCorrelation() {
  }

  /**
   * Writes the current correlation (or a new trace) into a header table about to be published, such as the map
   * given to {@code AMQP.BasicProperties.Builder.headers(...)}. Never throws.
   */
  public static void inject(Map<String, Object> headers) {
    try {
      Messages.inject(headers, SETTER, CorrelationPropagator.shared(), GETTER);
    } catch (RuntimeException e) {
      // The message goes out without ids rather than not at all.
    }
  }

  /**
   * Properties equal to {@code properties} (or empty ones, when {@code null}) whose headers also carry the current
   * correlation (or a new trace); the headers already there stay. Publish the returned properties. Never throws:
   * when the headers cannot be written, {@code properties} come back as they were.
   */
  public static AMQP.BasicProperties inject(AMQP.BasicProperties properties) {
    AMQP.BasicProperties base = properties == null ? new AMQP.BasicProperties() : properties;
    try {
      Map<String, Object> headers = base.getHeaders() == null ? new HashMap<>() : new HashMap<>(base.getHeaders());
      inject(headers);
      return base.builder().headers(headers).build();
    } catch (RuntimeException e) {
      return base;
    }
  }

  /** The span handling a message with these properties runs in: a child of the producer's span. Never throws. */
  public static Correlation extract(AMQP.BasicProperties properties) {
    return extract(properties == null ? null : properties.getHeaders());
  }

  /**
   * The span handling a message with these headers runs in: a child of the producer's span, or a new trace when the
   * headers carry none (or only unreadable values). Never throws, never returns {@code null}.
   */
  public static Correlation extract(Map<String, Object> headers) {
    return Messages.extract(headers == null ? Map.of() : headers, GETTER, CorrelationPropagator.shared());
  }

  /** Opens {@link #extract(AMQP.BasicProperties)} on this thread; close it when the message is handled. */
  public static CorrelationScope open(AMQP.BasicProperties properties) {
    return extract(properties).open();
  }

  /** Opens {@link #extract(Map)} on this thread; close it when the message is handled. */
  public static CorrelationScope open(Map<String, Object> headers) {
    return extract(headers).open();
  }

  /** A header value as text, or {@code null} for a type no propagation header has, or for one too long. */
  private static String text(Object value) {
    byte[] bytes;
    if (value instanceof String) {
      String s = (String) value;
      return s.length() > MAX_VALUE_BYTES ? null : s;
    } else if (value instanceof LongString) {
      LongString s = (LongString) value;
      if (s.length() > MAX_VALUE_BYTES) {
        return null;
      }
      bytes = s.getBytes();
    } else if (value instanceof byte[]) {
      bytes = (byte[]) value;
    } else {
      return null;
    }
    return bytes == null || bytes.length > MAX_VALUE_BYTES ? null : new String(bytes, StandardCharsets.UTF_8);
  }
}
