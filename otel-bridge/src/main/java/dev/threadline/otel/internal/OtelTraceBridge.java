package dev.threadline.otel.internal;

import dev.threadline.core.Correlation;
import dev.threadline.core.spi.TraceBridge;
import dev.threadline.otel.ThreadlineOtel;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.opentelemetry.context.Scope;

/**
 * The {@link TraceBridge} Threadline's integrations consult. Everything goes through OpenTelemetry's API, so it
 * works the same with the SDK in the application, with Spring Boot's Micrometer Tracing on OpenTelemetry and under
 * the Java agent (which bridges the application's API to its own context):
 * <ul>
 *   <li>with a valid local span current, the servlet filter and the client and messaging helpers start no spans of
 *       their own and only add (and echo) the request id, which this puts into the baggage and onto the server span;
 *   <li>at log time the line carries the span OpenTelemetry has current ({@link #spanToShow});
 *   <li>a span of Threadline's own (a request nothing else traces) is made OpenTelemetry's current span too, as a
 *       span that records nothing, so spans the application starts are its children ({@link #enterSpan}).
 * </ul>
 */
public final class OtelTraceBridge implements TraceBridge {

  /** Marks the span {@link #enterSpan} made current: Threadline's own, so no tracer's span. */
  private static final ContextKey<Span> OWN_SPAN = ContextKey.named("threadline-own-span");

  /** Whether {@code context}'s span is a valid span of the tracer's (not a remote parent, not Threadline's own). */
  private static boolean tracersSpan(Context context, Span span) {
    SpanContext ids = span.getSpanContext();
    return ids.isValid() && !ids.isRemote() && context.get(OWN_SPAN) != span;
  }

  @Override
  public Correlation activeSpan() {
    try {
      Context context = Context.current();
      Span span = Span.fromContext(context);
      if (!tracersSpan(context, span)) {
        return null;
      }
      return OtelCorrelation.of(context, span.getSpanContext(), Correlation.current().orElse(null));
    } catch (RuntimeException e) {
      // A LinkageError (no OpenTelemetry API) is left to TraceBridges, which then never uses this bridge.
      return null;
    }
  }

  @Override
  public Correlation spanToShow(Correlation shown) {
    try {
      Context context = Context.current();
      Span current = Span.fromContext(context);
      SpanContext span = current.getSpanContext();
      if (shown != null && span.isValid() && OtelCorrelation.sameSpan(span, shown)) {
        return shown;
      }
      if (!tracersSpan(context, current)) {
        return null;
      }
      return OtelCorrelation.of(context, span, shown);
    } catch (RuntimeException | LinkageError e) {
      return shown;
    }
  }

  @Override
  public AutoCloseable enterRequest(String requestId) {
    try {
      Span.current().setAttribute(ThreadlineOtel.REQUEST_ID, requestId);
      Baggage baggage = Baggage.current().toBuilder().put(ThreadlineOtel.BAGGAGE_KEY, requestId).build();
      Scope scope = Context.current().with(baggage).makeCurrent();
      return scope::close;
    } catch (RuntimeException e) {
      return NOTHING;
    }
  }

  @Override
  public AutoCloseable enterSpan(Correlation span) {
    try {
      Context context = Context.current();
      SpanContext current = Span.fromContext(context).getSpanContext();
      if (current.isValid() && OtelCorrelation.sameSpan(current, span)) {
        return NOTHING;
      }
      Span own = Span.wrap(OtelCorrelation.spanContextOf(span, false));
      Context next = context.with(own).with(OWN_SPAN, own);
      Baggage baggage = Baggage.fromContext(context);
      if (!span.requestId().equals(baggage.getEntryValue(ThreadlineOtel.BAGGAGE_KEY))) {
        next = next.with(baggage.toBuilder().put(ThreadlineOtel.BAGGAGE_KEY, span.requestId()).build());
      }
      Scope scope = next.makeCurrent();
      return scope::close;
    } catch (RuntimeException | LinkageError e) {
      return NOTHING;
    }
  }

  @Override
  public AutoCloseable enterRemoteParent(Correlation callerSpan) {
    try {
      Context context = Context.current();
      if (Span.fromContext(context).getSpanContext().isValid()) {
        return NOTHING;
      }
      Scope scope = context.with(Span.wrap(OtelCorrelation.spanContextOf(callerSpan, true))).makeCurrent();
      return scope::close;
    } catch (RuntimeException | LinkageError e) {
      return NOTHING;
    }
  }
}
