package dev.threadline.loki;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class RecordQueueTest {

  private static LokiRecord record(int producer, int sequence) {
    return new LokiRecord(null, producer, sequence, new byte[0], null, null, null, null, null);
  }

  @Test
  void emptyQueueHasNothing() {
    RecordQueue queue = new RecordQueue();
    assertThat(queue.isEmpty()).isTrue();
    assertThat(queue.peek()).isNull();
    assertThat(queue.poll()).isNull();
  }

  @Test
  void oneThreadGetsBackWhatItQueuedInOrder() {
    RecordQueue queue = new RecordQueue();
    for (int i = 0; i < 10; i++) {
      queue.offer(record(0, i));
    }
    for (int i = 0; i < 10; i++) {
      assertThat(queue.peek().nanos).isEqualTo(i);
      assertThat(queue.poll().nanos).isEqualTo(i);
    }
    assertThat(queue.isEmpty()).isTrue();
    queue.offer(record(0, 10));
    assertThat(queue.poll().nanos).isEqualTo(10);
  }

  @Test
  void manyProducersOneConsumer_everyRecordOnceAndInEachProducersOrder() throws Exception {
    int producers = 4;
    int each = 250_000;
    RecordQueue queue = new RecordQueue();
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int p = 0; p < producers; p++) {
      int producer = p;
      Thread t = new Thread(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int i = 0; i < each; i++) {
          queue.offer(record(producer, i));
        }
      });
      t.start();
      threads.add(t);
    }
    go.countDown();
    int[] nextExpected = new int[producers];
    int received = 0;
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (received < producers * each && System.nanoTime() < deadline) {
      LokiRecord r = queue.poll();
      if (r == null) {
        Thread.onSpinWait();
        continue;
      }
      int producer = (int) r.epochSecond;
      assertThat(r.nanos).as("producer %d's order", producer).isEqualTo(nextExpected[producer]);
      nextExpected[producer]++;
      received++;
    }
    for (Thread t : threads) {
      t.join();
    }
    assertThat(received).isEqualTo(producers * each);
    assertThat(queue.poll()).isNull();
  }
}
