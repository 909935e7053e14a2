package dev.threadline.logback;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import dev.threadline.core.Correlation;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.slf4j.event.KeyValuePair;

/**
 * With neither Jackson on the class path, the encoder starts, loads no Jackson class, and writes objects with
 * {@code toString()}. Runs the encoder in a class loader that sees only this module, core, Logback and SLF4J.
 */
class WithoutJacksonTest {

  /** Runs inside the isolated class loader. */
  public static final class Probe implements Supplier<String> {
    record Order(String id) { }

    @Override
    public String get() {
      LoggerContext context = new LoggerContext();
      ThreadlineEncoder encoder = new ThreadlineEncoder();
      encoder.setContext(context);
      encoder.start();
      LoggingEvent event = new LoggingEvent(
          getClass().getName(), context.getLogger("probe"), Level.INFO, "no jackson", null, null);
      event.setMDCPropertyMap(java.util.Map.of());
      event.addKeyValuePair(new KeyValuePair("order", new Order("o-1")));
      return encoder.isStarted() + " " + new String(encoder.encode(event), java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  private static URL location(Class<?> type) {
    return type.getProtectionDomain().getCodeSource().getLocation();
  }

  @Test
  void withoutJackson_objectsAreWrittenWithToString() throws Exception {
    URL[] visible = {
        location(ThreadlineEncoder.class), location(WithoutJacksonTest.class), location(Correlation.class),
        location(LoggerContext.class), location(ch.qos.logback.core.Context.class), location(org.slf4j.Logger.class)};
    try (URLClassLoader isolated = new URLClassLoader(visible, ClassLoader.getPlatformClassLoader())) {
      assertThat(isolated.getResource("tools/jackson/databind/json/JsonMapper.class")).isNull();
      assertThat(isolated.getResource("com/fasterxml/jackson/databind/ObjectMapper.class")).isNull();
      @SuppressWarnings("unchecked")
      Supplier<String> probe = (Supplier<String>) isolated.loadClass(Probe.class.getName())
          .getConstructor().newInstance();
      String result = probe.get();
      assertThat(result).startsWith("true {");
      assertThat(result).contains("\"order\":\"Order[id=o-1]\"");
    }
  }
}
