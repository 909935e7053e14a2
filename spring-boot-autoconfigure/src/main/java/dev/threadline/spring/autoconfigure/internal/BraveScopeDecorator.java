package dev.threadline.spring.autoconfigure.internal;

import brave.propagation.CurrentTraceContext;
import brave.propagation.TraceContext;
import dev.threadline.core.Correlation;
import dev.threadline.core.CorrelationScope;

/**
 * Brave's scopes, followed by the correlation context: a scope that makes a span current opens a
 * {@link CorrelationScope} with the span's ids (so the lines logged in it, and the work handed to other threads,
 * carry them under Threadline's keys), and closing Brave's scope closes ours first. A scope that clears the span, or
 * makes the span current again that is already open, leaves the correlation as it is. Never throws into Brave.
 */
public final class BraveScopeDecorator implements CurrentTraceContext.ScopeDecorator {

  @Override
  public CurrentTraceContext.Scope decorateScope(TraceContext context, CurrentTraceContext.Scope scope) {
    Correlation correlation;
    try {
      // No span, or the caller's context made current for a moment before Brave's server span starts.
      if (context == null || BraveTraceBridge.isRemoteParent(context)) {
        return scope;
      }
      Correlation open = Correlation.current().orElse(null);
      // The span already open (a scope re-entered, a nested scope of the same span): nothing to build or write.
      if (BraveCorrelation.isOpen(context, open)) {
        return scope;
      }
      correlation = BraveCorrelation.of(context, open);
      if (correlation == null) {
        return scope;
      }
    } catch (RuntimeException e) {
      return scope;
    }
    CorrelationScope ours = correlation.open();
    return () -> {
      ours.close();
      scope.close();
    };
  }
}
