package dev.threadline.samples.orderapi;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import org.springframework.web.client.HttpServerErrorException;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;

/**
 * Reserves stock through fulfillment-worker, retrying a failed attempt (a 5xx or a timeout) after a short pause.
 * The user never sees the retry; the log does, and that is what the demo is about.
 */
@Component
class FulfillmentClient {

  private static final Logger LOG = LoggerFactory.getLogger(FulfillmentClient.class);

  private final RestClient worker;
  private final int attempts;

  FulfillmentClient(RestClient workerClient, @Value("${demo.fulfilment.attempts}") int attempts) {
    this.worker = workerClient;
    this.attempts = attempts;
  }

  /** Reserves {@code quantity} of {@code sku}; throws {@link FulfillmentUnavailableException} if all attempts fail. */
  void reserve(String orderId, String sku, int quantity) {
    RuntimeException last = null;
    for (int attempt = 1; attempt <= attempts; attempt++) {
      try {
        worker.post().uri(u -> u.path("/fulfilments").queryParam("orderId", orderId).queryParam("sku", sku)
            .queryParam("quantity", quantity).build()).retrieve().toBodilessEntity();
        return;
      } catch (HttpServerErrorException | ResourceAccessException e) {
        last = e;
        if (attempt < attempts) {
          String why = e instanceof HttpServerErrorException status ? status.getStatusCode().toString()
              : e.getMessage();
          LOG.warn("fulfilment attempt {} of {} for order {} failed ({}); retrying", attempt, attempts, orderId, why);
          pause();
        }
      }
    }
    throw new FulfillmentUnavailableException("fulfilment of order " + orderId + " failed after " + attempts
        + " attempts", last);
  }

  private static void pause() {
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Every attempt to reserve the stock failed. */
  static final class FulfillmentUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    FulfillmentUnavailableException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
