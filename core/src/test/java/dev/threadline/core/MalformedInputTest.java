package dev.threadline.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadline.core.internal.Ids;
import dev.threadline.core.internal.W3CTraceContext;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Bad input never throws out of the library: random and mutated headers always give a valid correlation, either a
 * child of a valid parent or a restarted trace, with a valid request id.
 */
class MalformedInputTest {

  private static final String VALID_TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  private static final String ALPHABET = "0123456789abcdefABCDEF-=,;@ \t\"\\\n\u0000\u00e9%+/_.*xyz";

  @Test
  void randomAndMutatedHeaders_alwaysGiveAValidCorrelation() {
    Random random = new Random(20261122L);
    CorrelationPropagator propagator = CorrelationPropagator.builder().baggageFields("tenant").build();
    for (int i = 0; i < 50_000; i++) {
      Map<String, List<String>> headers = new HashMap<>();
      headers.put("traceparent", List.of(i % 2 == 0 ? mutate(VALID_TRACEPARENT, random) : garbage(random, 60)));
      headers.put("tracestate", List.of(garbage(random, 80), garbage(random, 20)));
      headers.put("X-Request-Id", List.of(garbage(random, 140)));
      headers.put("b3", List.of(garbage(random, 70)));
      headers.put("X-B3-TraceId", List.of(garbage(random, 32)));
      headers.put("X-B3-SpanId", List.of(garbage(random, 16)));
      headers.put("baggage", List.of("tenant=" + garbage(random, 30) + "," + garbage(random, 30)));

      Correlation c = propagator.extract(headers, CarrierGetter.ofMultiMap());

      assertThat(Ids.isValidTraceId(c.traceId())).isTrue();
      assertThat(Ids.isValidSpanId(c.spanId())).isTrue();
      c.parentSpanId().ifPresent(p -> assertThat(Ids.isValidSpanId(p)).isTrue());
      assertThat(RequestIds.isValid(c.requestId())).isTrue();
      assertThat(c.traceState().length()).isLessThanOrEqualTo(W3CTraceContext.MAX_LENGTH);
      assertThat(c.baggage().values()).allMatch(Correlation::isValidBaggageValue);
      Map<String, String> out = new HashMap<>();
      propagator.inject(c.newChild(), out, CarrierSetter.ofMap());
      assertThat(W3CTraceContext.extract(out, CarrierGetter.ofMap())).isPresent();
    }
  }

  private static String mutate(String valid, Random random) {
    char[] chars = valid.toCharArray();
    int edits = 1 + random.nextInt(3);
    for (int e = 0; e < edits; e++) {
      chars[random.nextInt(chars.length)] = ALPHABET.charAt(random.nextInt(ALPHABET.length()));
    }
    String mutated = new String(chars);
    return random.nextInt(10) == 0 ? mutated.substring(0, random.nextInt(mutated.length())) : mutated;
  }

  private static String garbage(Random random, int maxLength) {
    StringBuilder out = new StringBuilder();
    int length = random.nextInt(maxLength + 1);
    for (int i = 0; i < length; i++) {
      out.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    return out.toString();
  }
}
