package dev.threadline.tracing.app;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * An exporter that needs no collector, for the "boot-otel-export-on" set-up: Spring Boot batches every span to each
 * {@link SpanExporter} bean. {@code GET /exported} tells how many spans it received.
 */
@Configuration(proxyBeanMethods = false)
class MemoryExport {

  private static final AtomicInteger EXPORTED = new AtomicInteger();

  @Bean
  SpanExporter memorySpanExporter() {
    return new SpanExporter() {
      @Override
      public CompletableResultCode export(Collection<SpanData> spans) {
        EXPORTED.addAndGet(spans.size());
        return CompletableResultCode.ofSuccess();
      }

      @Override
      public CompletableResultCode flush() {
        return CompletableResultCode.ofSuccess();
      }

      @Override
      public CompletableResultCode shutdown() {
        return CompletableResultCode.ofSuccess();
      }
    };
  }

  @RestController
  static class Exported {
    @GetMapping("/exported")
    int exported() {
      return EXPORTED.get();
    }
  }
}
