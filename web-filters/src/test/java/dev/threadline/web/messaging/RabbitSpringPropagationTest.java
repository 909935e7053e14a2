package dev.threadline.web.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadline.core.Correlation;
import dev.threadline.core.CorrelationScope;
import dev.threadline.web.LogCapture;
import dev.threadline.web.messaging.rabbit.spring.ThreadlineRabbitListenerAdvice;
import dev.threadline.web.messaging.rabbit.spring.ThreadlineRabbitPostProcessor;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.aopalliance.intercept.MethodInterceptor;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageListener;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.rabbit.config.SimpleRabbitListenerContainerFactory;
import org.springframework.amqp.rabbit.config.SimpleRabbitListenerEndpoint;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;

/**
 * Spring AMQP without Spring Boot, against a real AMQP 0-9-1 broker ({@link EmbeddedRabbit}): a {@code RabbitTemplate}
 * with the post-processor sends, a {@code SimpleMessageListenerContainer} with the advice receives.
 */
@EnabledIfRabbitBroker
class RabbitSpringPropagationTest {

  private static EmbeddedRabbit broker;
  private static CachingConnectionFactory connections;

  @BeforeAll
  static void startBroker() throws Exception {
    broker = EmbeddedRabbit.start();
    connections = new CachingConnectionFactory("127.0.0.1", broker.port());
    connections.setUsername("guest");
    connections.setPassword("guest");
  }

  @AfterAll
  static void stopBroker() {
    if (connections != null) {
      connections.destroy();
    }
    if (broker != null) {
      broker.close();
    }
  }

  private static SimpleMessageListenerContainer container(String queue, MessageListener listener) {
    new RabbitAdmin(connections).declareQueue(new Queue(queue, false, false, true));
    SimpleMessageListenerContainer container = new SimpleMessageListenerContainer(connections);
    container.setQueueNames(queue);
    container.setMessageListener(listener);
    return container;
  }

  @Test
  void theListenerRunsInAChildOfTheSendersSpan_besideTheApplicationsAdvice() throws Exception {
    BlockingQueue<Object[]> received = new ArrayBlockingQueue<>(1);
    AtomicInteger applicationAdvice = new AtomicInteger();
    MethodInterceptor retry = invocation -> {
      applicationAdvice.incrementAndGet();
      return invocation.proceed();
    };
    SimpleMessageListenerContainer container = container("spring-orders", message -> {
      LoggerFactory.getLogger("worker").info("listener got {}", new String(message.getBody()));
      received.add(new Object[] {Correlation.current().orElseThrow(), message});
    });
    container.setAdviceChain(retry);
    assertThat(ThreadlineRabbitListenerAdvice.addTo(container)).isTrue();
    assertThat(ThreadlineRabbitListenerAdvice.addTo(container)).as("a second call adds nothing").isTrue();
    container.start();
    try (LogCapture capture = LogCapture.capture()) {
      RabbitTemplate template = new RabbitTemplate(connections);
      ThreadlineRabbitPostProcessor.addTo(template);
      ThreadlineRabbitPostProcessor.addTo(template);
      assertThat(template.getBeforePublishPostProcessors()).hasSize(1);

      Correlation sending = Correlation.newTrace("req-spring-rabbit");
      try (CorrelationScope ignored = sending.open()) {
        LoggerFactory.getLogger("api").info("order sent");
        template.convertAndSend("spring-orders", "order 7");
      }
      Object[] got = received.poll(10, TimeUnit.SECONDS);
      assertThat(got).as("the message arrived").isNotNull();
      Correlation consumed = (Correlation) got[0];
      Message message = (Message) got[1];
      assertThat(consumed.requestId()).isEqualTo("req-spring-rabbit");
      assertThat(consumed.traceId()).isEqualTo(sending.traceId());
      assertThat(consumed.parentSpanId()).hasValue(sending.spanId());
      assertThat(message.getMessageProperties().<Object>getHeader("X-Request-Id")).hasToString("req-spring-rabbit");
      assertThat(applicationAdvice).as("the application's advice still runs").hasValue(1);

      Awaitility.await().atMost(Duration.ofSeconds(10))
          .until(() -> !capture.lines(l -> "listener got order 7".equals(l.get("message"))).isEmpty());
      Map<String, Object> sent = capture.lines(l -> "order sent".equals(l.get("message"))).get(0);
      Map<String, Object> line = capture.lines(l -> "listener got order 7".equals(l.get("message"))).get(0);
      assertThat(line).containsEntry("requestId", "req-spring-rabbit")
          .containsEntry("trace_id", sent.get("trace_id")).containsEntry("span_id", consumed.spanId());
      assertThat(line.get("span_id")).isNotEqualTo(sent.get("span_id"));
    } finally {
      container.stop();
    }
  }

  @Test
  void aFactorysContainersRunEachMessageInItsSpan_keepingTheFactorysAdvice() throws Exception {
    BlockingQueue<Correlation> received = new ArrayBlockingQueue<>(1);
    AtomicInteger applicationAdvice = new AtomicInteger();
    SimpleRabbitListenerContainerFactory factory = new SimpleRabbitListenerContainerFactory();
    factory.setConnectionFactory(connections);
    factory.setAdviceChain((MethodInterceptor) invocation -> {
      applicationAdvice.incrementAndGet();
      return invocation.proceed();
    });
    assertThat(ThreadlineRabbitListenerAdvice.addTo(factory)).isTrue();
    assertThat(ThreadlineRabbitListenerAdvice.addTo(factory)).isTrue();
    assertThat(factory.getAdviceChain()).hasSize(2);
    assertThat(factory.getAdviceChain()[0]).isInstanceOf(ThreadlineRabbitListenerAdvice.class);

    new RabbitAdmin(connections).declareQueue(new Queue("factory-orders", false, false, true));
    SimpleRabbitListenerEndpoint endpoint = new SimpleRabbitListenerEndpoint();
    endpoint.setId("factory-orders");
    endpoint.setQueueNames("factory-orders");
    endpoint.setMessageListener(message -> received.add(Correlation.current().orElseThrow()));
    SimpleMessageListenerContainer container = factory.createListenerContainer(endpoint);
    container.afterPropertiesSet();
    container.start();
    try {
      RabbitTemplate template = new RabbitTemplate(connections);
      ThreadlineRabbitPostProcessor.addTo(template);
      Correlation sending = Correlation.newTrace("req-factory");
      try (CorrelationScope ignored = sending.open()) {
        template.convertAndSend("factory-orders", "order 8");
      }
      Correlation handled = received.poll(10, TimeUnit.SECONDS);
      assertThat(handled).as("the message arrived").isNotNull();
      assertThat(handled.requestId()).isEqualTo("req-factory");
      assertThat(handled.parentSpanId()).hasValue(sending.spanId());
      assertThat(applicationAdvice).hasValue(1);
    } finally {
      container.stop();
    }
  }

  @Test
  void aListenerThatThrowsLeavesNoIdsOnTheContainerThread() throws Exception {
    BlockingQueue<Map<String, String>> seen = new ArrayBlockingQueue<>(4);
    SimpleMessageListenerContainer container = container("spring-failing", message -> {
      throw new IllegalStateException("listener failed");
    });
    container.setDefaultRequeueRejected(false);
    assertThat(ThreadlineRabbitListenerAdvice.addTo(container)).isTrue();
    // Runs on the container thread before the advice: what the MDC holds between messages.
    container.setAfterReceivePostProcessors(message -> {
      seen.add(MDC.getCopyOfContextMap() == null ? Map.of() : MDC.getCopyOfContextMap());
      return message;
    });
    container.start();
    try {
      RabbitTemplate template = new RabbitTemplate(connections);
      ThreadlineRabbitPostProcessor.addTo(template);
      try (CorrelationScope ignored = Correlation.newTrace("req-failing").open()) {
        template.convertAndSend("spring-failing", "one");
        template.convertAndSend("spring-failing", "two");
      }
      Map<String, String> first = seen.poll(10, TimeUnit.SECONDS);
      Map<String, String> second = seen.poll(10, TimeUnit.SECONDS);
      assertThat(first).isNotNull().doesNotContainKeys("requestId", "trace_id", "span_id");
      assertThat(second).as("after the first listener threw, the thread holds no ids").isNotNull()
          .doesNotContainKeys("requestId", "trace_id", "span_id");
    } finally {
      container.stop();
    }
  }
}
