package dev.threadline.samples.worker;

import ch.qos.logback.classic.LoggerContext;
import dev.threadline.web.servlet.ThreadlineFilter;
import jakarta.jms.Connection;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.servlet.http.HttpServlet;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * The fulfillment worker's {@code main}: plain Java, no Spring. It starts, in one JVM,
 * <ul>
 *   <li>an embedded Artemis broker with a TCP acceptor (order-api publishes its order events there),</li>
 *   <li>the flaky inventory service on its own Tomcat and port, a downstream the worker calls over HTTP,</li>
 *   <li>the worker's own Tomcat with {@link ThreadlineFilter}, serving {@code POST /fulfilments},</li>
 *   <li>a JMS consumer of the order events.</li>
 * </ul>
 * Its configuration comes from system properties: {@code worker.port}, {@code inventory.port}, {@code broker.port}.
 * Logging is the {@code logback.xml} in this package (the JVM is started with {@code -Dlogback.configurationFile}),
 * JSON lines on stdout through {@code ThreadlineEncoder}, and to Loki as well when {@code LOKI_URL} is set. A
 * shutdown hook stops everything in reverse order and flushes Logback last.
 */
public final class FulfillmentWorker {

  /** The queue order-api publishes its order events to. */
  public static final String ORDER_EVENTS = "order-events";

  /** How long the worker waits for the inventory service before giving up on a reservation. */
  static final Duration INVENTORY_TIMEOUT = Duration.ofMillis(300);

  private FulfillmentWorker() {
  }

  /** Starts the worker; it runs until the JVM is told to stop. */
  public static void main(String[] args) throws Exception {
    // Tomcat and Artemis log through java.util.logging; one format for every line of this service.
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
    Logger log = LoggerFactory.getLogger(FulfillmentWorker.class);

    int workerPort = Integer.getInteger("worker.port", 8081);
    int inventoryPort = Integer.getInteger("inventory.port", 8082);
    int brokerPort = Integer.getInteger("broker.port", 61616);
    String brokerUrl = "tcp://127.0.0.1:" + brokerPort;

    Path scratch = Files.createTempDirectory("fulfillment-worker");
    EmbeddedActiveMQ broker = broker(brokerUrl, scratch.resolve("artemis"));
    Tomcat inventory = tomcat(inventoryPort, scratch.resolve("inventory"), Map.of("/stock/*", new InventoryServlet()));
    Tomcat worker = tomcat(workerPort, scratch.resolve("worker"), Map.of(
        "/fulfilments", new FulfillmentServlet("http://127.0.0.1:" + inventoryPort, INVENTORY_TIMEOUT),
        "/health", new HealthServlet()));

    Connection connection = new ActiveMQConnectionFactory(brokerUrl).createConnection();
    Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
    MessageConsumer consumer = session.createConsumer(session.createQueue(ORDER_EVENTS));
    consumer.setMessageListener(new OrderEventListener());
    connection.start();

    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("fulfillment-worker stopping");
      try {
        worker.stop();
        connection.close();
        inventory.stop();
        broker.stop();
        deleteRecursively(scratch);
      } catch (Exception e) {
        log.warn("fulfillment-worker did not stop cleanly", e);
      }
      // Logback installs no shutdown hook of its own; stopping it flushes the Loki appender, if there is one.
      ((LoggerContext) LoggerFactory.getILoggerFactory()).stop();
    }, "worker-shutdown"));
    log.info("fulfillment-worker ready: fulfilments on port {}, inventory on port {}, broker at {}",
        workerPort, inventoryPort, brokerUrl);
  }

  private static EmbeddedActiveMQ broker(String url, Path dir) throws Exception {
    Configuration config = new ConfigurationImpl();
    config.setPersistenceEnabled(false);
    config.setSecurityEnabled(false);
    config.setJMXManagementEnabled(false);
    config.setJournalDirectory(dir.resolve("journal").toString());
    config.setBindingsDirectory(dir.resolve("bindings").toString());
    config.setLargeMessagesDirectory(dir.resolve("large").toString());
    config.setPagingDirectory(dir.resolve("paging").toString());
    // TCP, not in-VM: order-api publishes from another JVM.
    config.addAcceptorConfiguration("tcp", url);
    EmbeddedActiveMQ broker = new EmbeddedActiveMQ();
    broker.setConfiguration(config);
    broker.start();
    return broker;
  }

  /** A Tomcat on {@code port} with Threadline's filter in front of the servlets, for every dispatch type. */
  private static Tomcat tomcat(int port, Path dir, Map<String, HttpServlet> servlets) throws Exception {
    File base = Files.createDirectories(dir).toFile();
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(base.getAbsolutePath());
    Connector connector = new Connector();
    connector.setPort(port);
    connector.setProperty("address", "127.0.0.1");
    tomcat.setConnector(connector);
    Context context = tomcat.addContext("", base.getAbsolutePath());

    FilterDef filter = new FilterDef();
    filter.setFilterName("threadline");
    filter.setFilter(new ThreadlineFilter());
    filter.setAsyncSupported("true");
    context.addFilterDef(filter);
    FilterMap mapping = new FilterMap();
    mapping.setFilterName("threadline");
    mapping.addURLPattern("/*");
    mapping.setDispatcher("REQUEST");
    mapping.setDispatcher("ASYNC");
    mapping.setDispatcher("ERROR");
    context.addFilterMap(mapping);

    servlets.forEach((path, servlet) -> {
      String name = servlet.getClass().getSimpleName();
      Tomcat.addServlet(context, name, servlet);
      context.addServletMappingDecoded(path, name);
    });
    tomcat.start();
    return tomcat;
  }

  private static void deleteRecursively(Path dir) throws java.io.IOException {
    try (java.util.stream.Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }

  /** The readiness probe the demo polls; on the filter's default skip list, so it writes no access line. */
  static final class HealthServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(jakarta.servlet.http.HttpServletRequest req, jakarta.servlet.http.HttpServletResponse res)
        throws java.io.IOException {
      res.setContentType("text/plain");
      res.getWriter().write("ok");
    }
  }
}
