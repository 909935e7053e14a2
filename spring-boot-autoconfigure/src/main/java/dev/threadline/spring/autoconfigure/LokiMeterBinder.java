package dev.threadline.spring.autoconfigure;

import dev.threadline.loki.LokiAppender;
import dev.threadline.loki.LokiStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.function.ToDoubleFunction;

/**
 * The Loki appender's counters as Micrometer meters: {@code threadline.loki.events.sent},
 * {@code threadline.loki.events.dropped} (tag {@code cause}: queue_full, rejected, shutdown),
 * {@code threadline.loki.batches.retried}, {@code threadline.loki.bytes.sent} and the gauge
 * {@code threadline.loki.queue.bytes}.
 */
public class LokiMeterBinder implements MeterBinder {

  private final LokiShipping shipping;

  public LokiMeterBinder(LokiShipping shipping) {
    this.shipping = shipping;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    counter(registry, "threadline.loki.events.sent", "Events Loki accepted", s -> s.sent(), null);
    counter(registry, "threadline.loki.events.dropped", "Events dropped", s -> s.droppedQueueFull(), "queue_full");
    counter(registry, "threadline.loki.events.dropped", "Events dropped", s -> s.droppedRejected(), "rejected");
    counter(registry, "threadline.loki.events.dropped", "Events dropped", s -> s.droppedAtShutdown(), "shutdown");
    counter(registry, "threadline.loki.batches.retried", "Pushes retried", s -> s.retries(), null);
    FunctionCounter.builder("threadline.loki.bytes.sent", shipping, stat(s -> s.bytesSent()))
        .baseUnit("bytes").description("Compressed bytes Loki accepted").register(registry);
    Gauge.builder("threadline.loki.queue.bytes", shipping, stat(s -> s.queuedBytes()))
        .baseUnit("bytes").description("Bytes waiting to be sent").register(registry);
  }

  private void counter(MeterRegistry registry, String name, String description, ToDoubleFunction<LokiStats> value,
      String cause) {
    FunctionCounter.Builder<LokiShipping> builder = FunctionCounter.builder(name, shipping, stat(value))
        .description(description);
    if (cause != null) {
      builder.tag("cause", cause);
    }
    builder.register(registry);
  }

  private static ToDoubleFunction<LokiShipping> stat(ToDoubleFunction<LokiStats> value) {
    return shipping -> {
      LokiAppender appender = shipping.appender();
      return appender == null ? 0 : value.applyAsDouble(appender.stats());
    };
  }
}
