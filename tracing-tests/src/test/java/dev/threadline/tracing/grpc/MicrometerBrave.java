package dev.threadline.tracing.grpc;

import brave.Tracing;
import brave.handler.MutableSpan;
import brave.handler.SpanHandler;
import brave.propagation.Propagation;
import brave.propagation.ThreadLocalCurrentTraceContext;
import brave.propagation.TraceContext;
import brave.propagation.TraceContextOrSamplingFlags;
import brave.sampler.Sampler;
import dev.threadline.spring.autoconfigure.internal.BraveScopeDecorator;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.brave.bridge.BraveBaggageManager;
import io.micrometer.tracing.brave.bridge.BraveCurrentTraceContext;
import io.micrometer.tracing.brave.bridge.BravePropagator;
import io.micrometer.tracing.brave.bridge.BraveTracer;
import io.micrometer.tracing.brave.bridge.W3CPropagation;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingReceiverTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingSenderTracingObservationHandler;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Micrometer Tracing on Brave, wired as Spring Boot and the Threadline starter wire it: W3C propagation (or, with
 * {@code propagating} false, one that reads and writes nothing, as Boot's when tracing export is disabled), Threadline's
 * scope decorator, every span sampled, each ended span kept by id. Made the current {@link Tracing} until closed.
 */
final class MicrometerBrave implements AutoCloseable {

  final Map<String, MutableSpan> ended = new ConcurrentHashMap<>();
  final ObservationRegistry registry = ObservationRegistry.create();
  private final Tracing tracing;

  MicrometerBrave(boolean propagating) {
    tracing = Tracing.newBuilder().localServiceName("grpc-test").sampler(Sampler.ALWAYS_SAMPLE)
        .traceId128Bit(true)
        .propagationFactory(propagating ? new W3CPropagation(new BraveBaggageManager(), List.of()) : new Nothing())
        .currentTraceContext(ThreadLocalCurrentTraceContext.newBuilder()
            .addScopeDecorator(new BraveScopeDecorator()).build())
        .addSpanHandler(new SpanHandler() {
          @Override
          public boolean end(TraceContext context, MutableSpan span, Cause cause) {
            ended.put(context.spanIdString(), span);
            return true;
          }
        })
        .build();
    BraveTracer tracer = new BraveTracer(tracing.tracer(), new BraveCurrentTraceContext(tracing.currentTraceContext()),
        new BraveBaggageManager());
    BravePropagator propagator = new BravePropagator(tracing);
    registry.observationConfig().observationHandler(new ObservationHandler.FirstMatchingCompositeObservationHandler(
        new PropagatingSenderTracingObservationHandler<>(tracer, propagator),
        new PropagatingReceiverTracingObservationHandler<>(tracer, propagator),
        new DefaultTracingObservationHandler(tracer)));
  }

  /** The ended span with this id. */
  MutableSpan span(Object spanId) {
    MutableSpan span = ended.get(String.valueOf(spanId));
    if (span == null) {
      throw new AssertionError("no span " + spanId + " among the tracer's " + ended.keySet());
    }
    return span;
  }

  @Override
  public void close() {
    tracing.close();
  }

  /** Propagation that reads and writes nothing. */
  private static final class Nothing extends Propagation.Factory implements Propagation<String> {
    @Override
    public Propagation<String> get() {
      return this;
    }

    @Override
    public List<String> keys() {
      return List.of();
    }

    @Override
    public <R> TraceContext.Injector<R> injector(Propagation.Setter<R, String> setter) {
      return (context, request) -> { };
    }

    @Override
    public <R> TraceContext.Extractor<R> extractor(Propagation.Getter<R, String> getter) {
      return request -> TraceContextOrSamplingFlags.EMPTY;
    }
  }
}
