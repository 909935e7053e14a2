package dev.threadline.spring.autoconfigure

import dev.threadline.web.LogCapture
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.currentCoroutineContext
import kotlinx.coroutines.delay
import kotlinx.coroutines.withContext
import org.assertj.core.api.Assertions.assertThat
import org.awaitility.Awaitility.await
import org.junit.jupiter.api.Test
import org.slf4j.LoggerFactory
import org.springframework.beans.factory.annotation.Autowired
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
import java.util.concurrent.TimeUnit

/**
 * A real Spring Boot 4.1 WebFlux application on Reactor Netty with `suspend` controller handlers and nothing but the
 * auto-configuration: the handlers' lines carry the request's ids before and after `delay`, inside
 * `withContext(Dispatchers.IO)` and in an `async` child on `Dispatchers.Default`, also with many requests in flight,
 * and also behind a `CoWebFilter` of the application's own (which makes Spring run the handler in the filter's
 * coroutine context instead of its default one).
 */
@SpringBootTest(
  classes = [ThreadlineCoroutinesBootApplicationTest.App::class],
  webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
  properties = ["spring.application.name=orders", "spring.main.web-application-type=reactive"],
)
class ThreadlineCoroutinesBootApplicationTest {

  @SpringBootConfiguration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  @Import(Orders::class, Audit::class)
  class App

  /** An application's own coroutine filter: Spring then runs the handlers in the coroutine context it leaves. */
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
      val stock = withContext(Dispatchers.IO) {
        log.info("order {} stock read", id)
        delay(5)
        "in stock"
      }
      val price = coroutineScope {
        async(Dispatchers.Default) {
          delay(5)
          log.info("order {} priced", id)
          42
        }.await()
      }
      log.info("order {} done", id)
      return "order $id: $stock at $price"
    }

    @GetMapping("/context")
    suspend fun context(): String =
      currentCoroutineContext().fold(listOf<String>()) { names, element -> names + element.javaClass.simpleName }
        .sorted().joinToString(",")
  }

  @LocalServerPort
  var port: Int = 0

  private fun client() = WebClient.create("http://127.0.0.1:$port")

  @Test
  fun suspendHandler_logsWithTheRequestsIds_acrossDelayAndDispatchers() {
    LogCapture.capture().use { capture ->
      val response = client().get().uri("/orders/42")
        .header("X-Request-Id", "coroutine-1")
        .header("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
        .retrieve().toEntity(String::class.java).block(Duration.ofSeconds(10))!!

      assertThat(response.body).isEqualTo("order 42: in stock at 42")
      assertThat(response.headers.getFirst("X-Request-Id")).isEqualTo("coroutine-1")
      await().atMost(5, TimeUnit.SECONDS).until { capture.byLogger("dev.threadline.access").isNotEmpty() }
      val handler = capture.byLogger("orders.coroutines")
      assertThat(handler.map { it["message"] }).containsExactly(
        "order 42 requested", "order 42 after delay", "order 42 stock read", "order 42 priced", "order 42 done")
      assertThat(handler).allSatisfy { line ->
        assertThat(line)
          .containsEntry("requestId", "coroutine-1")
          .containsEntry("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736")
          .containsEntry("span_id", handler[0]["span_id"])
      }
      assertThat(handler.map { it["thread"] }.toSet().size).isGreaterThan(1)
      assertThat(capture.byLogger("orders.audit").single()).containsEntry("requestId", "coroutine-1")
      val access = capture.byLogger("dev.threadline.access")[0]
      assertThat(access).containsEntry("requestId", "coroutine-1").containsEntry("span_id", handler[0]["span_id"])
    }
  }

  @Test
  fun interleavedRequests_neverLogAnothersIds() {
    val requests = 200
    LogCapture.capture().use { capture ->
      val bodies = Flux.range(0, requests)
        .flatMap({ i ->
          client().get().uri("/orders/{id}", i).header("X-Request-Id", "req-$i")
            .retrieve().bodyToMono(String::class.java)
        }, 64)
        .collectList().block(Duration.ofSeconds(60))!!
      assertThat(bodies).hasSize(requests)

      val handler = capture.byLogger("orders.coroutines")
      assertThat(handler).hasSize(requests * 5)
      val wrong = handler.filter { line ->
        val id = (line["message"] as String).split(' ')[1]
        line["requestId"] != "req-$id"
      }
      assertThat(wrong).isEmpty()
    }
  }

  @Test
  fun handlerContext_keepsSpringsOwnPropagationElement_besideThreadlines() {
    // Spring 7 adds its PropagationContextElement (other thread-locals, a tracer's observation) when it picks the
    // context itself; the context the starter sets keeps it.
    val elements = client().get().uri("/context").retrieve().bodyToMono(String::class.java)
      .block(Duration.ofSeconds(10))!!.split(',')
    assertThat(elements).contains("ThreadlineContext", "PropagationContextElement")
  }
}
