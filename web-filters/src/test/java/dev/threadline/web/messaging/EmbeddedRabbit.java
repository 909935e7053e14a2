package dev.threadline.web.messaging;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * A real AMQP 0-9-1 broker for this module's tests and the starter's, on a free loopback port, user
 * {@code guest}/{@code guest}, default virtual host {@code /}. The RabbitMQ Java client and Spring AMQP talk to it as
 * to any RabbitMQ broker: default exchange, declared queues, headers.
 *
 * <p>Which broker: the machine's RabbitMQ server where one is installed ({@link RabbitServer}: a child process, one
 * per test JVM; {@code .ci/run} installs Debian's {@code rabbitmq-server}), on every JDK. Without one, on JDK 17 to 22,
 * Qpid Broker-J in the test process ({@link QpidBroker}, one per test class); JDK 23 and later refuse the
 * {@code Subject.getSubject} call Qpid Broker-J 9.2.1 makes. The RabbitMQ server comes first because it is the broker
 * the code is for, the same on both of CI's JDKs, and no slower: about 7 s to start once per JVM, where Qpid took 6 to
 * 12 s per class on the same loaded machine. The system property {@code threadline.test.rabbit} ({@code rabbitmq} or
 * {@code qpid}) forces one.
 *
 * <p>With no broker to run (no RabbitMQ server, and a JDK Qpid cannot run on), a test class annotated
 * {@link EnabledIfRabbitBroker} is reported as skipped, each test with the reason, and {@link #start()} aborts its
 * caller as an assumption. A RabbitMQ server that is installed but does not start fails the test.
 */
public final class EmbeddedRabbit implements AutoCloseable {

  private final int port;
  private final AutoCloseable owned;
  private final String kind;

  private EmbeddedRabbit(int port, AutoCloseable owned, String kind) {
    this.port = port;
    this.owned = owned;
    this.kind = kind;
  }

  /**
   * Starts a broker, or reaches the JVM's RabbitMQ server, and returns once its AMQP port answers.
   */
  public static EmbeddedRabbit start() throws Exception {
    long started = System.nanoTime();
    EmbeddedRabbit broker = select();
    // To the test's output file: which broker a run used, and what it cost.
    System.out.printf("EmbeddedRabbit: %s, ready in %d ms%n", broker, (System.nanoTime() - started) / 1_000_000);
    return broker;
  }

  private static EmbeddedRabbit select() throws Exception {
    Optional<String> missing = unavailable();
    if (missing.isPresent()) {
      Assumptions.abort(missing.get());
    }
    if (qpid()) {
      QpidBroker broker = QpidBroker.start();
      return new EmbeddedRabbit(broker.port(), broker, "Qpid Broker-J (in the test JVM)");
    }
    Path script = RabbitServer.script();
    RabbitServer server = RabbitServer.shared(script);
    // The JVM's server stays up for the next test class; it stops when the JVM exits.
    return new EmbeddedRabbit(server.port(), () -> { }, "RabbitMQ server " + script);
  }

  /** Whether the broker is Qpid Broker-J in the test process: forced, or no RabbitMQ server is installed. */
  private static boolean qpid() {
    String choice = choice();
    return "qpid".equals(choice) || choice.isEmpty() && RabbitServer.script() == null;
  }

  private static String choice() {
    String choice = System.getProperty("threadline.test.rabbit", "").trim();
    if (!choice.isEmpty() && !"qpid".equals(choice) && !"rabbitmq".equals(choice)) {
      throw new IllegalArgumentException("threadline.test.rabbit must be rabbitmq or qpid, not '" + choice + "'");
    }
    return choice;
  }

  /**
   * Why no broker can run here, or empty if one can. {@link EnabledIfRabbitBroker} skips a test class with this
   * reason.
   */
  public static Optional<String> unavailable() {
    String choice = choice();
    boolean qpidRuns = Runtime.version().feature() <= 22;
    if (qpid() ? qpidRuns : RabbitServer.script() != null) {
      return Optional.empty();
    }
    String noServer = "no RabbitMQ server is installed (apt-get install rabbitmq-server, or set"
        + " -Dthreadline.test.rabbitmq-server=<its rabbitmq-server script>)";
    String noQpid = "on JDK " + Runtime.version().feature() + " the in-process Qpid Broker-J 9.2.1 cannot run (it"
        + " calls Subject.getSubject, which JDK 23 and later refuse)";
    String why = switch (choice) {
      case "rabbitmq" -> "-Dthreadline.test.rabbit=rabbitmq, and " + noServer;
      case "qpid" -> "-Dthreadline.test.rabbit=qpid, and " + noQpid;
      default -> noServer + ", and " + noQpid;
    };
    return Optional.of("no AMQP 0-9-1 broker to test against: " + why);
  }

  /** The AMQP port on {@code 127.0.0.1}. */
  public int port() {
    return port;
  }

  /** The broker's address as an AMQP URI, for {@code ConnectionFactory.setUri}: the default virtual host. */
  public String uri() {
    return "amqp://guest:guest@127.0.0.1:" + port;
  }

  /** Which broker this is, for a test's messages. */
  @Override
  public String toString() {
    return kind + " on 127.0.0.1:" + port;
  }

  /** Stops an in-process broker; the JVM's RabbitMQ server stays up until the JVM exits. */
  @Override
  public void close() {
    try {
      owned.close();
    } catch (Exception e) {
      throw new IllegalStateException("the broker did not stop", e);
    }
  }
}
