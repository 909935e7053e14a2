package dev.threadline.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

  @Test
  void readsWhatTheEncoderWrites() throws Exception {
    String line = "{\"timestamp\":\"2026-12-07T04:03:47.355839Z\",\"level\":\"error\",\"n\":-12,\"big\":123456789012345678901,"
        + "\"f\":12.50,\"e\":1.0E20,\"ok\":true,\"none\":null,\"tags\":[\"a\",\"b\"],\"m\":{\"k\":[1,{\"x\":\"\\u00e9\\n\\\"\"}]}}";

    Object parsed = Json.parse(line);

    var jackson = new com.fasterxml.jackson.databind.ObjectMapper()
        .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    assertThat(parsed).isEqualTo(normalise(jackson.readValue(line, Map.class)));
    @SuppressWarnings("unchecked")
    Map<String, Object> map = (Map<String, Object>) parsed;
    assertThat(map.get("f")).isEqualTo(new BigDecimal("12.50"));
    assertThat(map).containsEntry("none", null);
  }

  @Test
  void refusesWhatIsNotExactlyOneValue() {
    for (String bad : List.of("", "{", "{\"a\":1}x", "{\"a\":01}", "{\"a\":\"\\x\"}", "{\"a\":\"tab\there\"}", "[1,]",
        "{\"a\" 1}", "nul", "\"open", "{\"a\":1,}", "-", "1.", "1e")) {
      assertThatThrownBy(() -> Json.parse(bad)).as(bad).isInstanceOf(Json.Malformed.class);
    }
    String deep = "[".repeat(Json.MAX_DEPTH + 1) + "]".repeat(Json.MAX_DEPTH + 1);
    assertThatThrownBy(() -> Json.parse(deep)).isInstanceOf(Json.Malformed.class).hasMessageContaining("deeper");
  }

  @Test
  void writesJsonThatParsesBack_loneSurrogatesReplaced() throws Exception {
    Map<String, Object> value = new LinkedHashMap<>();
    value.put("text", "quote \" backslash \\ newline \n control \u0001 lone \ud800 pair \ud83d\ude00");
    value.put("list", Arrays.asList(1L, null, true, new BigDecimal("2.50"), 1.5d));
    value.put("raw", new Json.Raw("{\"a\":[1,2]}"));

    String written = Json.write(value);

    var node = Cli.JSON.readTree(written);
    assertThat(node.get("text").asText()).isEqualTo("quote \" backslash \\ newline \n control \u0001 lone \ufffd pair"
        + " \ud83d\ude00");
    assertThat(written).contains("\"list\":[1,null,true,2.50,1.5]");
    assertThat(node.get("raw").get("a").get(1).asInt()).isEqualTo(2);
  }

  private static Object normalise(Object v) {
    if (v instanceof Integer i) {
      return (long) i;
    }
    if (v instanceof Double d) {
      return new BigDecimal(d.toString());
    }
    if (v instanceof java.math.BigInteger b) {
      return new BigDecimal(b);
    }
    if (v instanceof Map<?, ?> m) {
      Map<Object, Object> out = new LinkedHashMap<>();
      m.forEach((k, x) -> out.put(k, normalise(x)));
      return out;
    }
    if (v instanceof List<?> l) {
      return l.stream().map(JsonTest::normalise).toList();
    }
    return v;
  }
}
