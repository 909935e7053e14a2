package dev.threadline.tracing.reactive;

import dev.threadline.tracing.app.MatrixApp;
import dev.threadline.tracing.app.SpanProbe;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * The matrix application on Spring WebFlux (Reactor Netty): the same requests and lines as {@link MatrixApp}, made by
 * {@link ReactiveEndpoints}, whose work after the {@code /b} call runs on other threads (Reactor schedulers). Its
 * child JVM has no servlet stack on the class path, so Spring Boot starts a reactive server. The same system
 * properties as {@link MatrixApp}; prints {@value MatrixApp#READY} and the port once the server listens.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(ReactiveEndpoints.class)
public class ReactiveMatrixApp {

  public static void main(String[] args) {
    SpringApplication.run(MatrixApp.sources(ReactiveMatrixApp.class), args);
  }

  @Bean
  ApplicationListener<WebServerInitializedEvent> readyMarker() {
    return event -> {
      System.out.println(MatrixApp.READY + event.getWebServer().getPort());
      System.out.flush();
    };
  }

  @Bean
  SpanProbe spanProbe(ApplicationContext context) {
    return MatrixApp.probeFor(context);
  }
}
