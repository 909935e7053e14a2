package dev.threadline.samples.worker;

import dev.threadline.web.client.jdk.TracingHttpClient;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /fulfilments?orderId=&sku=&quantity=}: reserves stock for an order by asking the inventory service,
 * through the JDK HttpClient wrapped by {@link TracingHttpClient} (client span, {@code traceparent},
 * {@code X-Request-Id} and a call line). When the inventory does not answer in time it answers 504. The timeout's
 * exception is logged once, on the call line that {@code TracingHttpClient} writes (with its
 * {@code error.fingerprint}); logging it here again would count every timeout twice.
 */
final class FulfillmentServlet extends HttpServlet {

  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(FulfillmentServlet.class);

  private final transient HttpClient inventory = TracingHttpClient.wrap(HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(1)).build());
  private final String inventoryUrl;
  private final Duration timeout;

  FulfillmentServlet(String inventoryUrl, Duration timeout) {
    this.inventoryUrl = inventoryUrl;
    this.timeout = timeout;
  }

  @Override
  protected void doPost(HttpServletRequest req, HttpServletResponse res) throws IOException {
    String orderId = req.getParameter("orderId");
    String sku = req.getParameter("sku");
    LOG.info("reserving {} x {} for order {}", req.getParameter("quantity"), sku, orderId);
    HttpRequest lookup = HttpRequest.newBuilder(
        URI.create(inventoryUrl + "/stock/" + URLEncoder.encode(sku, StandardCharsets.UTF_8))).timeout(timeout).build();
    try {
      HttpResponse<String> stock = inventory.send(lookup, HttpResponse.BodyHandlers.ofString());
      LOG.info("reserved {} for order {} ({})", sku, orderId, stock.body());
      res.setContentType("text/plain");
      res.getWriter().write("reserved");
    } catch (HttpTimeoutException e) {
      LOG.error("inventory did not answer within {} ms; reservation for order {} abandoned", timeout.toMillis(),
          orderId);
      res.setStatus(HttpServletResponse.SC_GATEWAY_TIMEOUT);
      res.setContentType("text/plain");
      res.getWriter().write("inventory timed out");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      res.setStatus(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
    }
  }
}
