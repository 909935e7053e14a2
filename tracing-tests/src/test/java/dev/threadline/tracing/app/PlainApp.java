package dev.threadline.tracing.app;

import dev.threadline.web.servlet.ThreadlineFilter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;

/**
 * The application of the plain servlet set-ups, in a JVM of its own: a {@code main} with embedded Tomcat,
 * {@link ThreadlineFilter} first in the chain for the REQUEST, ASYNC and ERROR dispatches, and {@link PlainEndpoints}
 * behind it. No Spring: its class path has none, and nothing here needs it. Logging is {@value #LOGBACK_XML}, chosen
 * with {@code -Dlogback.configurationFile}, the service named by {@code -Dmatrix.service}. With
 * {@code -Dmatrix.sdk=true} it registers its own OpenTelemetry SDK as the global one before serving; with
 * {@code -Dmatrix.trace-response=true} the filter answers with {@code traceresponse}. It prints
 * {@value MatrixApp#READY} and the port once Tomcat listens, as the Spring Boot application does.
 */
public final class PlainApp {

  /** The Logback configuration, a class-path resource away from the root so the Boot application never finds it. */
  public static final String LOGBACK_XML = "dev/threadline/tracing/app/plain-logback.xml";

  private PlainApp() {
  }

  public static void main(String[] args) throws Exception {
    if (Boolean.getBoolean("matrix.sdk")) {
      OtelSdk.registerGlobal();
    }
    Path base = Files.createTempDirectory("matrix-plain");
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(base.toString());
    Connector connector = new Connector();
    connector.setPort(0);
    connector.setProperty("address", "127.0.0.1");
    tomcat.setConnector(connector);
    Context context = tomcat.addContext("", base.toString());

    FilterDef filter = new FilterDef();
    filter.setFilterName("threadline");
    filter.setFilterClass(ThreadlineFilter.class.getName());
    filter.setAsyncSupported("true");
    // Set through the init-parameter, as a web.xml would.
    filter.addInitParameter("traceResponse", Boolean.toString(Boolean.getBoolean("matrix.trace-response")));
    context.addFilterDef(filter);
    FilterMap mapping = new FilterMap();
    mapping.setFilterName("threadline");
    mapping.addURLPattern("/*");
    mapping.setDispatcher("REQUEST");
    mapping.setDispatcher("ASYNC");
    mapping.setDispatcher("ERROR");
    context.addFilterMapBefore(mapping);

    Tomcat.addServlet(context, "endpoints", new PlainEndpoints(probe()));
    context.addServletMappingDecoded("/a", "endpoints");
    context.addServletMappingDecoded("/b", "endpoints");
    tomcat.start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(tomcat, base), "plain-app-stop"));

    System.out.println(MatrixApp.READY + connector.getLocalPort());
    System.out.flush();
  }

  /** The tracer API the application sees: OpenTelemetry's when present (plain-sdk, plain-agent), else none. */
  private static SpanProbe probe() {
    try {
      Class.forName("io.opentelemetry.api.GlobalOpenTelemetry", false, PlainApp.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      return SpanProbe.NONE;
    }
    return OtelProbe.global();
  }

  private static void stop(Tomcat tomcat, Path base) {
    try {
      tomcat.stop();
      tomcat.destroy();
      try (Stream<Path> paths = Files.walk(base)) {
        for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(path);
        }
      }
    } catch (LifecycleException | IOException | UncheckedIOException e) {
      // The JVM ends anyway; a scratch directory may stay behind in the temporary directory.
    }
  }
}
