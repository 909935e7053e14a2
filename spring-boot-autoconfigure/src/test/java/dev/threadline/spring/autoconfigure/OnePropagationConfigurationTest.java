package dev.threadline.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadline.core.Correlation;
import dev.threadline.core.CorrelationPropagator;
import dev.threadline.core.CorrelationScope;
import dev.threadline.web.messaging.Messages;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.env.Environment;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;

/**
 * #15: {@code threadline.propagation.*} set once reaches every path: the servlet filter reads and echoes the header,
 * RestClient calls send it with the allowed baggage, and message headers ({@code Messages}, as Kafka and JMS use) carry
 * it. Before, only the filter had a setting and every other path wrote {@code X-Request-Id}.
 */
@SpringBootTest(classes = OnePropagationConfigurationTest.App.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"threadline.propagation.request-id-header=X-Trace-Request",
        "threadline.propagation.baggage-fields=tenant"})
class OnePropagationConfigurationTest {

  @org.springframework.boot.SpringBootConfiguration
  @org.springframework.boot.autoconfigure.EnableAutoConfiguration
  @org.springframework.context.annotation.Import(App.Calls.class)
  static class App {

    @RestController
    static class Calls {
      private final RestClient.Builder clients;
      private final Environment environment;

      Calls(RestClient.Builder clients, Environment environment) {
        this.clients = clients;
        this.environment = environment;
      }

      @GetMapping("/front")
      String front() {
        return clients.build().get().uri("http://127.0.0.1:" + environment.getProperty("local.server.port")
            + "/back").retrieve().body(String.class);
      }

      @GetMapping("/back")
      String back(HttpServletRequest request) {
        return request.getHeader("X-Trace-Request") + "|" + request.getHeader("X-Request-Id") + "|"
            + request.getHeader("baggage");
      }
    }
  }

  @LocalServerPort
  int port;

  @Test
  void oneSettingReachesTheFilterTheHttpClientsAndTheMessageHeaders() throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + port + "/front")).header("X-Trace-Request", "req-shared-1")
        .header("baggage", "tenant=acme,other=x").timeout(Duration.ofSeconds(20)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.headers().firstValue("X-Trace-Request")).hasValue("req-shared-1");
    // The callee got the request id under the configured header only, and the allowed baggage field only.
    assertThat(response.body()).isEqualTo("req-shared-1|null|tenant=acme");

    assertThat(CorrelationPropagator.shared().requestIdHeader()).isEqualTo("X-Trace-Request");
    Map<String, String> message = new HashMap<>();
    try (CorrelationScope s = Correlation.builder().requestId("req-msg-1").baggage("tenant", "acme").build().open()) {
      Messages.inject(message);
    }
    assertThat(message).containsEntry("X-Trace-Request", "req-msg-1").containsEntry("baggage", "tenant=acme")
        .doesNotContainKey("X-Request-Id");
  }
}
