package dev.threadline.otel;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.threadline.core.Correlation;
import dev.threadline.core.CorrelationScope;
import dev.threadline.web.LogCapture;
import dev.threadline.web.TomcatServer;
import dev.threadline.web.client.jdk.TracingHttpClient;
import dev.threadline.web.internal.servlet.RemoteParentFilter;
import dev.threadline.web.servlet.ThreadlineFilter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextStorage;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.data.SpanData;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The set-ups of issue #14 that one JVM can hold, on the real SDK and real Tomcats (the Java agent and Spring Boot's
 * tracing run in tracing-tests): a span made current where no storage wrapper sees it (what the agent's own context
 * storage amounts to), Threadline serving a request in an application with the SDK and no server instrumentation, a
 * tracer that reads no traceparent, and a tracer that writes none.
 */
class OtelSetupsTest {

  private static final Logger LOG = LoggerFactory.getLogger("app.setups");

  @BeforeEach
  void clearSpans() {
    Otel.SPANS.reset();
  }

  private static Map<String, Object> line(LogCapture capture, String message) {
    List<Map<String, Object>> lines = capture.lines(l -> message.equals(l.get("message")));
    assertThat(lines).as(message).hasSize(1);
    return lines.get(0);
  }

  private static SpanData span(String name) {
    return Otel.SPANS.getFinishedSpanItems().stream().filter(s -> s.getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no span " + name + " in " + Otel.SPANS.getFinishedSpanItems()));
  }

  /** Makes a context current the way the Java agent does: in a storage no wrapper of the application's sees. */
  private static Scope attachUnseen(Context context) {
    return ContextStorage.defaultStorage().attach(context);
  }

  @Test
  void aSpanMadeCurrentWhereNoWrapperSeesIt_isOnTheLineLoggedInsideIt_andGoneAfter() {
    try (LogCapture capture = LogCapture.capture()) {
      Correlation server = Correlation.builder().requestId("req-unseen-1").baggage("tenant", "acme").build();
      Span manual;
      try (CorrelationScope s = server.open()) {
        LOG.info("before");
        manual = Otel.TRACER.spanBuilder("manual").startSpan();
        try (Scope unseen = attachUnseen(Context.current().with(manual))) {
          // The wrapper saw nothing: the MDC still shows the server span until a line is logged.
          LOG.info("inside");
          assertThat(MDC.get("span_id")).isEqualTo(manual.getSpanContext().getSpanId());
        } finally {
          manual.end();
        }
        LOG.info("after");
      }
      LOG.info("outside");

      assertThat(line(capture, "before")).containsEntry("span_id", server.spanId());
      assertThat(line(capture, "inside")).containsEntry("span_id", manual.getSpanContext().getSpanId())
          .containsEntry("trace_id", server.traceId()).containsEntry("requestId", "req-unseen-1")
          .containsEntry("tenant", "acme");
      assertThat(line(capture, "after")).containsEntry("span_id", server.spanId())
          .containsEntry("requestId", "req-unseen-1");
      assertThat(line(capture, "outside")).doesNotContainKeys("trace_id", "span_id", "requestId", "tenant");
      // Threadline's span was OpenTelemetry's current span: the manual span is its child, in its trace.
      assertThat(span("manual").getTraceId()).isEqualTo(server.traceId());
      assertThat(span("manual").getParentSpanId()).isEqualTo(server.spanId());
    }
  }

  @Test
  void throughAnAsyncAppender_theEventCarriesTheSpanCurrentWhereItWasLogged() throws Exception {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    ListAppender<ILoggingEvent> list = new ListAppender<>();
    list.setContext(context);
    list.start();
    AsyncAppender async = new AsyncAppender();
    async.setContext(context);
    async.setName("async-setups");
    async.addAppender(list);
    async.start();
    ch.qos.logback.classic.Logger logger = context.getLogger("app.async.setups");
    logger.setAdditive(false);
    logger.addAppender(async);
    // The filter is installed by the encoder; here by hand, as a logback.xml without Threadline's encoder would.
    dev.threadline.logback.ActiveSpanFilter.installOn(context);
    Span manual = Otel.TRACER.spanBuilder("async-manual").startSpan();
    try (Scope unseen = attachUnseen(Context.root().with(manual))) {
      logger.info("queued inside the span");
    } finally {
      manual.end();
    }
    logger.info("queued outside");
    async.stop();
    logger.detachAppender(async);
    assertThat(list.list).hasSize(2);
    assertThat(list.list.get(0).getMDCPropertyMap())
        .containsEntry("span_id", manual.getSpanContext().getSpanId())
        .containsEntry("trace_id", manual.getSpanContext().getTraceId());
    assertThat(list.list.get(1).getMDCPropertyMap()).doesNotContainKeys("span_id", "trace_id");
  }

  @Test
  void threadlineServesTheRequest_aSpanTheApplicationStartsIsItsChild_oneTraceOneRequestId() throws Exception {
    try (LogCapture capture = LogCapture.capture();
        TomcatServer server = new TomcatServer(4).threadline(new ThreadlineFilter())
            .servlet("/", new HttpServlet() {
              @Override
              protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
                LOG.info("handling");
                Span manual = Otel.TRACER.spanBuilder("work").startSpan();
                try (Scope s = manual.makeCurrent()) {
                  LOG.info("in the manual span");
                } finally {
                  manual.end();
                }
                LOG.info("done");
              }
            }).start()) {
      HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create(server.url("/orders"))).header("traceparent",
              "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
          .header("X-Request-Id", "req-sdk-1").timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);

      Map<String, Object> handling = line(capture, "handling");
      Map<String, Object> inManual = line(capture, "in the manual span");
      SpanData work = span("work");
      assertThat(handling).containsEntry("trace_id", "0af7651916cd43dd8448eb211c80319c")
          .containsEntry("requestId", "req-sdk-1");
      assertThat(work.getTraceId()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
      assertThat(work.getParentSpanId()).isEqualTo(handling.get("span_id"));
      assertThat(inManual).containsEntry("span_id", work.getSpanId())
          .containsEntry("trace_id", "0af7651916cd43dd8448eb211c80319c").containsEntry("requestId", "req-sdk-1");
      assertThat(line(capture, "done")).containsEntry("span_id", handling.get("span_id"));
    }
  }

  @Test
  void aTracerThatReadsNoTraceparent_continuesTheCallersTraceBehindRemoteParentFilter() throws Exception {
    // What Spring Boot's observation filter does with its no-op propagator: a server span under whatever is current.
    Filter blindTracer = (req, res, chain) -> {
      Span span = Otel.TRACER.spanBuilder("blind server").setSpanKind(SpanKind.SERVER).startSpan();
      try (Scope s = span.makeCurrent()) {
        chain.doFilter(req, res);
      } finally {
        span.end();
      }
    };
    try (LogCapture capture = LogCapture.capture();
        TomcatServer server = new TomcatServer(4).filter("remote-parent", new RemoteParentFilter())
            .filter("blind-tracer", blindTracer).threadline(new ThreadlineFilter())
            .servlet("/", new HttpServlet() {
              @Override
              protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
                LOG.info("served by the blind tracer");
              }
            }).start()) {
      HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.url("/x")))
          .header("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      SpanData blind = span("blind server");
      assertThat(blind.getTraceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
      assertThat(blind.getParentSpanId()).isEqualTo("00f067aa0ba902b7");
      assertThat(line(capture, "served by the blind tracer"))
          .containsEntry("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736")
          .containsEntry("span_id", blind.getSpanId());
    }
  }

  @Test
  void aTracerThatStartsANewTraceDespiteTheCallersTraceparent_isReportedNotSilent() throws Exception {
    // No RemoteParentFilter in front: the tracer's server span is a root, whatever the caller sent.
    Filter rootTracer = (req, res, chain) -> {
      Span span = Otel.TRACER.spanBuilder("root server").setNoParent().setSpanKind(SpanKind.SERVER).startSpan();
      try (Scope s = span.makeCurrent()) {
        chain.doFilter(req, res);
      } finally {
        span.end();
      }
    };
    try (LogCapture capture = LogCapture.capture();
        TomcatServer server = new TomcatServer(4).filter("root-tracer", rootTracer)
            .threadline(new ThreadlineFilter()).servlet("/", new HttpServlet() {
              @Override
              protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
                LOG.info("in a trace of the tracer's own");
              }
            }).start()) {
      for (int i = 0; i < 2; i++) {
        HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.url("/z")))
            .header("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
            .header("X-Request-Id", "req-root-" + i).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
      }
      List<Map<String, Object>> warnings = capture.lines(l -> "warn".equals(l.get("level"))
          && String.valueOf(l.get("message")).contains("new trace, although the caller sent a valid traceparent"));
      assertThat(warnings).as("said once, not per request").hasSize(1);
      assertThat(capture.lines(l -> "in a trace of the tracer's own".equals(l.get("message"))))
          .extracting(l -> l.get("requestId")).containsExactly("req-root-0", "req-root-1");
    }
  }

  @Test
  void aTracerThatWritesNoTraceparent_threadlineWritesItWithTheTracersSpanAsParent() throws Exception {
    try (LogCapture capture = LogCapture.capture();
        TomcatServer callee = new TomcatServer(4).threadline(new ThreadlineFilter())
            .servlet("/", new HttpServlet() {
              @Override
              protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
                LOG.info("callee");
              }
            }).start()) {
      Span tracers = Otel.TRACER.spanBuilder("tracer's span").startSpan();
      try (Scope s = tracers.makeCurrent()) {
        TracingHttpClient.wrap(HttpClient.newHttpClient()).send(HttpRequest.newBuilder(
            URI.create(callee.url("/y"))).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
      } finally {
        tracers.end();
      }
      Map<String, Object> calleeLine = line(capture, "callee");
      assertThat(calleeLine).containsEntry("trace_id", tracers.getSpanContext().getTraceId());
      Map<String, Object> access = capture.lines(l -> "/y".equals(l.get("path"))
          && l.get("logger").toString().contains("access")).get(0);
      assertThat(access).containsEntry("parent_span_id", tracers.getSpanContext().getSpanId());
    }
  }
}
