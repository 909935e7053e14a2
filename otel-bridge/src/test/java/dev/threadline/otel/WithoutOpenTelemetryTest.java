package dev.threadline.otel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadline.core.spi.TraceBridge;
import dev.threadline.otel.internal.OtelTraceBridge;
import java.net.URL;
import java.net.URLClassLoader;
import org.junit.jupiter.api.Test;

/**
 * core and this module on a class path without OpenTelemetry's API: the bridge is found, fails to link, and is
 * never used; core works alone.
 */
class WithoutOpenTelemetryTest {

  private static URL location(Class<?> type) {
    return type.getProtectionDomain().getCodeSource().getLocation();
  }

  @Test
  void withoutTheApiNoBridgeIsUsedAndCoreWorksAlone() throws Exception {
    URL[] path = {location(TraceBridge.class), location(OtelTraceBridge.class), location(org.slf4j.MDC.class)};
    try (URLClassLoader loader = new URLClassLoader(path, ClassLoader.getPlatformClassLoader())) {
      assertThat(loader.getResource("io/opentelemetry/context/Context.class")).isNull();
      assertThat(loader.getResource("META-INF/services/dev.threadline.core.spi.TraceBridge")).isNotNull();
      Object bridge = loader.loadClass("dev.threadline.core.internal.TraceBridges").getMethod("get").invoke(null);
      assertThat(bridge).isNull();
      Class<?> correlation = loader.loadClass("dev.threadline.core.Correlation");
      Object trace = correlation.getMethod("newTrace").invoke(null);
      assertThat((String) correlation.getMethod("traceId").invoke(trace)).matches("[0-9a-f]{32}");
    }
  }
}
