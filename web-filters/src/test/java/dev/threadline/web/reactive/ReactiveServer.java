package dev.threadline.web.reactive;

import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.adapter.WebHttpHandlerBuilder;
import org.springframework.web.server.handler.ResponseStatusExceptionHandler;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.LoopResources;

/**
 * A real Reactor Netty server on a free loopback port, NIO transport, with the filter in front of the routes as the
 * README shows it ({@code WebHttpHandlerBuilder...filter(new ThreadlineWebFilter())}).
 */
final class ReactiveServer implements AutoCloseable {

  private final LoopResources loops;
  private final DisposableServer server;

  ReactiveServer(ThreadlineWebFilter filter, RouterFunction<ServerResponse> routes, WebFilter... after) {
    HttpHandler handler = WebHttpHandlerBuilder.webHandler(RouterFunctions.toWebHandler(routes)).filter(filter)
        .filters(filters -> filters.addAll(java.util.List.of(after)))
        .exceptionHandler(new ResponseStatusExceptionHandler()).build();
    loops = LoopResources.create("test-server", 1, 4, true, false);
    server = HttpServer.create().host("127.0.0.1").port(0).runOn(loops, false)
        .handle(new ReactorHttpHandlerAdapter(handler)).bindNow();
  }

  String url(String path) {
    return "http://127.0.0.1:" + server.port() + path;
  }

  @Override
  public void close() {
    server.disposeNow();
    loops.disposeLater().block();
  }
}
