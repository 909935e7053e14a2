package dev.threadline.benchmarks;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.EncoderBase;
import ch.qos.logback.core.status.Status;
import co.elastic.logging.logback.EcsEncoder;
import dev.threadline.logback.ThreadlineEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.logstash.logback.encoder.LogstashEncoder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.slf4j.MDC;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What encoding one log event as a JSON line costs, for {@link ThreadlineEncoder} and three peers on the same
 * events: Logstash's {@link LogstashEncoder}, Logback's own {@link JsonEncoder} and Elastic's {@link EcsEncoder}.
 * The events are the three profiles of {@link BenchmarkEvents} ({@code lite}, {@code typical}, {@code error}), built
 * once; what is measured is {@link Encoder#encode} alone, returning the line's bytes. Run with {@code -prof gc} to
 * see the allocation per event ({@code gc.alloc.rate.norm}); each fork prints its line and
 * {@code LINE_BYTES encoder=… profile=… bytes=…} to stderr before measuring, so the two can be compared.
 *
 * <p>Issue #3 goals checked: throughput at least 2× {@code LogstashEncoder}'s on every profile; allocation per
 * event at most 1.25× the bytes of the line returned (the returned {@code byte[]} is the floor).
 *
 * <p>Every encoder is configured for the same fields as far as it can be: timestamp, level, logger, thread, the
 * formatted message, every MDC entry, the key-value pairs, a service name and the full stack trace with its causes.
 * What each still writes that the others do not:
 * <ul>
 *   <li>Threadline: {@code host} (fixed here, so the line length does not depend on the machine), the error's type,
 *       message and fingerprint as separate fields next to the stack; it also scans the message and string values
 *       for secrets (its default), which no peer does.</li>
 *   <li>Logstash: {@code @version} and {@code level_value}.</li>
 *   <li>Logback's JsonEncoder: {@code nanoseconds} next to the millisecond {@code timestamp} (the sub-millisecond
 *       part Threadline writes as microseconds), the MDC and key-value pairs nested ({@code mdc}, {@code kvpList}),
 *       and the throwable as nested objects, one per frame. It has no service name at all; its context, sequence
 *       number, raw message pattern and argument array are turned off, as no other encoder writes them.</li>
 *   <li>ECS: {@code ecs.version} and {@code event.dataset}. ECS 1.8.0 has no support for SLF4J key-value pairs, so
 *       its lines lack the two pairs.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class EncoderBenchmark {

  // Not final, unlike the house style: JMH generates subclasses of every benchmark class and refuses final ones.

  /** The service name every encoder that has one writes. */
  private static final String SERVICE = "bench";

  /**
   * The event profile: {@code lite}, {@code typical} or {@code error}; and {@code typical-cold}, the typical event
   * in 4096 copies whose MDC and key-value strings are distinct instances, cycled through, so that no encoder can
   * profit from having seen the very same strings on the previous line (Threadline caches by identity); and
   * {@code typical-fresh}, 4096 typical events as real traffic makes them, keys constant and values built per event
   * with their own content (see {@link BenchmarkEvents}).
   */
  @Param({"lite", "typical", "typical-cold", "typical-fresh", "error"})
  public String profile;

  /** The encoder under test: {@code threadline}, {@code logstash}, {@code logback} or {@code ecs}. */
  @Param({"threadline", "logstash", "logback", "ecs"})
  public String encoder;

  private LoggerContext context;
  private Encoder<ILoggingEvent> subject;
  private ILoggingEvent event;
  private ILoggingEvent[] events;
  private int next;

  /**
   * Builds the event and the encoder, encodes the event once, checks that the line is one JSON object with the
   * event's content, and prints the line and its length to stderr.
   */
  @Setup
  public void setUp() {
    context = new LoggerContext();
    context.setName("bench");
    context.setMDCAdapter(MDC.getMDCAdapter());
    context.start();
    events = BenchmarkEvents.createMany(profile, context);
    event = events[0];
    EncoderBase<ILoggingEvent> created = newEncoder(encoder);
    created.setContext(context);
    created.start();
    if (!created.isStarted()) {
      throw new IllegalStateException(encoder + " encoder did not start: " + problems(Status.WARN));
    }
    subject = created;

    byte[] line = subject.encode(event);
    String text = new String(line, StandardCharsets.UTF_8);
    System.err.print("LINE encoder=" + encoder + " profile=" + profile + " " + text);
    System.err.println("LINE_BYTES encoder=" + encoder + " profile=" + profile + " bytes=" + line.length);
    check(text);
    List<String> problems = problems(Status.WARN);
    if (!problems.isEmpty()) {
      throw new IllegalStateException(encoder + " encoder reported problems: " + problems);
    }
  }

  /** Stops the encoder and its context, so that nothing outlives the trial. */
  @TearDown
  public void tearDown() {
    subject.stop();
    context.stop();
  }

  /** Encodes the prepared event: one JSON line, returned as bytes, as an appender would write it. */
  @Benchmark
  public byte[] encode() {
    return subject.encode(events[next++ & (events.length - 1)]);
  }

  static EncoderBase<ILoggingEvent> newEncoder(String name) {
    switch (name) {
      case "threadline": {
        ThreadlineEncoder e = new ThreadlineEncoder();
        e.setService(SERVICE);
        e.setHost("bench-host");
        return e;
      }
      case "logstash": {
        LogstashEncoder e = new LogstashEncoder();
        e.setCustomFields("{\"service\":\"" + SERVICE + "\"}");
        e.setIncludeMdc(true);
        e.setIncludeKeyValuePairs(true);
        // The context's properties: no other encoder writes them (and this context has none).
        e.setIncludeContext(false);
        return e;
      }
      case "logback": {
        JsonEncoder e = new JsonEncoder();
        e.setWithSequenceNumber(false);
        e.setWithContext(false);
        e.setWithMessage(false);
        e.setWithArguments(false);
        e.setWithFormattedMessage(true);
        e.setWithMDC(true);
        e.setWithKVPList(true);
        e.setWithThrowable(true);
        return e;
      }
      case "ecs": {
        EcsEncoder e = new EcsEncoder();
        e.setServiceName(SERVICE);
        return e;
      }
      default:
        throw new IllegalArgumentException("Unknown encoder: " + name);
    }
  }

  /** Fails the trial unless {@code line} is one JSON object, with unique keys, holding what the event holds. */
  private void check(String line) {
    if (!line.startsWith("{") || !line.endsWith("}\n") || line.indexOf('\n') != line.length() - 1) {
      throw new IllegalStateException(encoder + " did not write one JSON line: " + line);
    }
    JsonMapper strict = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    JsonNode tree = strict.readTree(line);
    if (!tree.isObject()) {
      throw new IllegalStateException(encoder + " did not write a JSON object: " + line);
    }
    List<String> expected = new ArrayList<>();
    expected.add(event.getFormattedMessage());
    expected.add(BenchmarkEvents.THREAD);
    if (!encoder.equals("logback")) {
      expected.add(SERVICE);
    }
    if (!profile.equals("lite")) { // typical, typical-cold, typical-fresh, error
      expected.add("acme-eu");
      expected.add(event.getMDCPropertyMap().get("trace_id"));
      if (!encoder.equals("ecs")) {
        expected.add("DHL Express");
      }
    }
    if (profile.equals("error")) {
      expected.add("java.net.SocketTimeoutException");
      expected.add(BenchmarkEvents.ROOT_CAUSE_MESSAGE);
    }
    for (String value : expected) {
      if (!line.contains(value)) {
        throw new IllegalStateException(encoder + "'s line lacks '" + value + "': " + line);
      }
    }
  }

  private List<String> problems(int minimumLevel) {
    List<String> found = new ArrayList<>();
    for (Status status : context.getStatusManager().getCopyOfStatusList()) {
      if (status.getEffectiveLevel() >= minimumLevel) {
        found.add(status.toString());
      }
    }
    return found;
  }
}
