package dev.threadline.web.messaging;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/** Real brokers in the test process, for this module's tests and the starter's. */
public final class EmbeddedBrokers {

  private EmbeddedBrokers() {
  }

  /** An Artemis broker with an in-VM acceptor at {@code vmUrl} (e.g. {@code vm://0}), no persistence, no security. */
  public static EmbeddedActiveMQ artemis(String vmUrl) throws Exception {
    Path dir = Files.createTempDirectory("artemis");
    // Persistence is off, so Artemis leaves the directory empty: it goes when the JVM exits.
    dir.toFile().deleteOnExit();
    Configuration config = new ConfigurationImpl();
    config.setPersistenceEnabled(false);
    config.setSecurityEnabled(false);
    config.setJournalDirectory(dir.resolve("journal").toString());
    config.setBindingsDirectory(dir.resolve("bindings").toString());
    config.setLargeMessagesDirectory(dir.resolve("large").toString());
    config.setPagingDirectory(dir.resolve("paging").toString());
    config.addAcceptorConfiguration("in-vm", vmUrl);
    EmbeddedActiveMQ broker = new EmbeddedActiveMQ();
    broker.setConfiguration(config);
    broker.start();
    return broker;
  }

  /** A one-node KRaft Kafka cluster (combined broker and controller), started and ready. */
  public static KafkaClusterTestKit kafka() throws Exception {
    KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
        .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
        .setConfigProp("offsets.topic.replication.factor", "1")
        .setConfigProp("transaction.state.log.replication.factor", "1")
        .setConfigProp("group.initial.rebalance.delay.ms", "0")
        .build();
    cluster.format();
    cluster.startup();
    cluster.waitForReadyBrokers();
    return cluster;
  }
}
