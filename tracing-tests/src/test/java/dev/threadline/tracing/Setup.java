package dev.threadline.tracing;

import dev.threadline.tracing.app.MatrixApp;
import dev.threadline.tracing.app.PlainApp;
import dev.threadline.tracing.grpc.GrpcApp;
import dev.threadline.tracing.reactive.ReactiveMatrixApp;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * One way of running the application (the Spring Boot one; for the {@code plain-*} set-ups the plain servlet one; for
 * the {@code reactive-*} set-ups the Spring WebFlux one):
 * which class-path entries it must not have, and the JVM options, environment and application arguments it runs
 * with. The child's class path is this test's own minus {@link #excludes}.
 */
enum Setup {

  /** Threadline only: no OpenTelemetry, no Micrometer Tracing. */
  ALONE("alone", Jars.OTEL_ANY.or(Jars.MICROMETER_TRACING).or(Jars.BRAVE).or(Jars.BOOT_OTEL).or(Jars.OTEL_BRIDGE)),

  /** The application's own SDK, registered as the global one; no instrumentation, no Micrometer Tracing. */
  SDK("sdk", Jars.OTEL_EXPORT.or(Jars.MICROMETER_TRACING).or(Jars.BRAVE).or(Jars.BOOT_OTEL)) {
    @Override
    List<String> jvmOptions() {
      return List.of("-Dmatrix.sdk=true");
    }
  },

  /** The OpenTelemetry Java agent over the application's OpenTelemetry API; no SDK, no Micrometer Tracing. */
  AGENT("agent", Jars.OTEL_ANY.and(Jars.OTEL_API.negate()).or(Jars.MICROMETER_TRACING).or(Jars.BRAVE)
      .or(Jars.BOOT_OTEL)) {
    @Override
    List<String> jvmOptions() {
      return List.of("-javaagent:" + agentJar());
    }

    @Override
    List<String> arguments() {
      // The agent makes its HTTP client span below Threadline's interceptor, out of its sight: the callee answers
      // with traceresponse, and the call line records the callee's span as callee_span_id.
      return List.of("--threadline.filter.trace-response=true");
    }

    @Override
    Map<String, String> environment() {
      return agentEnvironment();
    }
  },

  /** Spring Boot's Micrometer Tracing on OpenTelemetry, every request sampled, nothing exported. */
  BOOT_OTEL_EXPORT_OFF("boot-otel-export-off", Jars.BRAVE) {
    @Override
    List<String> arguments() {
      return List.of("--management.tracing.sampling.probability=1.0", "--management.tracing.export.enabled=false");
    }
  },

  /** The same, exporting every span (to an in-memory exporter, so no collector is needed). */
  BOOT_OTEL_EXPORT_ON("boot-otel-export-on", Jars.BRAVE) {
    @Override
    List<String> jvmOptions() {
      return List.of("-Dmatrix.memory-export=true");
    }

    @Override
    List<String> arguments() {
      return List.of("--management.tracing.sampling.probability=1.0", "--management.tracing.export.enabled=true",
          "--management.opentelemetry.tracing.export.schedule-delay=100ms");
    }
  },

  /**
   * Spring Boot's Micrometer Tracing on Brave; no OpenTelemetry (the otel-bridge jar stays, inert, as the starter has
   * it).
   */
  BRAVE("brave", Jars.OTEL_ANY.or(Jars.BOOT_OTEL).or(Jars.MICROMETER_TRACING_OTEL)) {
    @Override
    List<String> arguments() {
      return List.of("--management.tracing.sampling.probability=1.0");
    }

    @Override
    List<String> bridgeOffArguments() {
      // The Brave bridge is part of the auto-configuration: its scope decorator has a property, and BraveTraceBridge
      // goes with -Dthreadline.bridges=off, which every bridge-off run gets.
      return List.of("--threadline.brave.enabled=false");
    }
  },

  /** The same with tracing export disabled, where Spring Boot propagates nothing (its no-op propagation). */
  BRAVE_EXPORT_OFF("brave-export-off", Jars.OTEL_ANY.or(Jars.BOOT_OTEL).or(Jars.MICROMETER_TRACING_OTEL)) {
    @Override
    List<String> arguments() {
      return List.of("--management.tracing.sampling.probability=1.0", "--management.tracing.export.enabled=false");
    }

    @Override
    List<String> bridgeOffArguments() {
      return List.of("--threadline.brave.enabled=false");
    }
  },

  /** The plain servlet application ({@link PlainApp}: embedded Tomcat, no Spring) with Threadline only. */
  PLAIN_ALONE("plain-alone", App.PLAIN, Jars.OTEL_ANY.or(Jars.OTEL_BRIDGE)),

  /** The plain servlet application with its own OpenTelemetry SDK, registered as the global one before it serves. */
  PLAIN_SDK("plain-sdk", App.PLAIN, Jars.OTEL_EXPORT) {
    @Override
    List<String> jvmOptions() {
      return List.of("-Dmatrix.sdk=true");
    }
  },

  /** The plain servlet application under the OpenTelemetry Java agent, as {@link #AGENT}. */
  PLAIN_AGENT("plain-agent", App.PLAIN, Jars.OTEL_ANY.and(Jars.OTEL_API.negate())) {
    @Override
    List<String> jvmOptions() {
      // traceresponse on, as for AGENT: the call line then names the callee's span.
      return List.of("-javaagent:" + agentJar(), "-Dmatrix.trace-response=true");
    }

    @Override
    Map<String, String> environment() {
      return agentEnvironment();
    }
  },

  /** The reactive application ({@link ReactiveMatrixApp}: WebFlux on Reactor Netty) with Threadline only. */
  REACTIVE_ALONE("reactive-alone", App.REACTIVE, ALONE.excludes),

  /** The reactive application under the OpenTelemetry Java agent, which instruments Reactor Netty and WebFlux. */
  REACTIVE_AGENT("reactive-agent", App.REACTIVE, AGENT.excludes) {
    @Override
    List<String> jvmOptions() {
      return AGENT.jvmOptions();
    }

    @Override
    List<String> arguments() {
      return AGENT.arguments();
    }

    @Override
    Map<String, String> environment() {
      return agentEnvironment();
    }
  },

  /** The reactive application with Spring Boot's Micrometer Tracing on OpenTelemetry, nothing exported. */
  REACTIVE_BOOT_OTEL_EXPORT_OFF("reactive-boot-otel-export-off", App.REACTIVE, BOOT_OTEL_EXPORT_OFF.excludes) {
    @Override
    List<String> arguments() {
      return BOOT_OTEL_EXPORT_OFF.arguments();
    }
  },

  /** The reactive application with Spring Boot's Micrometer Tracing on OpenTelemetry, every span exported. */
  REACTIVE_BOOT_OTEL_EXPORT_ON("reactive-boot-otel-export-on", App.REACTIVE, BOOT_OTEL_EXPORT_ON.excludes) {
    @Override
    List<String> jvmOptions() {
      return BOOT_OTEL_EXPORT_ON.jvmOptions();
    }

    @Override
    List<String> arguments() {
      return BOOT_OTEL_EXPORT_ON.arguments();
    }
  },

  /** The reactive application with Spring Boot's Micrometer Tracing on Brave. */
  REACTIVE_BRAVE("reactive-brave", App.REACTIVE, BRAVE.excludes) {
    @Override
    List<String> arguments() {
      return BRAVE.arguments();
    }
  },

  /** The reactive application with Brave and tracing export disabled (Spring Boot's no-op propagation). */
  REACTIVE_BRAVE_EXPORT_OFF("reactive-brave-export-off", App.REACTIVE, BRAVE_EXPORT_OFF.excludes) {
    @Override
    List<String> arguments() {
      return BRAVE_EXPORT_OFF.arguments();
    }
  },

  /**
   * The gRPC application ({@link GrpcApp}: grpc-java over Netty, no Spring) under the OpenTelemetry Java agent, which
   * instruments grpc-java; run by {@code GrpcUnderAgentTest}, not by the matrix. The agent exports its spans to its
   * logging exporter (stderr), so the test can tell the agent's spans from any of Threadline's.
   */
  GRPC_AGENT("grpc-agent", App.GRPC, Jars.OTEL_ANY.and(Jars.OTEL_API.negate())) {
    @Override
    List<String> jvmOptions() {
      return List.of("-javaagent:" + agentJar());
    }

    @Override
    Map<String, String> environment() {
      Map<String, String> env = new java.util.HashMap<>(agentEnvironment());
      env.put("OTEL_TRACES_EXPORTER", "logging");
      return env;
    }
  };

  /** Which application a set-up runs. */
  enum App {
    /** {@link MatrixApp}: Spring Boot on the servlet stack (embedded Tomcat). */
    BOOT,
    /** {@link PlainApp}: embedded Tomcat, no Spring. */
    PLAIN,
    /** {@link ReactiveMatrixApp}: Spring Boot on WebFlux (Reactor Netty). */
    REACTIVE,
    /** {@link GrpcApp}: grpc-java over Netty, no Spring. */
    GRPC
  }

  private final String label;
  private final App app;
  private final Predicate<String> excludes;

  Setup(String label, Predicate<String> excludes) {
    this(label, App.BOOT, excludes);
  }

  Setup(String label, App app, Predicate<String> excludes) {
    this.label = label;
    this.app = app;
    this.excludes = excludes;
  }

  String label() {
    return label;
  }

  /** Whether the child is the plain servlet application rather than the Spring Boot one. */
  boolean plain() {
    return app == App.PLAIN || app == App.GRPC;
  }

  /** Whether the child is the gRPC application, which the matrix does not run. */
  boolean grpc() {
    return app == App.GRPC;
  }

  /** Whether the child is the reactive application. */
  boolean reactive() {
    return app == App.REACTIVE;
  }

  /** The child's main class. */
  String mainClass() {
    return switch (app) {
      case BOOT -> MatrixApp.class.getName();
      case PLAIN -> PlainApp.class.getName();
      case REACTIVE -> ReactiveMatrixApp.class.getName();
      case GRPC -> GrpcApp.class.getName();
    };
  }

  /**
   * Whether the class-path entry (a jar's file name, or a directory's path) must not be on this set-up's class
   * path. Only the gRPC application has grpc-java; it and the plain servlet set-ups have no Spring, Micrometer or
   * Brave either; the servlet ones no WebFlux, the reactive ones no servlet stack.
   */
  boolean excludes(String entry) {
    Predicate<String> excluded = Jars.SUREFIRE.or(excludes);
    Predicate<String> ofApp = switch (app) {
      case BOOT -> Jars.REACTIVE_WEB.or(Jars.GRPC);
      case PLAIN -> Jars.SPRING_WORLD.or(Jars.GRPC);
      case REACTIVE -> Jars.SERVLET_WEB.or(Jars.GRPC);
      case GRPC -> Jars.SPRING_WORLD;
    };
    return excluded.or(ofApp).test(entry);
  }

  /**
   * Whether the set-up is also run with Threadline's bridge to its tracer switched off. Not the reactive ones: the
   * servlet set-ups already show what the bridge is for, and each run costs a child JVM.
   */
  boolean hasBridge() {
    return this != ALONE && this != PLAIN_ALONE && app != App.REACTIVE && app != App.GRPC;
  }

  /** Application arguments that switch the bridge off, for a bridge that is not a jar of its own. */
  List<String> bridgeOffArguments() {
    return List.of();
  }

  List<String> jvmOptions() {
    return List.of();
  }

  Map<String, String> environment() {
    return Map.of();
  }

  List<String> arguments() {
    return List.of();
  }

  /** This test's class path, minus what the set-up excludes (and the otel bridge when {@code bridgeOff}). */
  List<String> classPath(boolean bridgeOff) {
    String all = System.getProperty("java.class.path");
    List<String> kept = new ArrayList<>();
    for (String entry : all.split(java.io.File.pathSeparator)) {
      String name = Jars.nameOf(entry);
      if (excludes(name) || bridgeOff && Jars.OTEL_BRIDGE.test(name)) {
        continue;
      }
      kept.add(entry);
    }
    return kept;
  }

  /** The agent's environment: nothing exported, so no collector is needed. */
  private static Map<String, String> agentEnvironment() {
    return Map.of("OTEL_TRACES_EXPORTER", "none", "OTEL_METRICS_EXPORTER", "none", "OTEL_LOGS_EXPORTER", "none",
        "OTEL_SERVICE_NAME", "matrix-agent");
  }

  static Path agentJar() {
    return Path.of(System.getProperty("matrix.agent", "target/agent/opentelemetry-javaagent.jar"));
  }

  /** The class-path patterns the set-ups are made of, by jar name (a directory: its path). */
  static final class Jars {
    /** Every OpenTelemetry jar: API, context, SDK, exporters, semantic conventions, protos. */
    static final Predicate<String> OTEL_ANY = name -> name.startsWith("opentelemetry-");
    /** What the agent set-up keeps of OpenTelemetry: the API and what it needs. */
    static final Predicate<String> OTEL_API = name -> name.startsWith("opentelemetry-api-")
        || name.startsWith("opentelemetry-context-") || name.startsWith("opentelemetry-common-");
    /** What the SDK set-up drops of OpenTelemetry: exporters, protos, semantic conventions, extra propagators. */
    static final Predicate<String> OTEL_EXPORT = name -> name.startsWith("opentelemetry-exporter-")
        || name.startsWith("opentelemetry-proto-") || name.startsWith("opentelemetry-semconv-")
        || name.startsWith("opentelemetry-extension-") || name.startsWith("opentelemetry-sdk-extension-");
    /** Micrometer Tracing and Spring Boot's modules for it (the Brave and OpenTelemetry ones included). */
    static final Predicate<String> MICROMETER_TRACING = name -> name.startsWith("micrometer-tracing")
        || name.startsWith("spring-boot-micrometer-tracing");
    /** Micrometer Tracing's OpenTelemetry side. */
    static final Predicate<String> MICROMETER_TRACING_OTEL = name -> name.startsWith("micrometer-tracing-bridge-otel")
        || name.startsWith("spring-boot-micrometer-tracing-opentelemetry");
    /** Brave and Micrometer Tracing's Brave side. */
    static final Predicate<String> BRAVE = name -> name.startsWith("brave-")
        || name.startsWith("micrometer-tracing-bridge-brave")
        || name.startsWith("spring-boot-micrometer-tracing-brave");
    /** Spring Boot's OpenTelemetry modules and the OTLP metrics registry they bring. */
    static final Predicate<String> BOOT_OTEL = name -> name.startsWith("spring-boot-opentelemetry")
        || name.startsWith("spring-boot-starter-opentelemetry")
        || name.startsWith("spring-boot-micrometer-tracing-opentelemetry")
        || name.startsWith("micrometer-registry-otlp");
    /** Threadline's OpenTelemetry bridge, as a jar or as a reactor module's classes. */
    static final Predicate<String> OTEL_BRIDGE = name -> name.startsWith("threadline-otel-bridge")
        || name.replace('\\', '/').contains("otel-bridge/target/");
    /**
     * Spring (Boot, Threadline's auto-configuration, as a jar or as a reactor module's classes), Micrometer and Brave:
     * what a plain servlet application does not have.
     */
    static final Predicate<String> SPRING_WORLD = name -> name.startsWith("spring-")
        || name.startsWith("threadline-spring-boot-")
        || name.replace('\\', '/').contains("spring-boot-autoconfigure/target/")
        || name.startsWith("micrometer-") || name.startsWith("context-propagation-") || name.startsWith("brave-");
    /** Spring WebFlux, Reactor Netty and Boot's modules for them: what the servlet applications leave out. */
    static final Predicate<String> REACTIVE_WEB = name -> name.startsWith("spring-webflux-")
        || name.startsWith("spring-boot-webflux-") || name.startsWith("spring-boot-starter-webflux-")
        || name.startsWith("spring-boot-reactor") || name.startsWith("spring-boot-starter-reactor-netty-")
        || name.startsWith("spring-boot-webclient-") || name.startsWith("spring-boot-netty-")
        || name.startsWith("reactor-netty-");
    /** Spring MVC, Tomcat and Boot's servlet modules: what the reactive application leaves out. */
    static final Predicate<String> SERVLET_WEB = name -> name.startsWith("spring-webmvc-")
        || name.startsWith("spring-boot-webmvc-") || name.startsWith("spring-boot-starter-webmvc-")
        || name.startsWith("spring-boot-tomcat-") || name.startsWith("spring-boot-starter-tomcat")
        || name.startsWith("tomcat-embed-") || name.startsWith("spring-boot-servlet-");
    /** grpc-java: for GrpcUnderTracerTest, in this test's own JVM, never in a child's. */
    static final Predicate<String> GRPC = name -> name.startsWith("grpc-");
    /** The test runner's own jars. */
    static final Predicate<String> SUREFIRE = name -> name.startsWith("surefire") || name.contains("surefire-");

    private Jars() {
    }

    /** A jar's file name; a directory's whole path, so {@code otel-bridge/target/classes} can be matched. */
    static String nameOf(String entry) {
      return entry.endsWith(".jar") ? Path.of(entry).getFileName().toString() : entry;
    }
  }
}
