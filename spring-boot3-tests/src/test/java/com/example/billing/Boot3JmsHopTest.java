package com.example.billing;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.console.ConsoleLines;
import dev.threadline.core.Correlation;
import dev.threadline.core.CorrelationScope;
import dev.threadline.spring.autoconfigure.internal.ThreadlineJmsListenerContainerFactory;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ApplicationContext;
import org.springframework.jms.annotation.JmsListener;
import org.springframework.jms.core.JmsTemplate;
import org.springframework.stereotype.Component;
import org.springframework.test.annotation.DirtiesContext;

/**
 * A JMS hop in a real Spring Boot 3.5 application on Boot's own embedded Artemis: a message sent with the Boot
 * JmsTemplate inside a request's scope is handled by a {@code @JmsListener} on the container's thread in a child span,
 * with the same request id and trace, and the listener's console line says so.
 */
@SpringBootTest(classes = Boot3JmsHopTest.App.class, webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = {"spring.application.name=billing", "spring.artemis.mode=embedded",
        "spring.artemis.embedded.server-id=7"})
@ExtendWith(OutputCaptureExtension.class)
// Closed after the class: Boot configures Logback once per JVM while a context is open, so a cached context would
// keep its console (and its service name) for the next test's application.
@DirtiesContext
class Boot3JmsHopTest {

  @SpringBootApplication
  static class App {

    static final BlockingQueue<Object[]> RECEIVED = new ArrayBlockingQueue<>(4);

    @Component
    static class Handler {
      @JmsListener(destination = "boot3-invoices")
      void on(String body) {
        LoggerFactory.getLogger("billing.jms").info("consumed {}", body);
        RECEIVED.add(new Object[] {Correlation.current().orElse(null), Thread.currentThread().getName()});
      }
    }
  }

  @Autowired
  ApplicationContext context;

  @Autowired
  JmsTemplate template;

  @Test
  void aListenerRunsInAChildOfTheSendersSpan(CapturedOutput output) throws Exception {
    assertThat(context.getBean("jmsListenerContainerFactory"))
        .isInstanceOf(ThreadlineJmsListenerContainerFactory.class);
    Correlation sending = Correlation.newTrace("req-boot3-jms");
    try (CorrelationScope ignored = sending.open()) {
      template.convertAndSend("boot3-invoices", "invoice 12");
    }

    Object[] got = App.RECEIVED.poll(30, TimeUnit.SECONDS);
    assertThat(got).as("the message arrived").isNotNull();
    Correlation handled = (Correlation) got[0];
    assertThat(handled).isNotNull();
    assertThat(handled.requestId()).isEqualTo("req-boot3-jms");
    assertThat(handled.traceId()).isEqualTo(sending.traceId());
    assertThat(handled.parentSpanId()).hasValue(sending.spanId());
    assertThat(got[1]).isNotEqualTo(Thread.currentThread().getName());

    Awaitility.await().atMost(Duration.ofSeconds(10))
        .until(() -> !ConsoleLines.of(output.getOut()).byLogger("billing.jms").isEmpty());
    Map<String, Object> line = ConsoleLines.of(output.getOut()).byLogger("billing.jms").get(0);
    assertThat(line).containsEntry("service", "billing").containsEntry("requestId", "req-boot3-jms")
        .containsEntry("trace_id", sending.traceId()).containsEntry("span_id", handled.spanId())
        .containsEntry("message", "consumed invoice 12");
  }
}
