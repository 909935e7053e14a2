package dev.threadline.web;

import dev.threadline.web.servlet.ThreadlineFilter;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import java.io.File;
import java.nio.file.Files;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.ErrorPage;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;

/** A real embedded Tomcat on a free port, with filters and servlets added in code. */
public final class TomcatServer implements AutoCloseable {

  /** Tomcat logs through java.util.logging; held here so the level sticks. */
  private static final java.util.logging.Logger CATALINA = java.util.logging.Logger.getLogger("org.apache");

  static {
    CATALINA.setLevel(java.util.logging.Level.SEVERE);
  }

  private final Tomcat tomcat = new Tomcat();
  private final File base;
  private final Context context;
  private final Connector connector;

  public TomcatServer(int maxThreads) throws Exception {
    base = Files.createTempDirectory("tomcat").toFile();
    tomcat.setBaseDir(base.getAbsolutePath());
    connector = new Connector();
    connector.setPort(0);
    connector.setProperty("maxThreads", String.valueOf(maxThreads));
    connector.setProperty("minSpareThreads", "1");
    tomcat.setConnector(connector);
    context = tomcat.addContext("", base.getAbsolutePath());
  }

  /** Adds {@code filter} for every path and the REQUEST, ASYNC and ERROR dispatches, after those added before. */
  public TomcatServer filter(String name, Filter filter) {
    FilterDef def = new FilterDef();
    def.setFilterName(name);
    def.setFilter(filter);
    def.setAsyncSupported("true");
    context.addFilterDef(def);
    FilterMap map = new FilterMap();
    map.setFilterName(name);
    map.addURLPattern("/*");
    map.setDispatcher("REQUEST");
    map.setDispatcher("ASYNC");
    map.setDispatcher("ERROR");
    context.addFilterMap(map);
    return this;
  }

  /** Adds the Threadline filter. */
  public TomcatServer threadline(ThreadlineFilter filter) {
    return filter("threadline", filter);
  }

  public TomcatServer servlet(String path, HttpServlet servlet) {
    String name = "servlet" + path.replace('/', '_').replace('*', 'x');
    Wrapper wrapper = Tomcat.addServlet(context, name, servlet);
    wrapper.setAsyncSupported(true);
    context.addServletMappingDecoded(path, name);
    return this;
  }

  /** Sends every uncaught exception and every error status to {@code location}. */
  public TomcatServer errorPage(String location) {
    ErrorPage page = new ErrorPage();
    page.setLocation(location);
    context.addErrorPage(page);
    return this;
  }

  public TomcatServer start() throws LifecycleException {
    tomcat.start();
    return this;
  }

  public int port() {
    return connector.getLocalPort();
  }

  public String url(String path) {
    return "http://127.0.0.1:" + port() + path;
  }

  @Override
  public void close() throws Exception {
    try {
      tomcat.stop();
      tomcat.destroy();
    } finally {
      // Tomcat's work directory: nothing of a test run is left in the temp directory.
      try (java.util.stream.Stream<java.nio.file.Path> files = Files.walk(base.toPath())) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }
}
