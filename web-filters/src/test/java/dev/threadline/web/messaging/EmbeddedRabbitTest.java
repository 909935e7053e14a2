package dev.threadline.web.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

/** The broker chooser of the RabbitMQ tests: a machine that has no broker to run skips them, with the reason. */
class EmbeddedRabbitTest {

  private final String choice = System.getProperty("threadline.test.rabbit");
  private final String script = System.getProperty("threadline.test.rabbitmq-server");

  @AfterEach
  void restore() {
    restore("threadline.test.rabbit", choice);
    restore("threadline.test.rabbitmq-server", script);
  }

  private static void restore(String name, String value) {
    if (value == null) {
      System.clearProperty(name);
    } else {
      System.setProperty(name, value);
    }
  }

  @Test
  void noRabbitMqServerInstalled_abortsTheTestAsAnAssumption_withTheReason() {
    System.setProperty("threadline.test.rabbit", "rabbitmq");
    System.setProperty("threadline.test.rabbitmq-server", "/nonexistent/rabbitmq-server");

    assertThatThrownBy(EmbeddedRabbit::start).isInstanceOf(TestAbortedException.class)
        .hasMessageContaining("no AMQP 0-9-1 broker to test against")
        .hasMessageContaining("apt-get install rabbitmq-server");
  }

  @Test
  void qpidForcedOnAJdkThatCannotRunIt_isSkippedWithTheReason() {
    System.setProperty("threadline.test.rabbit", "qpid");

    if (Runtime.version().feature() <= 22) {
      assertThat(EmbeddedRabbit.unavailable()).isEmpty();
    } else {
      assertThat(EmbeddedRabbit.unavailable()).hasValueSatisfying(reason -> assertThat(reason)
          .contains("Subject.getSubject"));
    }
  }

  @Test
  void anUnknownChoice_failsWithTheProperty() {
    System.setProperty("threadline.test.rabbit", "activemq");

    assertThatThrownBy(EmbeddedRabbit::start).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("threadline.test.rabbit");
  }
}
