package dev.threadline.web.internal.servlet;

import dev.threadline.core.spi.TraceBridge;
import dev.threadline.web.internal.RemoteParents;
import dev.threadline.web.servlet.ThreadlineFilter;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;

/**
 * Runs before a tracer's server instrumentation (Spring Boot's observation filter) and makes the caller's span, read
 * from {@code traceparent}, the tracer's current remote context for the rest of the chain. A tracer that reads
 * {@code traceparent} itself finds the same parent; one that reads nothing (Spring Boot installs a no-op propagator
 * when tracing export is disabled) starts its server span under it instead of a new trace, so the request keeps the
 * caller's trace id. Does nothing without a tracer bridge, without a valid {@code traceparent}, or when the tracer has
 * a span current already (the Java agent starts its server span before any filter). Never throws anything of its own.
 *
 * <p>The Spring Boot starter registers it first in the chain (without a bridge it does nothing).
 */
public class RemoteParentFilter implements Filter {

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    AutoCloseable entered = req instanceof HttpServletRequest
        ? RemoteParents.enter((HttpServletRequest) req, ThreadlineFilter.REQUEST_GETTER)
        : TraceBridge.NOTHING;
    try {
      chain.doFilter(req, res);
    } finally {
      RemoteParents.exit(entered);
    }
  }
}
