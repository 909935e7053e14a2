package dev.threadline.core.kotlin

import ch.qos.logback.classic.Level
import ch.qos.logback.classic.Logger
import ch.qos.logback.classic.LoggerContext
import ch.qos.logback.classic.encoder.JsonEncoder
import ch.qos.logback.classic.spi.ILoggingEvent
import ch.qos.logback.core.AppenderBase
import com.fasterxml.jackson.databind.JsonNode
import com.fasterxml.jackson.databind.ObjectMapper
import org.slf4j.LoggerFactory
import java.util.concurrent.ConcurrentLinkedQueue

/**
 * A logger whose events Logback's own JSON encoder writes as they are logged (the MDC is read on the logging
 * thread), kept as lines and parsed back for the assertions.
 */
class JsonLines(name: String) : AutoCloseable {
  private val raw = ConcurrentLinkedQueue<String>()
  private val logger = LoggerFactory.getLogger(name) as Logger
  private val appender = object : AppenderBase<ILoggingEvent>() {
    val encoder = JsonEncoder()

    override fun append(event: ILoggingEvent) {
      raw.add(String(encoder.encode(event), Charsets.UTF_8).trim())
    }
  }

  val log: org.slf4j.Logger get() = logger

  init {
    val context = LoggerFactory.getILoggerFactory() as LoggerContext
    appender.context = context
    appender.encoder.context = context
    appender.encoder.start()
    appender.start()
    logger.level = Level.INFO
    logger.isAdditive = false
    logger.addAppender(appender)
  }

  /** Every line logged so far, parsed. */
  fun parsed(): List<JsonNode> = raw.map { MAPPER.readTree(it) }

  override fun close() {
    logger.detachAppender(appender)
    appender.stop()
  }

  companion object {
    private val MAPPER = ObjectMapper()

    /** The MDC value of [key] on a parsed line, or null when the line has none. */
    fun JsonNode.mdc(key: String): String? = get("mdc")?.get(key)?.takeIf { !it.isNull }?.asText()
  }
}
