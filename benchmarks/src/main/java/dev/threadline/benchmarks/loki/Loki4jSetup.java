package dev.threadline.benchmarks.loki;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import com.github.loki4j.logback.JavaHttpSender;
import com.github.loki4j.logback.JsonLayout;
import com.github.loki4j.logback.Loki4jAppender;
import com.github.loki4j.logback.PipelineConfigAppenderBase;

/**
 * The peer: loki4j's appender in protobuf mode with its {@link JsonLayout}. Kept in its own class so that only the
 * loki4j child JVM loads a loki4j type.
 *
 * <p>Set to match Threadline's defaults where they differ from loki4j's: the same labels ({@code service}, {@code env},
 * {@code level}), the same three structured-metadata keys (loki4j sends level, thread, logger and every MDC and
 * key-value pair by default) and a 1 s batch timeout (loki4j's default is 60 s). Batch size stays loki4j's 1000 items /
 * 4 MiB (Threadline: 1000 / 1 MiB), and so do its queue (40 MiB) and HTTP settings.
 */
final class Loki4jSetup {

  private Loki4jSetup() {
  }

  static Appender<ILoggingEvent> create(LoggerContext context, String sinkUrl) {
    Loki4jAppender appender = new Loki4jAppender();
    appender.setContext(context);
    appender.setName("LOKI4J");
    appender.setLabels("service=bench\nenv=bench\nlevel=%level");
    appender.setStructuredMetadata(
        "requestId=%mdc{requestId}\ntrace_id=%mdc{trace_id}\nspan_id=%mdc{span_id}");
    JsonLayout layout = new JsonLayout();
    layout.setContext(context);
    appender.setMessage(layout);
    PipelineConfigAppenderBase.BatchCfg batch = new PipelineConfigAppenderBase.BatchCfg();
    batch.setTimeoutMs(1000);
    appender.setBatch(batch);
    PipelineConfigAppenderBase.HttpCfg http = new PipelineConfigAppenderBase.HttpCfg();
    http.setUrl(sinkUrl + "/loki/api/v1/push");
    http.setUseProtobufApi(true);
    http.setSender(new JavaHttpSender());
    appender.setHttp(http);
    return appender;
  }
}
