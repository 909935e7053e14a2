package dev.threadline.samples.orderapi;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jms.core.JmsTemplate;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /orders}: prices the order, publishes an "order received" event for the worker, and reserves the stock
 * through {@link FulfillmentClient}. {@code GET /health} is the demo's readiness probe.
 */
@RestController
class OrderController {

  private static final Logger LOG = LoggerFactory.getLogger(OrderController.class);

  /** The catalogue. The pricing code below has a bug for a SKU that is not in it. */
  private static final Map<String, Integer> PRICES_CENTS = Map.of("book", 1800, "mug", 950, "lamp", 4900);

  /** The queue fulfillment-worker consumes. */
  static final String ORDER_EVENTS = "order-events";

  private final AtomicInteger orderNumbers = new AtomicInteger();
  private final FulfillmentClient fulfillment;
  private final JmsTemplate jms;

  OrderController(FulfillmentClient fulfillment, JmsTemplate jms) {
    this.fulfillment = fulfillment;
    this.jms = jms;
  }

  /** An order as the client sends it. */
  record OrderRequest(String sku, int quantity) {
  }

  @PostMapping("/orders")
  ResponseEntity<Map<String, Object>> place(@RequestBody OrderRequest order) {
    String orderId = "o-" + (1000 + orderNumbers.incrementAndGet());
    LOG.info("placing order {}: {} x {}", orderId, order.quantity(), order.sku());
    // The bug the demo's unexpected exception comes from: an unknown SKU unboxes null.
    int total = PRICES_CENTS.get(order.sku()) * order.quantity();
    // The starter made JmsTemplate write the correlation into the message: the worker's consumer joins this request.
    jms.convertAndSend(ORDER_EVENTS, "order " + orderId + " received: " + order.quantity() + " x " + order.sku());
    fulfillment.reserve(orderId, order.sku(), order.quantity());
    LOG.info("order {} placed, total {} cents", orderId, total);
    return ResponseEntity.status(HttpStatus.CREATED).body(Map.of("orderId", orderId, "totalCents", total));
  }

  @GetMapping("/health")
  String health() {
    return "ok";
  }

  /** The retries are spent: the user gets a 500, the log gets the whole reason. */
  @ExceptionHandler(FulfillmentClient.FulfillmentUnavailableException.class)
  ResponseEntity<Map<String, Object>> fulfilmentUnavailable(FulfillmentClient.FulfillmentUnavailableException e) {
    LOG.error("order failed: {}", e.getMessage(), e);
    return ResponseEntity.status(HttpStatus.INTERNAL_SERVER_ERROR)
        .body(Map.of("error", "order could not be fulfilled"));
  }

  /**
   * Anything else is a bug. Logged here, inside the request's scope, so the line carries the request id (Tomcat's
   * own report of an escaped exception comes after the filter has closed the scope).
   */
  @ExceptionHandler(Exception.class)
  ResponseEntity<Map<String, Object>> unexpected(Exception e) {
    LOG.error("unexpected error placing an order", e);
    return ResponseEntity.status(HttpStatus.INTERNAL_SERVER_ERROR).body(Map.of("error", "internal error"));
  }
}
