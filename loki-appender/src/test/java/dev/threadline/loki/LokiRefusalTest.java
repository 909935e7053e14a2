package dev.threadline.loki;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Loki's 400 texts, as its main line writes them, read into how many entries were refused. */
class LokiRefusalTest {

  private static final LabelSet API = new LabelSet(new String[] {"service"}, new String[] {"api"});
  private static final LabelSet WORKER = new LabelSet(new String[] {"service"}, new String[] {"worker"});

  private static List<LokiRecord> batch(int api, int worker) {
    List<LokiRecord> records = new ArrayList<>();
    for (int i = 0; i < api; i++) {
      records.add(new LokiRecord(API, 1, 0, new byte[] {'x'}, null, null, null, null, null));
    }
    for (int i = 0; i < worker; i++) {
      records.add(new LokiRecord(WORKER, 1, 0, new byte[] {'x'}, null, null, null, null, null));
    }
    return records;
  }

  @Test
  void oneEntryLevelError_isOneEntry() {
    assertThat(LokiRefusal.refused("entry for stream '{service=\"api\"}' has timestamp too old: 2026-11-28T10:00:00Z,"
        + " oldest acceptable timestamp is: 2026-11-29T10:00:00Z", true, batch(10, 0))).isEqualTo(1);
  }

  @Test
  void groupedErrors_addUpTheirCounts() {
    String text = "3 errors like: entry for stream '{service=\"api\"}' has timestamp too new: 2026-12-07T10:00:00Z; "
        + "2 errors like: max entry size '262144' bytes exceeded for stream '{service=\"api\"}' while adding an entry"
        + " with length '300000' bytes";
    assertThat(LokiRefusal.refused(text, true, batch(10, 0))).isEqualTo(5);
  }

  @Test
  void aStreamLevelError_isEveryEntryOfThatStream() {
    String text = "1 errors like: stream '{service=\"worker\"}' has label value too long: 'x'; "
        + "1 errors like: entry for stream '{service=\"api\"}' has timestamp too new: 2026-12-07T10:00:00Z";
    assertThat(LokiRefusal.refused(text, true, batch(6, 4))).isEqualTo(5);
  }

  @Test
  void theIngestersTotalIgnored_isItsCount() {
    String text = "entry with timestamp 2026-12-06 10:00:00 +0000 UTC ignored, reason: 'entry too far behind',\n"
        + "total ignored: 7 out of 10 for stream: {service=\"api\"}";
    assertThat(LokiRefusal.refused(text, true, batch(10, 0))).isEqualTo(7);
  }

  @Test
  void anythingElse_orATextCutShort_isTheWholeBatch() {
    assertThat(LokiRefusal.refused("mime: no media type", true, batch(10, 0))).isEqualTo(10);
    assertThat(LokiRefusal.refused("<html>Bad Request</html>", true, batch(10, 0))).isEqualTo(10);
    assertThat(LokiRefusal.refused("entry for stream '{service=\"api\"}' has timestamp too old", false, batch(10, 0)))
        .isEqualTo(10);
    assertThat(LokiRefusal.refused("", true, batch(3, 0))).isEqualTo(3);
  }
}
