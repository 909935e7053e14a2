package dev.threadline.web.messaging;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * {@link EmbeddedRabbit}'s broker wherever one is installed: a real RabbitMQ server (the
 * {@code rabbitmq-server} of the machine, Debian's package in CI) started as a child process, one per test JVM, shared
 * by the test classes that run in it and stopped when the JVM exits.
 *
 * <p>Nothing of it is shared with another run or with a system-wide RabbitMQ: the AMQP port, the Erlang distribution
 * port and a private epmd port are free loopback ports picked at start, the node name is unique, and the data, logs,
 * Erlang cookie ({@code HOME}) and plugin list (none) live in a fresh temporary directory. {@code /etc/rabbitmq}'s
 * files are not read.
 *
 * <p>The broker runs under a small shell script that waits on its standard input: when the JVM closes that pipe, at
 * exit or because it died, the script stops the broker, then its epmd, and deletes the directory. The JVM does not
 * wait for any of it.
 */
final class RabbitServer {

  /** The RabbitMQ 3.x start script, which runs the node in the foreground; Debian's package puts it here. */
  private static final List<String> SCRIPTS = List.of("/usr/lib/rabbitmq/bin/rabbitmq-server",
      "/usr/local/lib/rabbitmq/bin/rabbitmq-server");

  /** How long a start may take: about 7 s of wall time on an idle 2-CPU machine, 20 s with other builds beside it. */
  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

  // Stops the broker once standard input closes (cat returns), then the private epmd, then removes the directory.
  private static final String SUPERVISOR = """
      "$1" & broker=$!
      cat > /dev/null
      kill -TERM "$broker" 2>/dev/null
      wait "$broker"
      epmd -kill > /dev/null 2>&1
      rm -rf "$2"
      """;

  private static RabbitServer shared;
  private static RuntimeException sharedFailure;

  private final Process supervisor;
  private final int port;

  private RabbitServer(Process supervisor, int port) {
    this.supervisor = supervisor;
    this.port = port;
  }

  /**
   * The start script to run: the system property {@code threadline.test.rabbitmq-server} if set, else the first of
   * the usual places that exists, else {@code rabbitmq-server} on the {@code PATH}; null if there is none.
   */
  static Path script() {
    String configured = System.getProperty("threadline.test.rabbitmq-server");
    if (configured != null && !configured.isBlank()) {
      Path path = Paths.get(configured);
      return Files.isExecutable(path) ? path : null;
    }
    for (String candidate : SCRIPTS) {
      Path path = Paths.get(candidate);
      if (Files.isExecutable(path)) {
        return path;
      }
    }
    String searchPath = System.getenv("PATH");
    if (searchPath != null) {
      for (String dir : searchPath.split(java.io.File.pathSeparator)) {
        Path path = Paths.get(dir, "rabbitmq-server");
        // Debian's /usr/sbin/rabbitmq-server switches to the rabbitmq user when run as root, losing the settings
        // below: that one is reached through /usr/lib/rabbitmq/bin above.
        if (!dir.isEmpty() && Files.isExecutable(path)) {
          return path;
        }
      }
    }
    return null;
  }

  /**
   * The JVM's broker, started on first use; a start that failed fails again at once rather than wait once per test
   * class.
   */
  static synchronized RabbitServer shared(Path script) throws IOException {
    if (sharedFailure != null) {
      throw sharedFailure;
    }
    if (shared == null) {
      try {
        shared = start(script);
      } catch (IOException | RuntimeException e) {
        sharedFailure = new IllegalStateException("the RabbitMQ server did not start: " + e.getMessage(), e);
        throw sharedFailure;
      }
      Runtime.getRuntime().addShutdownHook(new Thread(shared::stop, "rabbitmq-server-stop"));
    }
    return shared;
  }

  private static RabbitServer start(Path script) throws IOException {
    Path dir = Files.createTempDirectory("threadline-rabbitmq");
    Files.createDirectories(dir.resolve("home"));
    Files.writeString(dir.resolve("enabled_plugins"), "[].\n", StandardCharsets.UTF_8);
    int amqpPort = freePort();
    int distPort = freePort();
    int epmdPort = freePort();
    String node = "threadline-" + ProcessHandle.current().pid() + "-"
        + UUID.randomUUID().toString().substring(0, 8) + "@localhost";

    ProcessBuilder builder = new ProcessBuilder("sh", "-c", SUPERVISOR, "rabbitmq-supervisor",
        script.toString(), dir.toString());
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(name -> name.startsWith("RABBITMQ_") || name.startsWith("ERL_"));
    env.put("HOME", dir.resolve("home").toString()); // the Erlang cookie
    env.put("RABBITMQ_NODENAME", node);
    env.put("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1");
    env.put("RABBITMQ_NODE_PORT", Integer.toString(amqpPort));
    env.put("RABBITMQ_DIST_PORT", Integer.toString(distPort));
    env.put("ERL_EPMD_PORT", Integer.toString(epmdPort));
    env.put("ERL_EPMD_ADDRESS", "127.0.0.1");
    env.put("RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS", "-kernel inet_dist_use_interface {127,0,0,1}");
    env.put("RABBITMQ_MNESIA_BASE", dir.resolve("mnesia").toString());
    env.put("RABBITMQ_LOG_BASE", dir.resolve("log").toString());
    env.put("RABBITMQ_ENABLED_PLUGINS_FILE", dir.resolve("enabled_plugins").toString());
    // Files that do not exist: no configuration beyond the above, whatever /etc/rabbitmq holds.
    env.put("RABBITMQ_CONF_ENV_FILE", dir.resolve("rabbitmq-env.conf").toString());
    env.put("RABBITMQ_CONFIG_FILE", dir.resolve("rabbitmq").toString());
    env.put("RABBITMQ_ADVANCED_CONFIG_FILE", dir.resolve("advanced.config").toString());
    Path output = dir.resolve("server-output.txt");
    builder.redirectErrorStream(true).redirectOutput(output.toFile());
    Process supervisor = builder.start();

    RabbitServer server = new RabbitServer(supervisor, amqpPort);
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (!answersAmqp(amqpPort)) {
      if (!supervisor.isAlive() || System.nanoTime() > deadline) {
        String tail = tail(output);
        server.stop();
        throw new IllegalStateException((supervisor.isAlive() ? "no AMQP answer on port " + amqpPort + " within "
            + START_TIMEOUT.toSeconds() + " s" : "it exited") + " (" + script + ", node " + node + "); its output:\n"
            + tail);
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        server.stop();
        throw new IllegalStateException("interrupted while the RabbitMQ server started", e);
      }
    }
    return server;
  }

  /** The AMQP port on {@code 127.0.0.1}. */
  int port() {
    return port;
  }

  /** Closes the supervisor's standard input: it stops the broker and cleans up on its own. */
  private void stop() {
    try {
      supervisor.getOutputStream().close();
    } catch (IOException e) {
      supervisor.destroy();
    }
  }

  /**
   * Whether the port answers an AMQP 0-9-1 protocol header with a method frame (the broker's
   * {@code connection.start}): RabbitMQ opens its listener at the end of its boot, so this means ready.
   */
  private static boolean answersAmqp(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      socket.setSoTimeout(5000);
      OutputStream out = socket.getOutputStream();
      out.write(new byte[] {'A', 'M', 'Q', 'P', 0, 0, 9, 1});
      out.flush();
      InputStream in = socket.getInputStream();
      return in.read() == 1;
    } catch (IOException e) {
      return false;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static String tail(Path output) {
    try {
      String text = Files.readString(output, StandardCharsets.UTF_8);
      return text.length() > 4000 ? text.substring(text.length() - 4000) : text;
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }
}
