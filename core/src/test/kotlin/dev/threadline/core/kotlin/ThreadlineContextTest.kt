package dev.threadline.core.kotlin

import dev.threadline.core.Correlation
import dev.threadline.core.kotlin.JsonLines.Companion.mdc
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.asCoroutineDispatcher
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withContext
import kotlinx.coroutines.yield
import org.assertj.core.api.Assertions.assertThat
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Test
import org.slf4j.MDC
import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.Executors
import java.util.concurrent.ThreadLocalRandom
import java.util.concurrent.TimeUnit

/** The coroutine element keeps each coroutine's correlation on every thread it runs on, and nowhere else. */
class ThreadlineContextTest {

  private val lines = JsonLines("coroutines")
  private val log = lines.log

  @AfterEach
  fun tearDown() {
    lines.close()
    MDC.clear()
  }

  @Test
  fun concurrentCoroutines_hoppingDispatchers_neverLogAnothersIds() {
    val requests = 400
    val bare = 200
    val correlations = (0 until requests).map { Correlation.newTrace("req-$it") }
    // A pool thread that already has a request of its own: the coroutines that run there must give it back.
    val ownPool = Executors.newSingleThreadExecutor()
    val own = Correlation.newTrace("pool-own")
    ownPool.submit { own.open() }.get(10, TimeUnit.SECONDS)
    val ownDispatcher = ownPool.asCoroutineDispatcher()
    try {
      runBlocking(Dispatchers.Default) {
        correlations.forEachIndexed { i, c ->
          launch(ThreadlineContext(c)) {
            log.info("r$i start")
            pause()
            log.info("r$i after delay")
            withContext(Dispatchers.IO) {
              log.info("r$i io")
              pause()
              log.info("r$i io after delay")
            }
            val child = async(Dispatchers.Default) {
              pause()
              log.info("r$i async child")
            }
            launch(ownDispatcher) {
              log.info("r$i launched child")
              pause()
              log.info("r$i launched child after delay")
            }
            launch(Dispatchers.Unconfined) {
              pause()
              log.info("r$i unconfined child")
            }
            child.await()
            log.info("r$i end")
          }
        }
        // Coroutines with no correlation on the same threads: their lines must never show a request's ids.
        repeat(bare) { b ->
          launch {
            pause()
            log.info("bare $b")
            withContext(Dispatchers.IO) {
              pause()
              log.info("bare $b io")
            }
          }
        }
      }
      val stillOwn = ownPool.submit<String?> { MDC.get("requestId") }.get(10, TimeUnit.SECONDS)
      assertThat(stillOwn).isEqualTo("pool-own")
    } finally {
      ownPool.shutdownNow()
    }

    val parsed = lines.parsed()
    assertThat(parsed).hasSize(requests * 9 + bare * 2)
    val wrong = parsed.filter { line ->
      val message = line.get("message").asText()
      if (message.startsWith("bare")) {
        line.mdc("requestId") != null || line.mdc("trace_id") != null
      } else {
        val c = correlations[message.substring(1, message.indexOf(' ')).toInt()]
        line.mdc("requestId") != c.requestId() || line.mdc("trace_id") != c.traceId() ||
          line.mdc("span_id") != c.spanId()
      }
    }
    assertThat(wrong).isEmpty()
    // The hops were real: one request's lines came from several threads.
    val threadsOfOne = parsed.filter { it.get("message").asText().startsWith("r7 ") }
      .map { it.get("threadName").asText() }.toSet()
    assertThat(threadsOfOne.size).isGreaterThan(1)
  }

  @Test
  fun coroutineOnTheCallersThread_putsBackTheThreadsOwnCorrelationAndMdc() {
    val outer = Correlation.newTrace("outer")
    val inner = Correlation.newTrace("inner")
    outer.open().use {
      MDC.put("tenant", "acme")
      runBlocking(ThreadlineContext(inner)) {
        log.info("inside")
        yield()
        delay(5)
        log.info("inside after delay")
      }
      log.info("after")
      assertThat(Correlation.current()).contains(outer)
      assertThat(MDC.get("tenant")).isEqualTo("acme")
    }
    assertThat(Correlation.current()).isEmpty()
    assertThat(MDC.get("requestId")).isNull()

    val parsed = lines.parsed()
    assertThat(parsed.map { it.mdc("requestId") }).containsExactly("inner", "inner", "outer")
    assertThat(parsed.map { it.mdc("tenant") }).containsOnly("acme")
  }

  @Test
  fun withContext_switchesTheCorrelationForTheBlockOnly() {
    val request = Correlation.newTrace("request")
    val child = request.newChild()
    runBlocking(Dispatchers.Default + ThreadlineContext(request)) {
      log.info("before")
      withContext(ThreadlineContext(child)) {
        delay(2)
        log.info("in child span")
      }
      delay(2)
      log.info("after")
    }
    val parsed = lines.parsed()
    assertThat(parsed.map { it.mdc("span_id") }).containsExactly(request.spanId(), child.spanId(), request.spanId())
    assertThat(parsed.map { it.mdc("trace_id") }).containsOnly(request.traceId())
  }

  @Test
  fun noArgumentElement_capturesTheCurrentCorrelation() {
    val request = Correlation.newTrace("captured")
    val element = request.open().use { ThreadlineContext() }
    assertThat(element.correlation()).contains(request)
    runBlocking(Dispatchers.IO + element) {
      delay(2)
      log.info("line")
      assertThat(coroutineContext[ThreadlineContext.KEY]).isSameAs(element)
    }
    assertThat(lines.parsed().single().mdc("requestId")).isEqualTo("captured")
  }

  @Test
  fun elementWithoutCorrelation_clearsTheIdsWhileItRuns() {
    val outer = Correlation.newTrace("outer")
    outer.open().use {
      runBlocking(ThreadlineContext(null)) {
        log.info("background")
      }
      assertThat(Correlation.current()).contains(outer)
      assertThat(MDC.get("requestId")).isEqualTo("outer")
    }
    val line = lines.parsed().single()
    assertThat(line.mdc("requestId")).isNull()
    assertThat(line.mdc("trace_id")).isNull()
  }

  /** The README's two lines (core, *Kotlin coroutines*), with an order store and a mailer that log. */
  @Test
  fun readmeLines_keepTheIdsInTheBlockAndTheLaunchedCoroutine() {
    val readme = Files.readString(Path.of("..", "README.md"))
    val block = Regex("```kotlin\n(.*?)\n```", RegexOption.DOT_MATCHES_ALL).find(readme)!!.groupValues[1]
    val source = Files.readString(Path.of("src/test/kotlin/dev/threadline/core/kotlin/ThreadlineContextTest.kt"))
    assertThat(block.lines()).hasSize(2).allSatisfy { line ->
      assertThat(source.lines().map { it.trim() }).contains(line)
    }

    val orders = Orders(log)
    val mailer = Mailer(log)
    val id = "o-1"
    val request = Correlation.newTrace("readme-request")
    val correlation = Correlation.newTrace("readme-job")
    val dispatcher = Executors.newFixedThreadPool(2).asCoroutineDispatcher()
    val scope = CoroutineScope(dispatcher)
    try {
      // A request thread (a servlet's, say) that calls into coroutines: the correlation is current where the
      // element is made.
      val launched = request.open().use {
        runBlocking {
          val order = withContext(ThreadlineContext()) { orders.load(id) }
          scope.launch(ThreadlineContext(correlation)) { mailer.confirm(order) }
        }
      }
      runBlocking { launched.join() }
    } finally {
      dispatcher.close()
    }
    val parsed = lines.parsed()
    assertThat(parsed.map { it.get("message").asText() to it.mdc("requestId") })
      .containsExactly("loaded o-1" to "readme-request", "confirmed o-1" to "readme-job")
  }

  class Orders(private val log: org.slf4j.Logger) {
    suspend fun load(id: String): String {
      withContext(Dispatchers.IO) { delay(2) }
      log.info("loaded $id")
      return id
    }
  }

  class Mailer(private val log: org.slf4j.Logger) {
    suspend fun confirm(order: String) {
      delay(2)
      log.info("confirmed $order")
    }
  }

  private suspend fun pause() = delay(ThreadLocalRandom.current().nextLong(0, 4))
}
