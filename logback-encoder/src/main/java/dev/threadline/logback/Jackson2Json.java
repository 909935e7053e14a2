package dev.threadline.logback;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/** Jackson 2. Loaded only when {@code com.fasterxml.jackson.databind} is on the class path. */
final class Jackson2Json implements ObjectJson {

  private final ObjectMapper mapper = new ObjectMapper()
      .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
      .findAndRegisterModules();

  @Override
  public Object toPlain(Object value) {
    return mapper.convertValue(value, Object.class);
  }

  @Override
  public String name() {
    return "jackson2";
  }
}
