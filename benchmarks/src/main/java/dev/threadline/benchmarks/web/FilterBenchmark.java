package dev.threadline.benchmarks.web;

import dev.threadline.web.servlet.ThreadlineFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.slf4j.MDC;

/**
 * Issue #5: the servlet filter's overhead per request (goal: at most 1 µs), without the access line's I/O. One
 * request as a caller sends it (traceparent, X-Request-Id, User-Agent) through {@link ThreadlineFilter} to a chain
 * that reads the request id from the MDC, against the same chain called directly. The access line is built and
 * handed to Logback, whose only appender does nothing. The request and response are wrappers answering exactly
 * what the filter asks (headers, attributes, status), so the figure is the filter's own work.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class FilterBenchmark {

  private ThreadlineFilter withAccessLine;
  private ThreadlineFilter withoutAccessLine;
  private FilterChain chain;
  private Blackhole hole;

  @Setup
  public void setUp(Blackhole blackhole) {
    WebBench.logbackWithoutIo();
    withAccessLine = new ThreadlineFilter();
    withoutAccessLine = new ThreadlineFilter();
    withoutAccessLine.setAccessLog(false);
    hole = blackhole;
    chain = (req, res) -> hole.consume(MDC.get("requestId"));
  }

  @Benchmark
  public void chainAlone() throws Exception {
    chain.doFilter(new Request(), new Response());
  }

  @Benchmark
  public void filterWithAccessLine() throws Exception {
    withAccessLine.doFilter(new Request(), new Response(), chain);
  }

  @Benchmark
  public void filterWithoutAccessLine() throws Exception {
    withoutAccessLine.doFilter(new Request(), new Response(), chain);
  }

  /** A GET from a traced caller; a fresh one per request, as a container gives. */
  static final class Request extends HttpServletRequestWrapper {
    private static final HttpServletRequest NONE = WebBench.unusable(HttpServletRequest.class);
    private final Map<String, Object> attributes = new HashMap<>(4);

    Request() {
      super(NONE);
    }

    @Override
    public String getHeader(String name) {
      // Case-insensitive without allocating, as a container's header lookup is.
      if (name.equalsIgnoreCase("traceparent")) {
        return "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
      } else if (name.equalsIgnoreCase("X-Request-Id")) {
        return "01kkp3m9z8r5w2f7c0x4";
      } else if (name.equalsIgnoreCase("User-Agent")) {
        return "okhttp/4.12.0";
      }
      return null;
    }

    @Override
    public Enumeration<String> getHeaders(String name) {
      String value = getHeader(name);
      return value == null ? Collections.emptyEnumeration() : new Single(value);
    }

    @Override
    public Object getAttribute(String name) {
      return attributes.get(name);
    }

    @Override
    public void setAttribute(String name, Object value) {
      attributes.put(name, value);
    }

    @Override
    public DispatcherType getDispatcherType() {
      return DispatcherType.REQUEST;
    }

    @Override
    public boolean isAsyncStarted() {
      return false;
    }

    @Override
    public String getRequestURI() {
      return "/api/orders/42";
    }

    @Override
    public String getContextPath() {
      return "";
    }

    // The dispatched path the filter matches skip patterns against; without these the wrapper's delegate throws, the
    // filter reports that once and measures only its failure path.
    @Override
    public String getServletPath() {
      return "/api/orders/42";
    }

    @Override
    public String getPathInfo() {
      return null;
    }

    @Override
    public String getMethod() {
      return "GET";
    }

    @Override
    public String getQueryString() {
      return null;
    }

    @Override
    public String getRemoteAddr() {
      return "10.0.3.7";
    }
  }

  /** One header value, as a container enumerates it. */
  static final class Single implements Enumeration<String> {
    private String value;

    Single(String value) {
      this.value = value;
    }

    @Override
    public boolean hasMoreElements() {
      return value != null;
    }

    @Override
    public String nextElement() {
      String v = value;
      value = null;
      return v;
    }
  }

  /** A response that remembers its headers and status. */
  static final class Response extends HttpServletResponseWrapper {
    private static final HttpServletResponse NONE = WebBench.unusable(HttpServletResponse.class);
    private final Map<String, String> headers = new HashMap<>(4);

    Response() {
      super(NONE);
    }

    @Override
    public void setHeader(String name, String value) {
      headers.put(name, value);
    }

    @Override
    public int getStatus() {
      return 200;
    }

    @Override
    public boolean isCommitted() {
      return false;
    }
  }
}
