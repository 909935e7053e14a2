package dev.threadline.tracing.app;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.scheduling.annotation.EnableAsync;
import org.springframework.util.ClassUtils;

/**
 * The application every set-up of the matrix runs, in a JVM of its own. Not {@code @SpringBootApplication}: a
 * component scan would take in the test classes. With {@code -Dmatrix.sdk=true} it registers its own OpenTelemetry
 * SDK as the global one before Spring starts; with {@code -Dmatrix.memory-export=true} it adds an in-memory span
 * exporter for Spring Boot's tracing to export to. It prints {@value #READY} and the port once the server listens.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@EnableAsync
@Import({Endpoints.class, Worker.class})
public class MatrixApp {

  /** The marker line on stdout, followed by the port. */
  public static final String READY = "MATRIX-READY ";

  public static void main(String[] args) {
    SpringApplication.run(sources(MatrixApp.class), args);
  }

  /**
   * The sources to run {@code app} with, after the set-up's own preparation: with {@code -Dmatrix.sdk=true} the
   * application's SDK registered as the global one; with {@code -Dmatrix.memory-export=true} the in-memory exporter
   * added. Shared with the reactive application.
   */
  public static Class<?>[] sources(Class<?> app) {
    if (Boolean.getBoolean("matrix.sdk")) {
      // Only referenced here, so set-ups without the SDK never load it.
      OtelSdk.registerGlobal();
    }
    // Only for boot-otel-export-on: the exporter class exists only where the SDK does.
    return Boolean.getBoolean("matrix.memory-export")
        ? new Class<?>[] {app, MemoryExport.class} : new Class<?>[] {app};
  }

  @Bean
  ApplicationListener<WebServerInitializedEvent> readyMarker() {
    return event -> {
      System.out.println(READY + event.getWebServer().getPort());
      System.out.flush();
    };
  }

  /** The tracer API the application sees. */
  @Bean
  SpanProbe spanProbe(ApplicationContext context) {
    return probeFor(context);
  }

  /** The tracer API the application sees: OpenTelemetry's when present, else Micrometer Tracing's, else none. */
  public static SpanProbe probeFor(ApplicationContext context) {
    ClassLoader loader = MatrixApp.class.getClassLoader();
    if (ClassUtils.isPresent("io.opentelemetry.api.GlobalOpenTelemetry", loader)) {
      return OtelProbe.create(context);
    }
    if (ClassUtils.isPresent("io.micrometer.tracing.Tracer", loader)) {
      return MicrometerProbe.create(context);
    }
    return SpanProbe.NONE;
  }
}
