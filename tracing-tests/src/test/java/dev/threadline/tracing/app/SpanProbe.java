package dev.threadline.tracing.app;

import java.util.function.Consumer;

/** What the application asks its tracer's API: the current span, and a manual span around some work. */
public interface SpanProbe {

  /** No tracer API: no span is ever reported, and the "manual span" is just the work. */
  SpanProbe NONE = new SpanProbe() {
    @Override
    public String currentSpanId() {
      return null;
    }

    @Override
    public void inManualSpan(Consumer<String> work) {
      work.accept(null);
    }
  };

  /** The id of the span the tracer API reports current, or {@code null} when it reports none (or an invalid one). */
  String currentSpanId();

  /** Runs {@code work} in a new span named "manual", made current, handing it that span's id. */
  void inManualSpan(Consumer<String> work);
}
