package dev.threadline.spring.autoconfigure.internal;

import dev.threadline.loki.LokiAppender;
import dev.threadline.loki.LokiStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.function.ToDoubleFunction;

/**
 * The Loki appender's counters as Micrometer meters, read from the appender on each scrape (no work in between):
 * <ul>
 *   <li>{@code threadline.loki.events.sent}: events Loki accepted;</li>
 *   <li>{@code threadline.loki.events.dropped}, tag {@code cause}: {@code queue_full} (the byte budget was full),
 *       {@code too_large} (could never fit a push), {@code rejected} (Loki refused them for good),
 *       {@code retries_exhausted} (still failing after the retries), {@code failed} (a failure inside the appender),
 *       {@code shutdown} (not sent when the appender stopped), {@code too_old} (spilled, and older than the spill's
 *       max-age before Loki took them);</li>
 *   <li>{@code threadline.loki.events.unconfirmed}: events handed to Loki whose answer never came before the appender
 *       stopped (Loki may have stored them or not);</li>
 *   <li>{@code threadline.loki.events.pending} (gauge): events queued or being sent now;</li>
 *   <li>{@code threadline.loki.events.spilled}: events written to the spill directory (each once, however long it
 *       stays there);</li>
 *   <li>{@code threadline.loki.events.spill.pending} (gauge): events on disk in the spill directory, waiting to be
 *       sent;</li>
 *   <li>{@code threadline.loki.events.recovered}: events a previous run left in the spill directory, found at
 *       start;</li>
 *   <li>{@code threadline.loki.batches.retried}, {@code threadline.loki.bytes.sent}, and the gauges
 *       {@code threadline.loki.queue.bytes} and {@code threadline.loki.spill.bytes} (the spill's files on disk).</li>
 * </ul>
 * Every event appended or recovered is sent, dropped (one cause), unconfirmed, pending or pending in the spill. When
 * the starter adopted a LokiAppender from Logback's configuration, these are that appender's counters; with no
 * running appender they read zero.
 */
public class LokiMeterBinder implements MeterBinder {

  private final LokiShipping shipping;

  /**
   * Meters over the appender of {@code shipping}, whichever it is when read.
   *
   * @param shipping the application's Loki shipping
   */
  public LokiMeterBinder(LokiShipping shipping) {
    this.shipping = shipping;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    counter(registry, "threadline.loki.events.sent", "Events Loki accepted", s -> s.sent(), null);
    counter(registry, "threadline.loki.events.dropped", "Events dropped", s -> s.droppedQueueFull(), "queue_full");
    counter(registry, "threadline.loki.events.dropped", "Events dropped", s -> s.droppedTooLarge(), "too_large");
    counter(registry, "threadline.loki.events.dropped", "Events dropped", s -> s.droppedRejected(), "rejected");
    counter(registry, "threadline.loki.events.dropped", "Events dropped", s -> s.droppedRetriesExhausted(),
        "retries_exhausted");
    counter(registry, "threadline.loki.events.dropped", "Events dropped", s -> s.droppedFailed(), "failed");
    counter(registry, "threadline.loki.events.dropped", "Events dropped", s -> s.droppedAtShutdown(), "shutdown");
    counter(registry, "threadline.loki.events.dropped", "Events dropped", s -> s.droppedTooOld(), "too_old");
    counter(registry, "threadline.loki.events.unconfirmed", "Events sent whose answer never came", s -> s.unconfirmed(),
        null);
    Gauge.builder("threadline.loki.events.pending", shipping, stat(s -> s.pending()))
        .description("Events queued or being sent").register(registry);
    counter(registry, "threadline.loki.events.spilled", "Events written to the spill directory", s -> s.spilled(),
        null);
    Gauge.builder("threadline.loki.events.spill.pending", shipping, stat(s -> s.spillPending()))
        .description("Events in the spill directory, waiting to be sent").register(registry);
    counter(registry, "threadline.loki.events.recovered", "Events a previous run left in the spill directory",
        s -> s.recovered(), null);
    counter(registry, "threadline.loki.batches.retried", "Pushes retried", s -> s.retries(), null);
    FunctionCounter.builder("threadline.loki.bytes.sent", shipping, stat(s -> s.bytesSent()))
        .baseUnit("bytes").description("Compressed bytes Loki accepted").register(registry);
    Gauge.builder("threadline.loki.queue.bytes", shipping, stat(s -> s.queuedBytes()))
        .baseUnit("bytes").description("Bytes waiting to be sent").register(registry);
    Gauge.builder("threadline.loki.spill.bytes", shipping, stat(s -> s.spillBytes()))
        .baseUnit("bytes").description("Bytes of the spill's files on disk").register(registry);
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
