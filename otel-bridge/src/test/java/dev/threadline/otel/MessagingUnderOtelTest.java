package dev.threadline.otel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadline.core.Correlation;
import dev.threadline.web.messaging.Messages;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Under an OpenTelemetry span, the messaging helpers leave the trace headers to OpenTelemetry. */
class MessagingUnderOtelTest {

  @Test
  void producerWritesOnlyTheRequestId_consumerKeepsOtelsSpan() {
    Span producer = Otel.TRACER.spanBuilder("send").startSpan();
    Map<String, String> headers = new HashMap<>();
    try (Scope s = Context.current().with(producer)
        .with(Baggage.builder().put(ThreadlineOtel.BAGGAGE_KEY, "req-msg-1").build()).makeCurrent()) {
      Messages.inject(headers);
    } finally {
      producer.end();
    }
    assertThat(headers).containsOnlyKeys("X-Request-Id").containsEntry("X-Request-Id", "req-msg-1");

    Span consumer = Otel.TRACER.spanBuilder("receive").startSpan();
    try (Scope s = consumer.makeCurrent()) {
      Correlation c = Messages.extract(headers);
      assertThat(c.requestId()).isEqualTo("req-msg-1");
      assertThat(c.spanId()).isEqualTo(consumer.getSpanContext().getSpanId());
      assertThat(c.traceId()).isEqualTo(consumer.getSpanContext().getTraceId());
    } finally {
      consumer.end();
    }
  }
}
