package dev.threadline.web.reactive;

import dev.threadline.core.CarrierGetter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;

/** How {@link ThreadlineWebFilter} reads a request's headers: case-insensitively, on Spring 6 and 7 alike. */
final class RequestHeaders {

  /**
   * Whether {@code HttpHeaders.get} takes a {@code String} (Spring 7). Spring 6's takes an {@code Object}, and the
   * filter runs on both (Spring Boot 3.5 and 4): the call compiled against Spring 7 is never reached on Spring 6.
   */
  private static final boolean GET_BY_NAME = hasGetByName();

  /** Reads the request's headers. */
  static final CarrierGetter<ServerHttpRequest> GETTER = new CarrierGetter<>() {
    @Override
    public String get(ServerHttpRequest request, String name) {
      return request.getHeaders().getFirst(name);
    }

    @Override
    public List<String> getAll(ServerHttpRequest request, String name) {
      HttpHeaders headers = request.getHeaders();
      if (GET_BY_NAME) {
        List<String> values = headers.get(name);
        if (values == null || values.isEmpty()) {
          return List.of();
        }
        return values.contains(null) ? withoutNulls(values) : Collections.unmodifiableList(values);
      }
      if (headers.getFirst(name) == null) {
        return List.of();
      }
      // Spring 6: forEach visits every header, through a case-insensitive set of all names made for each call.
      List<String> all = new ArrayList<>(2);
      headers.forEach((key, values) -> {
        if (key.equalsIgnoreCase(name) && values != null) {
          all.addAll(values);
        }
      });
      return withoutNulls(all);
    }
  };

  private RequestHeaders() {
  }

  private static boolean hasGetByName() {
    try {
      HttpHeaders.class.getMethod("get", String.class);
      return true;
    } catch (NoSuchMethodException e) {
      return false;
    }
  }

  private static List<String> withoutNulls(List<String> values) {
    List<String> all = new ArrayList<>(values);
    all.removeIf(Objects::isNull);
    return all;
  }
}
