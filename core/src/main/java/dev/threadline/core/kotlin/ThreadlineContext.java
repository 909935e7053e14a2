package dev.threadline.core.kotlin;

import dev.threadline.core.Correlation;
import dev.threadline.core.CorrelationScope;
import java.util.Optional;
import kotlin.coroutines.AbstractCoroutineContextElement;
import kotlin.coroutines.CoroutineContext;
import kotlinx.coroutines.ThreadContextElement;

/**
 * Carries a {@link Correlation} with a Kotlin coroutine: every time the coroutine starts or resumes on a thread, the
 * correlation becomes that thread's current one and is published in the MDC; every time it suspends or ends, the
 * thread gets back exactly what it had before. So a {@code suspend} function logs with its request's ids after
 * {@code delay}, inside {@code withContext(Dispatchers.IO)}, in {@code launch} and {@code async} children (they
 * inherit the element), on any dispatcher, and no other coroutine that runs on the same threads ever sees them.
 *
 * <pre>{@code
 * withContext(ThreadlineContext()) { ... }          // the correlation current here, for the block
 * scope.launch(ThreadlineContext(correlation)) { ... }
 * }</pre>
 *
 * <p>The element holds the correlation it was made with: to move to another span inside a coroutine, switch
 * elements with {@code withContext(ThreadlineContext(correlation.newChild())) { ... }} rather than opening a
 * {@link CorrelationScope} across a suspension point (a scope belongs to one thread; the element puts the thread
 * back as it found it at every suspension anyway). An element made with no correlation clears the ids while the
 * coroutine runs, so work started outside any request never shows one that happens to be current on its thread.
 *
 * <p>Needs {@code org.jetbrains.kotlinx:kotlinx-coroutines-core}, an optional dependency of threadline-core that the
 * application brings (tested with 1.10.2, Spring Boot 4.1's, and 1.8.1 on Kotlin 1.9, Spring Boot 3.5's). Java code
 * never loads this class unless it uses it.
 *
 * <p>Cost per resume: a {@link CorrelationScope} open and close (one small object, an MDC write per key and one
 * back). Never throws into the coroutine: should the MDC fail, the coroutine runs without the ids.
 *
 * @since 0.1.0
 */
public final class ThreadlineContext extends AbstractCoroutineContextElement
    implements ThreadContextElement<CorrelationScope> {

  /**
   * The key of this element in a coroutine context: {@code coroutineContext[ThreadlineContext.KEY]} in Kotlin.
   */
  public static final CoroutineContext.Key<ThreadlineContext> KEY = new Key();

  private final Correlation correlation;

  /** An element carrying the correlation current on this thread now; with none current, one that clears the ids. */
  public ThreadlineContext() {
    this(Correlation.current().orElse(null));
  }

  /**
   * An element carrying {@code correlation}; {@code null} makes one that clears the ids while the coroutine runs.
   */
  public ThreadlineContext(Correlation correlation) {
    super(KEY);
    this.correlation = correlation;
  }

  /** The correlation this element makes current; empty for one that clears the ids. */
  public Optional<Correlation> correlation() {
    return Optional.ofNullable(correlation);
  }

  /**
   * Makes the correlation current on this thread as the coroutine starts or resumes here; called by the coroutine
   * machinery, not by application code.
   *
   * @return the scope to close when the coroutine leaves the thread, or {@code null} when there is nothing to undo
   */
  @Override
  public CorrelationScope updateThreadContext(CoroutineContext context) {
    try {
      if (correlation != null) {
        return correlation.open();
      }
      return Correlation.current().isPresent() ? CorrelationScope.openCleared() : null;
    } catch (RuntimeException | LinkageError brokenMdcAdapter) {
      // The coroutine machinery must never see an exception from here; the coroutine runs without the ids.
      return null;
    }
  }

  /**
   * Puts back what the thread had before {@link #updateThreadContext}, as the coroutine suspends or ends here;
   * called by the coroutine machinery, not by application code.
   */
  @Override
  public void restoreThreadContext(CoroutineContext context, CorrelationScope scope) {
    if (scope != null) {
      scope.close();
    }
  }

  @Override
  public String toString() {
    return correlation == null
        ? "ThreadlineContext(none)"
        : "ThreadlineContext(requestId=" + correlation.requestId() + ", traceId=" + correlation.traceId() + ")";
  }

  private static final class Key implements CoroutineContext.Key<ThreadlineContext> {}
}
