package dev.threadline.web.messaging;

import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.qpid.server.SystemLauncher;
import org.apache.qpid.server.SystemLauncherListener;
import org.apache.qpid.server.model.Broker;
import org.apache.qpid.server.model.Port;
import org.apache.qpid.server.model.SystemConfig;

/**
 * {@link EmbeddedRabbit}'s broker where no RabbitMQ server is installed, on JDK 17 to 22: Qpid Broker-J in the test
 * process with its 0-8/0-9/0-9-1 protocol plugin, everything in memory, one virtual host ({@code default}, also
 * reachable as {@code /}), one AMQP port on a free loopback port, user {@code guest}/{@code guest} (PLAIN). The
 * RabbitMQ Java client and Spring AMQP talk to it as to a RabbitMQ broker: default exchange, declared queues, headers.
 * In a class of its own, so that no Qpid type is loaded where the broker is not used.
 */
final class QpidBroker implements AutoCloseable {

  private final SystemLauncher launcher;
  private final int port;

  private QpidBroker(SystemLauncher launcher, int port) {
    this.launcher = launcher;
    this.port = port;
  }

  /** Starts a broker and returns once its AMQP port accepts connections. */
  static QpidBroker start() throws Exception {
    Path work = Files.createTempDirectory("qpid");
    Path config = work.resolve("initial-config.json");
    Files.writeString(config, INITIAL_CONFIG, StandardCharsets.UTF_8);
    AtomicReference<SystemConfig<?>> system = new AtomicReference<>();
    SystemLauncher launcher = new SystemLauncher(new SystemLauncherListener.DefaultSystemLauncherListener() {
      @Override
      public void onContainerResolve(SystemConfig<?> systemConfig) {
        system.set(systemConfig);
      }
    });
    Map<String, Object> attributes = new HashMap<>();
    attributes.put(SystemConfig.TYPE, "Memory");
    URL location = config.toUri().toURL();
    attributes.put(SystemConfig.INITIAL_CONFIGURATION_LOCATION, location.toExternalForm());
    attributes.put(SystemConfig.STARTUP_LOGGED_TO_SYSTEM_OUT, false);
    attributes.put(SystemConfig.CONTEXT, Map.of(SystemConfig.QPID_WORK_DIR, work.toString()));
    launcher.startup(attributes);
    @SuppressWarnings("unchecked") // Qpid's getContainer is generic in the container's class, which is raw here
    Broker<?> broker = system.get().getContainer(Broker.class);
    int bound = -1;
    for (Port<?> p : broker.getPorts()) {
      if ("AMQP".equals(p.getName())) {
        bound = p.getBoundPort();
      }
    }
    if (bound <= 0) {
      launcher.shutdown();
      throw new IllegalStateException("Qpid started without a bound AMQP port");
    }
    return new QpidBroker(launcher, bound);
  }

  /** The AMQP port on {@code 127.0.0.1}. */
  int port() {
    return port;
  }

  @Override
  public void close() {
    launcher.shutdown();
  }

  // Port 0: the system picks a free one, read back through the model. PLAIN without TLS is allowed here
  // (secureOnlyMechanisms empty), as on a RabbitMQ broker's loopback listener.
  private static final String INITIAL_CONFIG = """
      {
        "name": "threadline-test",
        "modelVersion": "9.0",
        "authenticationproviders": [ {
          "name": "plain",
          "type": "Plain",
          "secureOnlyMechanisms": [],
          "users": [ { "name": "guest", "type": "managed", "password": "guest" } ]
        } ],
        "ports": [ {
          "name": "AMQP",
          "port": "0",
          "bindingAddress": "127.0.0.1",
          "authenticationProvider": "plain",
          "protocols": [ "AMQP_0_9_1" ],
          "virtualhostaliases": [
            { "name": "nameAlias", "type": "nameAlias" },
            { "name": "defaultAlias", "type": "defaultAlias" }
          ]
        } ],
        "virtualhostnodes": [ {
          "name": "default",
          "type": "Memory",
          "defaultVirtualHostNode": "true",
          "virtualHostInitialConfiguration": "{\\"type\\": \\"Memory\\"}"
        } ]
      }
      """;
}
