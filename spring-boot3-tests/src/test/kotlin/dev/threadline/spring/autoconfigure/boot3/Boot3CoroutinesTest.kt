package dev.threadline.spring.autoconfigure.boot3

import ch.qos.logback.classic.LoggerContext
import ch.qos.logback.classic.spi.ILoggingEvent
import ch.qos.logback.core.AppenderBase
import com.fasterxml.jackson.databind.ObjectMapper
import dev.threadline.logback.ThreadlineEncoder
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.delay
import kotlinx.coroutines.withContext
import org.assertj.core.api.Assertions.assertThat
import org.awaitility.Awaitility.await
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import org.slf4j.LoggerFactory
import org.springframework.boot.SpringBootConfiguration
import org.springframework.boot.autoconfigure.EnableAutoConfiguration
import org.springframework.boot.test.context.SpringBootTest
import org.springframework.boot.test.web.server.LocalServerPort
import org.springframework.context.annotation.Import
import org.springframework.web.bind.annotation.GetMapping
import org.springframework.web.bind.annotation.PathVariable
import org.springframework.web.bind.annotation.RestController
import org.springframework.web.reactive.function.client.WebClient
import org.springframework.web.server.CoWebFilter
import org.springframework.web.server.CoWebFilterChain
import org.springframework.web.server.ServerWebExchange
import reactor.core.publisher.Flux
import java.time.Duration
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.TimeUnit

/**
 * The starter in a Spring Boot 3.5 WebFlux application (Spring 6.2, kotlinx-coroutines 1.8.1, Kotlin 1.9) with
 * `suspend` handlers and a `CoWebFilter` of the application's own. Spring 6.2 starts a handler on
 * `Dispatchers.Unconfined` with nothing that carries thread-locals; the starter's coroutine context keeps the
 * request's ids after `delay`, in `withContext(Dispatchers.IO)` and in an `async` child, with requests interleaved.
 */
@SpringBootTest(
  classes = [Boot3CoroutinesTest.App::class],
  webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
  properties = ["spring.application.name=orders", "spring.main.web-application-type=reactive"],
)
// Closed after the class: Boot configures Logback once per JVM while a context is open, so a cached context would
// give the next test's lines this one's service name (see Boot3JmsHopTest).
@org.springframework.test.annotation.DirtiesContext
class Boot3CoroutinesTest {

  @SpringBootConfiguration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  @Import(Orders::class, Audit::class)
  class App

  class Audit : CoWebFilter() {
    private val log = LoggerFactory.getLogger("orders.audit")

    override suspend fun filter(exchange: ServerWebExchange, chain: CoWebFilterChain) {
      delay(1)
      log.info("audit {}", exchange.request.path.value())
      chain.filter(exchange)
    }
  }

  @RestController
  class Orders {
    private val log = LoggerFactory.getLogger("orders.coroutines")

    @GetMapping("/orders/{id}")
    suspend fun order(@PathVariable("id") id: String): String {
      log.info("order {} requested", id)
      delay(10)
      log.info("order {} after delay", id)
      withContext(Dispatchers.IO) {
        delay(2)
        log.info("order {} stock read", id)
      }
      coroutineScope {
        async(Dispatchers.Default) {
          delay(2)
          log.info("order {} priced", id)
        }.await()
      }
      return "order $id"
    }
  }

  /** Lines encoded by the real encoder and parsed back from their JSON. */
  class JsonLines(context: LoggerContext) : AppenderBase<ILoggingEvent>() {
    private val encoder = ThreadlineEncoder()
    val lines = CopyOnWriteArrayList<Map<String, Any?>>()

    init {
      setContext(context)
      encoder.context = context
      encoder.start()
      start()
    }

    override fun append(event: ILoggingEvent) {
      @Suppress("UNCHECKED_CAST")
      lines.add(JSON.readValue(String(encoder.encode(event), Charsets.UTF_8), Map::class.java) as Map<String, Any?>)
    }

    fun byLogger(name: String) = lines.filter { it["logger"] == name }

    companion object {
      private val JSON = ObjectMapper()
    }
  }

  @LocalServerPort
  var port: Int = 0

  private val context = LoggerFactory.getILoggerFactory() as LoggerContext
  private val root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)
  private val capture = JsonLines(context)

  @BeforeEach
  fun attach() = root.addAppender(capture)

  @AfterEach
  fun detach() {
    root.detachAppender(capture)
    capture.stop()
  }

  private fun client() = WebClient.create("http://127.0.0.1:$port")

  @Test
  fun suspendHandler_logsWithTheRequestsIds_acrossDelayAndDispatchers() {
    val body = client().get().uri("/orders/7").header("X-Request-Id", "boot3-coroutine-1")
      .retrieve().bodyToMono(String::class.java).block(Duration.ofSeconds(10))
    assertThat(body).isEqualTo("order 7")
    await().atMost(5, TimeUnit.SECONDS).until { capture.byLogger("dev.threadline.access").isNotEmpty() }
    val access = capture.byLogger("dev.threadline.access")[0]
    val lines = capture.byLogger("orders.audit") + capture.byLogger("orders.coroutines")
    assertThat(lines).hasSize(5).allSatisfy { line ->
      assertThat(line)
        .containsEntry("requestId", "boot3-coroutine-1")
        .containsEntry("trace_id", access["trace_id"])
        .containsEntry("span_id", access["span_id"])
    }
    assertThat(lines.map { it["thread"] }.toSet().size).isGreaterThan(1)
  }

  @Test
  fun interleavedRequests_neverLogAnothersIds() {
    val requests = 100
    val bodies = Flux.range(0, requests)
      .flatMap({ i ->
        client().get().uri("/orders/{id}", i).header("X-Request-Id", "req-$i")
          .retrieve().bodyToMono(String::class.java)
      }, 32)
      .collectList().block(Duration.ofSeconds(60))!!
    assertThat(bodies).hasSize(requests)
    val handler = capture.byLogger("orders.coroutines")
    assertThat(handler).hasSize(requests * 4)
    assertThat(handler.filter { line -> line["requestId"] != "req-" + (line["message"] as String).split(' ')[1] })
      .isEmpty()
  }
}
