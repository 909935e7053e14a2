package dev.threadline.logback;

import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** Jackson 3. Loaded only when {@code tools.jackson.databind} is on the class path. */
final class Jackson3Json implements ObjectJson {

  private final JsonMapper mapper = JsonMapper.builder()
      .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
      .build();

  @Override
  public Object toPlain(Object value) {
    return mapper.convertValue(value, Object.class);
  }

  @Override
  public String name() {
    return "jackson3";
  }
}
