package dev.threadline.logback;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** One encoder shared by many threads: every line is its own event's, whole; pooled buffers are never shared. */
class ConcurrentEncodingTest {

  @Test
  void manyThreadsOneEncoder_eachLineIsItsOwnEvent() throws Exception {
    Lines lines = new Lines();
    ThreadlineEncoder encoder = lines.encoder();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int thread = t;
        results.add(pool.submit(() -> {
          int checked = 0;
          for (int i = 0; i < 5_000; i++) {
            String id = thread + "-" + i;
            LoggingEvent event = lines.event(Level.INFO, "event " + id + " " + "p".repeat(i % 300), null);
            event.setMDCPropertyMap(Map.of("id", id));
            JsonNode line = Lines.parse(encoder.encode(event));
            if (line.get("id").asString().equals(id) && line.get("message").asString().startsWith("event " + id + " ")) {
              checked++;
            }
          }
          return checked;
        }));
      }
      for (Future<Integer> result : results) {
        assertThat(result.get(60, TimeUnit.SECONDS)).isEqualTo(5_000);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
