package dev.threadline.cli;

import dev.threadline.cli.LokiClient.Entry;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Loki's tail endpoint ({@code GET /loki/api/v1/tail}, a WebSocket; grafana/loki docs/sources/reference/
 * loki-http-api.md): new entries as Loki receives them. Loki ends a tail after {@code tail_max_duration} (1 h by
 * default) and when a querier restarts, so a closed tail is opened again from the last entry's time, skipping what
 * was already shown; while Loki cannot be reached the tool says so once and keeps trying. Entries Loki dropped
 * because the tail could not keep up ({@code dropped_entries}) are reported, never silently missing.
 */
final class LokiTail {

  private sealed interface Event permits Message, Closed {}

  private record Message(String text) implements Event {}

  private record Closed(int code, String reason, Throwable error) implements Event {}

  private final LokiClient client;
  private final PrintStream err;
  private long lastNanos = Long.MIN_VALUE;
  private final Set<Entry> atLast = new HashSet<>();
  private long dropped;

  LokiTail(LokiClient client, PrintStream err) {
    this.client = client;
    this.err = err;
  }

  /** Entries Loki reported as dropped. */
  long dropped() {
    return dropped;
  }

  /**
   * Follows {@code query} from {@code start} until the thread is interrupted. A first connection Loki refuses, or
   * a Loki that cannot be reached at all at the start, is a {@link Failure}; later trouble is retried.
   */
  void follow(String query, Instant start, int limit, Consumer<Entry> sink) throws Failure {
    long from = LokiClient.nanos(start);
    boolean connectedOnce = false;
    long backoff = 500;
    boolean saidDown = false;
    while (!Thread.currentThread().isInterrupted()) {
      LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
      WebSocket socket;
      try {
        socket = connect(query, lastNanos == Long.MIN_VALUE ? from : lastNanos, limit, events);
      } catch (Failure f) {
        if (!connectedOnce) {
          throw f;
        }
        if (!saidDown) {
          err.println("threadline: the tail was cut and cannot be opened again yet: " + f.getMessage()
              + "; retrying");
          saidDown = true;
        }
        if (!pause(backoff)) {
          return;
        }
        backoff = Math.min(30_000, backoff * 2);
        continue;
      }
      if (saidDown) {
        err.println("threadline: the tail is open again");
        saidDown = false;
      }
      connectedOnce = true;
      backoff = 500;
      try {
        while (true) {
          Event event = events.take();
          if (event instanceof Message m) {
            deliver(m.text(), sink);
          } else if (event instanceof Closed c) {
            String why = c.error() != null ? LokiClient.describe(c.error())
                : c.code() + (c.reason().isBlank() ? "" : " " + c.reason());
            if (c.code() == 1008 || c.code() == 1003 || (c.error() == null && c.reason().contains("parse error"))) {
              throw new Failure("Loki ended the tail: " + why);
            }
            err.println("threadline: Loki closed the tail (" + why + "); opening it again");
            break;
          }
        }
      } catch (InterruptedException e) {
        socket.abort();
        Thread.currentThread().interrupt();
        return;
      } catch (Failure | RuntimeException e) {
        socket.abort();
        throw e;
      }
      if (!pause(backoff)) {
        return;
      }
    }
  }

  private void deliver(String text, Consumer<Entry> sink) throws Failure {
    Map<String, Object> message;
    try {
      message = LokiClient.map(Json.parse(text));
    } catch (Json.Malformed e) {
      throw LokiClient.unexpected("a tail message that is not JSON (" + e.getMessage() + ")");
    }
    List<Entry> entries = LokiClient.entries(LokiClient.list(message.get("streams")));
    for (Entry entry : entries) {
      if (entry.nanos() < lastNanos || (entry.nanos() == lastNanos && atLast.contains(entry))) {
        continue; // shown before the tail was opened again
      }
      if (entry.nanos() > lastNanos) {
        lastNanos = entry.nanos();
        atLast.clear();
      }
      atLast.add(entry);
      sink.accept(entry);
    }
    List<Object> droppedEntries = LokiClient.list(message.get("dropped_entries"));
    if (!droppedEntries.isEmpty()) {
      dropped += droppedEntries.size();
      err.println("threadline: Loki dropped " + droppedEntries.size() + " entries from this tail (it could not"
          + " keep up; " + dropped + " so far): narrow it with --service, --level or --request");
    }
  }

  private WebSocket connect(String query, long startNanos, int limit, LinkedBlockingQueue<Event> events)
      throws Failure {
    String params = "query=" + URLEncoder.encode(query, StandardCharsets.UTF_8) + "&start=" + startNanos
        + "&limit=" + limit + "&delay_for=0";
    WebSocket.Builder builder = client.http().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
    client.headers().forEach(builder::header);
    WebSocket.Listener listener = new WebSocket.Listener() {
      private final StringBuilder text = new StringBuilder();

      @Override
      public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        text.append(data);
        if (last) {
          events.add(new Message(text.toString()));
          text.setLength(0);
        }
        webSocket.request(1);
        return null;
      }

      @Override
      public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        events.add(new Closed(statusCode, reason == null ? "" : reason, null));
        return null;
      }

      @Override
      public void onError(WebSocket webSocket, Throwable error) {
        events.add(new Closed(-1, "", error));
      }
    };
    try {
      return builder.buildAsync(client.endpoint("/loki/api/v1/tail", params, true), listener)
          .get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof WebSocketHandshakeException h) {
        Object body = h.getResponse().body();
        throw client.refusal(h.getResponse().statusCode(), body instanceof String s ? s : "",
            "/loki/api/v1/tail", query);
      }
      throw new Failure("cannot reach Loki at " + client.base() + ": " + LokiClient.describe(cause));
    } catch (TimeoutException e) {
      throw new Failure("Loki at " + client.base() + " did not open the tail within 30 s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Failure("interrupted");
    }
  }

  private static boolean pause(long millis) {
    try {
      Thread.sleep(millis);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
