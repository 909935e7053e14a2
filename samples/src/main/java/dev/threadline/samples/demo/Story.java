package dev.threadline.samples.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The checks that the story happened, read from the parsed lines only (never from what the services were told to
 * do): the failing request's lines come from both services with one trace, the worker's server spans are children
 * of order-api's client spans, the event crossed the queue in the same request, the timeouts share a fingerprint.
 * Each check lands in {@link #passed} or {@link #problems}.
 */
final class Story {

  final List<String> passed = new ArrayList<>();
  final List<String> problems = new ArrayList<>();

  Story(List<LogLine> lines, List<String> unparsable, List<Demo.Response> responses, String cascade, String bug) {
    check(unparsable.isEmpty(), lines.size() + " lines, every one a JSON object in the schema",
        unparsable.size() + " lines did not parse, first: " + (unparsable.isEmpty() ? "" : unparsable.get(0)));
    for (String service : List.of(Demo.ORDER_API, Demo.WORKER)) {
      check(lines.stream().anyMatch(l -> service.equals(l.source()) && service.equals(l.service())),
          service + " wrote lines with service=" + service, service + " wrote no line naming itself");
    }
    List<Demo.Response> good = responses.stream().filter(r -> !Set.of("lamp", "ghost").contains(r.sku())).toList();
    check(!good.isEmpty() && good.stream().allMatch(r -> r.status() == 201), good.size() + " good orders got 201",
        "a good order did not get 201: " + good);
    cascade(lines, responses, cascade);
    bug(lines, responses, bug);
  }

  private void cascade(List<LogLine> all, List<Demo.Response> responses, String requestId) {
    Demo.Response response = responses.stream().filter(r -> "lamp".equals(r.sku())).findFirst().orElse(null);
    if (!check(response != null && response.status() == 500 && requestId != null,
        "the slow-inventory order got a 500 with X-Request-Id " + requestId,
        "the slow-inventory order did not end in a 500 with an X-Request-Id: " + response)) {
      return;
    }
    List<LogLine> lines = all.stream().filter(l -> requestId.equals(l.requestId())).toList();
    Set<String> services = lines.stream().map(LogLine::service).collect(Collectors.toSet());
    check(services.containsAll(Set.of(Demo.ORDER_API, Demo.WORKER)),
        lines.size() + " lines carry that requestId, from both services",
        "the failing request's lines come from " + services + " only");
    Set<String> traces = lines.stream().map(LogLine::traceId).collect(Collectors.toSet());
    check(traces.size() == 1 && !traces.contains(null), "all of them share one trace_id " + traces,
        "the failing request's lines have trace ids " + traces);

    Set<String> clientSpans = lines.stream().filter(l -> Demo.ORDER_API.equals(l.service())
        && Demo.CLIENT.equals(l.logger())).map(LogLine::spanId).collect(Collectors.toSet());
    List<LogLine> workerSpans = lines.stream().filter(l -> Demo.WORKER.equals(l.service())
        && Demo.ACCESS.equals(l.logger()) && "/fulfilments".equals(l.text("path"))).toList();
    check(workerSpans.size() >= 2 && workerSpans.stream().allMatch(l -> clientSpans.contains(l.parentSpanId())),
        workerSpans.size() + " worker server spans (one per attempt), each a child of an order-api client span",
        "worker server spans " + workerSpans.stream().map(LogLine::parentSpanId).toList()
            + " are not all children of order-api's client spans " + clientSpans);

    List<LogLine> timeouts = lines.stream().filter(l -> Demo.WORKER.equals(l.service()) && l.fingerprint() != null)
        .toList();
    Set<String> fingerprints = timeouts.stream().map(LogLine::fingerprint).collect(Collectors.toSet());
    check(timeouts.size() >= 2 && fingerprints.size() == 1,
        timeouts.size() + " worker timeouts, one fingerprint " + fingerprints,
        "the worker's timeouts: " + timeouts.size() + " errors with fingerprints " + fingerprints);
    check(lines.stream().anyMatch(l -> Demo.ORDER_API.equals(l.service()) && "warn".equals(l.level())
        && l.logger().endsWith("FulfillmentClient")), "order-api logged its silent retry",
        "no retry line from order-api");
    LogLine apiServer = lines.stream().filter(l -> Demo.ORDER_API.equals(l.service())
        && Demo.ACCESS.equals(l.logger())).findFirst().orElse(null);
    check(apiServer != null && Objects.equals(apiServer.text("status"), "500"),
        "order-api's access line says 500", "order-api's access line for it: " + apiServer);
    LogLine event = lines.stream().filter(l -> Demo.WORKER.equals(l.service())
        && l.logger().endsWith("OrderEventListener")).findFirst().orElse(null);
    check(event != null && apiServer != null && Objects.equals(event.parentSpanId(), apiServer.spanId()),
        "the order event crossed the queue as a child of order-api's server span",
        "the worker's event line " + (event == null ? "is missing" : "has parent " + event.parentSpanId())
            + ", order-api's server span is " + (apiServer == null ? null : apiServer.spanId()));
  }

  private void bug(List<LogLine> all, List<Demo.Response> responses, String requestId) {
    Demo.Response response = responses.stream().filter(r -> "ghost".equals(r.sku())).findFirst().orElse(null);
    boolean logged = requestId != null && all.stream().anyMatch(l -> requestId.equals(l.requestId())
        && "java.lang.NullPointerException".equals(l.errorType()) && l.fingerprint() != null);
    check(response != null && response.status() == 500 && logged,
        "the bug's 500 is logged with its NullPointerException and fingerprint, under its requestId",
        "the bug path: response " + response + ", NullPointerException logged under its request id: " + logged);
  }

  private boolean check(boolean ok, String passedText, String problemText) {
    (ok ? passed : problems).add(ok ? passedText : problemText);
    return ok;
  }
}
