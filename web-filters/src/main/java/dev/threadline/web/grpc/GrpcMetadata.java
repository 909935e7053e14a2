package dev.threadline.web.grpc;

import dev.threadline.core.CarrierGetter;
import dev.threadline.core.CarrierSetter;
import io.grpc.Metadata;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;

/**
 * gRPC {@link Metadata} as a carrier: {@code traceparent}, {@code tracestate}, the request id and {@code baggage}
 * travel as ASCII metadata (gRPC keys are lower case; the names are matched as such).
 *
 * @since 0.1.0
 */
public final class GrpcMetadata {

  /** Keys by header name: {@link Metadata.Key#of} validates each name, once is enough. */
  private static final ConcurrentHashMap<String, Metadata.Key<String>> KEYS = new ConcurrentHashMap<>();

  /** Reads the last value of a key (as {@link Metadata#get} does), and every value for the W3C duplicate rules. */
  public static final CarrierGetter<Metadata> GETTER = new CarrierGetter<>() {
    @Override
    public String get(Metadata metadata, String name) {
      Metadata.Key<String> key = key(name);
      return key == null ? null : metadata.get(key);
    }

    @Override
    public List<String> getAll(Metadata metadata, String name) {
      Metadata.Key<String> key = key(name);
      Iterable<String> values = key == null ? null : metadata.getAll(key);
      if (values == null) {
        return List.of();
      }
      List<String> all = new ArrayList<>(2);
      for (String v : values) {
        all.add(v);
      }
      return all;
    }
  };

  /** Replaces a key's values with one; a value gRPC refuses as ASCII metadata is left out. */
  public static final CarrierSetter<Metadata> SETTER = (metadata, name, value) -> {
    Metadata.Key<String> key = key(name);
    if (key == null) {
      return;
    }
    metadata.removeAll(key);
    if (isAsciiValue(value)) {
      metadata.put(key, value);
    }
  };

  private GrpcMetadata() {
  }

  /** The ASCII key of {@code name}; {@code null} when gRPC does not accept it as one. */
  static Metadata.Key<String> key(String name) {
    Metadata.Key<String> key = KEYS.get(name);
    if (key != null) {
      return key;
    }
    try {
      String lower = name.toLowerCase(Locale.ROOT);
      if (lower.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
        return null;
      }
      key = Metadata.Key.of(lower, Metadata.ASCII_STRING_MARSHALLER);
      // The names come from the propagator's settings, a handful; the bound only guards against misuse.
      if (KEYS.size() < 256) {
        KEYS.putIfAbsent(name, key);
      }
      return key;
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** Printable ASCII (and space): what ASCII metadata values may hold. */
  private static boolean isAsciiValue(String value) {
    if (value == null) {
      return false;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        return false;
      }
    }
    return true;
  }
}
