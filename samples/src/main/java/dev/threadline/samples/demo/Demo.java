package dev.threadline.samples.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The demo: starts order-api (Spring Boot) and fulfillment-worker (plain Java) as two separate JVMs, sends a few
 * orders (good ones, one whose stock lookup times out twice behind a silent retry and ends in a 500, one that hits a
 * bug), stops both, reads every line they wrote back as JSON and prints the three views: the raw lines, the
 * failing request's lines from both services in time order, and the error fingerprints. {@link #run()} returns what
 * it saw; {@link #main} exits non-zero when the story did not happen as told.
 *
 * <p>With {@code LOKI_URL} set, both services also ship their lines to that Loki, and the views end with the LogQL
 * that finds the same things in Grafana.
 */
public final class Demo {

  /** order-api's service name, as its lines carry it. */
  public static final String ORDER_API = "order-api";
  /** fulfillment-worker's service name, as its lines carry it. */
  public static final String WORKER = "fulfillment-worker";

  /** The loggers the checks and views look for (the access and call lines are Threadline's own). */
  static final String ACCESS = "dev.threadline.access";
  static final String CLIENT = "dev.threadline.client";

  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);
  private static final JsonMapper JSON = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  private final Path dir;
  private final String classpath;
  private final String lokiUrl;
  private final PrintStream out;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /**
   * @param dir where the services' output is captured ({@code <service>.log}, {@code <service>.stderr})
   * @param classpath the class path of both services (this module's runtime class path)
   * @param lokiUrl the Loki to ship to as well, or null
   * @param out where the views are printed
   */
  public Demo(Path dir, String classpath, String lokiUrl, PrintStream out) {
    this.dir = dir;
    this.classpath = classpath;
    this.lokiUrl = lokiUrl == null || lokiUrl.isBlank() ? null : lokiUrl.trim();
    this.out = out;
  }

  /**
   * Runs the demo; argument 0 is the output directory (default {@code target/demo}). Exit status 0 only when the
   * story happened and every line parsed; 1 when a check failed; 2 when the demo could not run at all.
   */
  public static void main(String[] args) {
    Path dir = Path.of(args.length > 0 ? args[0] : "target/demo");
    int status;
    try {
      Result result = new Demo(dir, System.getProperty("java.class.path"), System.getenv("LOKI_URL"), System.out)
          .run();
      status = result.storyHappened() ? 0 : 1;
    } catch (Exception e) {
      System.err.println("The demo could not run: " + e);
      e.printStackTrace();
      status = 2;
    }
    System.out.flush();
    System.exit(status);
  }

  /** What the demo sent and got back. */
  public record Response(String name, String sku, int quantity, int status, String requestId) {
  }

  /**
   * What the demo saw: every line both services wrote, parsed; the lines that did not parse; the responses; the
   * request ids of the timeout cascade and of the bug; and the checks of the story that failed (none when it
   * happened as told).
   */
  public record Result(List<LogLine> lines, List<String> unparsable, List<Response> responses,
      String cascadeRequestId, String bugRequestId, List<String> passed, List<String> problems) {

    /** Whether every check passed. */
    public boolean storyHappened() {
      return problems.isEmpty();
    }

    /** The lines of one service. */
    public List<LogLine> of(String service) {
      return lines.stream().filter(l -> service.equals(l.source())).toList();
    }
  }

  /** Starts both services, drives the scenario, stops them and reads, checks and prints what they logged. */
  public Result run() throws IOException, InterruptedException {
    long started = System.nanoTime();
    Files.createDirectories(dir);
    int[] ports = freePorts(4);
    int apiPort = ports[0];
    int workerPort = ports[1];
    int inventoryPort = ports[2];
    int brokerPort = ports[3];
    List<String> common = List.of("-Dworker.port=" + workerPort, "-Dinventory.port=" + inventoryPort,
        "-Dbroker.port=" + brokerPort);
    // Set when shipping, removed otherwise: a LOKI_URL inherited from this process must not decide it.
    Map<String, String> env = new HashMap<>();
    env.put("LOKI_URL", lokiUrl);

    out.println("Threadline demo: starting " + ORDER_API + " and " + WORKER + " (two JVMs; output in " + dir + ")");
    List<String> workerArgs = new ArrayList<>(common);
    workerArgs.add("-Dlogback.configurationFile=dev/threadline/samples/worker/logback.xml");
    List<String> apiArgs = new ArrayList<>(common);
    apiArgs.add("-Dorder-api.port=" + apiPort);
    if (lokiUrl != null) {
      apiArgs.add("-Dthreadline.loki.url=" + lokiUrl);
      apiArgs.add("-Dthreadline.loki.batch-max-wait=500ms");
    }
    // Both at once: order-api talks to the broker only when the first order comes, by when the worker is up.
    ChildJvm worker = ChildJvm.start(WORKER, "dev.threadline.samples.worker.FulfillmentWorker", classpath,
        workerArgs, env, dir);
    ChildJvm api = ChildJvm.start(ORDER_API, "dev.threadline.samples.orderapi.OrderApiApplication", classpath,
        apiArgs, env, dir);
    List<Response> responses = new ArrayList<>();
    List<String> stopProblems = new ArrayList<>();
    try {
      awaitReady(worker, "http://127.0.0.1:" + workerPort + "/health");
      awaitReady(api, "http://127.0.0.1:" + apiPort + "/health");
      out.printf("both services ready after %.1f s; sending orders%n", seconds(started));

      String orders = "http://127.0.0.1:" + apiPort + "/orders";
      responses.add(order(orders, "good order 1", "book", 1));
      responses.add(order(orders, "good order 2", "mug", 2));
      responses.add(order(orders, "slow inventory (timeout, retry, timeout)", "lamp", 1));
      responses.add(order(orders, "a SKU the pricing code mishandles", "ghost", 1));
      responses.add(order(orders, "good order 3", "book", 3));
      for (Response r : responses) {
        out.printf("  POST /orders %-6s x%d -> %d  X-Request-Id %s  (%s)%n", r.sku(), r.quantity(), r.status(),
            r.requestId(), r.name());
      }
      // The inventory answers the calls the worker gave up on a second later, and events arrive on the broker's
      // thread: wait until the logs show them before stopping, so no line is cut off.
      await(SETTLE_TIMEOUT, () -> settled(responses));
    } finally {
      for (ChildJvm service : List.of(api, worker)) {
        if (!service.stop(STOP_TIMEOUT)) {
          stopProblems.add(service.name() + " did not stop within " + STOP_TIMEOUT.toSeconds() + " s and was killed");
        }
      }
    }

    List<LogLine> lines = new ArrayList<>();
    List<String> unparsable = new ArrayList<>();
    read(api, lines, unparsable);
    read(worker, lines, unparsable);
    String cascade = requestIdOf(responses, "lamp");
    String bug = requestIdOf(responses, "ghost");
    Story story = new Story(lines, unparsable, responses, cascade, bug);
    story.problems.addAll(stopProblems);
    Result result = new Result(List.copyOf(lines), List.copyOf(unparsable), List.copyOf(responses), cascade, bug,
        List.copyOf(story.passed), List.copyOf(story.problems));

    Views views = new Views(out);
    views.raw(List.of(api, worker), lines, unparsable);
    views.trace(lines, cascade, "the failing request (timeout, silent retry, timeout, 500)");
    views.fingerprints(lines);
    if (lokiUrl != null) {
      views.logQl(lokiUrl, cascade);
    }
    views.cli(dir, lokiUrl, cascade);
    views.verdict(result, seconds(started));
    return result;
  }

  /** Whether what the scenario caused has been logged: every inventory call answered, every event consumed. */
  private boolean settled(List<Response> responses) {
    List<LogLine> lines = new ArrayList<>();
    try {
      readFile(WORKER, dir.resolve(WORKER + ".log"), lines, new ArrayList<>());
    } catch (IOException e) {
      return false;
    }
    long calls = lines.stream().filter(l -> CLIENT.equals(l.logger()) && path(l).startsWith("/stock/")).count();
    long answered = lines.stream().filter(l -> ACCESS.equals(l.logger()) && path(l).startsWith("/stock/")).count();
    long events = lines.stream().filter(l -> l.logger().endsWith("OrderEventListener")).count();
    // Every order but the bug's gets as far as publishing its event.
    long published = responses.stream().filter(r -> r.status() == 201 || "lamp".equals(r.sku())).count();
    return calls > 0 && answered >= calls && events >= published;
  }

  private static String path(LogLine line) {
    String path = line.text("path");
    return path == null ? "" : path;
  }

  private Response order(String url, String name, String sku, int quantity) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"sku\":\"" + sku + "\",\"quantity\":" + quantity + "}"))
        .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    return new Response(name, sku, quantity, response.statusCode(),
        response.headers().firstValue("X-Request-Id").orElse(null));
  }

  private static String requestIdOf(List<Response> responses, String sku) {
    return responses.stream().filter(r -> sku.equals(r.sku())).map(Response::requestId).findFirst().orElse(null);
  }

  private void awaitReady(ChildJvm service, String healthUrl) throws IOException, InterruptedException {
    HttpRequest probe = HttpRequest.newBuilder(URI.create(healthUrl)).timeout(Duration.ofSeconds(2)).build();
    boolean ready = await(START_TIMEOUT, () -> {
      if (!service.isAlive()) {
        return true;
      }
      try {
        return http.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
      } catch (IOException e) {
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return true;
      }
    });
    if (!ready || !service.isAlive()) {
      throw new IOException(service.name() + (service.isAlive() ? " was not ready within " + START_TIMEOUT
          : " exited before it was ready") + "; its stderr ends:\n" + tail(service.stderr(), 30)
          + "\nand its stdout:\n" + tail(service.stdout(), 10));
    }
  }

  private static boolean await(Duration timeout, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.sleep(50);
    }
    return condition.getAsBoolean();
  }

  private static void read(ChildJvm service, List<LogLine> lines, List<String> unparsable) throws IOException {
    readFile(service.name(), service.stdout(), lines, unparsable);
  }

  /**
   * Parses every line as a log store would: one JSON object with duplicate keys refused, carrying the schema's
   * required keys. Anything else is kept in {@code unparsable}, which fails the demo.
   */
  static void readFile(String source, Path file, List<LogLine> lines, List<String> unparsable) throws IOException {
    if (!Files.exists(file)) {
      return;
    }
    for (String raw : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (raw.isEmpty()) {
        continue;
      }
      try {
        Map<String, Object> json = JSON.readValue(raw, new TypeReference<Map<String, Object>>() { });
        if (json == null || !json.containsKey("timestamp") || !json.containsKey("level")
            || !json.containsKey("logger") || !json.containsKey("message")) {
          unparsable.add(source + ": not a Threadline line: " + raw);
        } else {
          lines.add(new LogLine(source, raw, json));
        }
      } catch (RuntimeException e) {
        unparsable.add(source + ": not JSON (" + e.getClass().getSimpleName() + "): " + raw);
      }
    }
  }

  private static String tail(Path file, int count) {
    try {
      if (!Files.exists(file)) {
        return "(nothing)";
      }
      List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - count), all.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  private static int[] freePorts(int count) throws IOException {
    // Bound together so the ports differ; released just before the services bind them.
    ServerSocket[] sockets = new ServerSocket[count];
    int[] ports = new int[count];
    try {
      for (int i = 0; i < count; i++) {
        sockets[i] = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
        ports[i] = sockets[i].getLocalPort();
      }
    } finally {
      for (ServerSocket socket : sockets) {
        if (socket != null) {
          socket.close();
        }
      }
    }
    return ports;
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}
