package dev.threadline.samples.worker;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The flaky downstream: {@code GET /stock/<sku>} answers at once, except for the SKUs whose warehouse is "slow",
 * where it takes {@link #SLOW_ANSWER_MILLIS} ms, past the worker's timeout. It still answers in the end and logs it:
 * the request the caller gave up on finishes later, with the same request id, as real downstreams do.
 */
final class InventoryServlet extends HttpServlet {

  private static final long serialVersionUID = 1L;

  /** Longer than {@link FulfillmentWorker#INVENTORY_TIMEOUT}, so every call for a slow SKU times out. */
  static final long SLOW_ANSWER_MILLIS = 1000;

  /** The SKUs whose stock lookup is slow; deterministic, so the demo tells the same story every time. */
  static final Set<String> SLOW_SKUS = Set.of("lamp");

  private static final Logger LOG = LoggerFactory.getLogger("dev.threadline.samples.inventory");

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse res) throws IOException {
    String sku = req.getPathInfo() == null ? "" : req.getPathInfo().substring(1);
    LOG.info("stock lookup for {}", sku);
    if (SLOW_SKUS.contains(sku)) {
      try {
        Thread.sleep(SLOW_ANSWER_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      LOG.warn("stock lookup for {} took {} ms (warehouse index rebuilding)", sku, SLOW_ANSWER_MILLIS);
    }
    res.setContentType("text/plain");
    res.getWriter().write("in-stock");
  }
}
