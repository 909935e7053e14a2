package dev.threadline.core;

import java.util.concurrent.Executor;

/** An executor whose tasks run with the correlation current at submit. */
final class CorrelatingExecutor implements Executor {

  private final Executor delegate;

  CorrelatingExecutor(Executor delegate) {
    this.delegate = delegate;
  }

  @Override
  public void execute(Runnable command) {
    delegate.execute(ContextExecutors.wrap(command));
  }

  @Override
  public String toString() {
    return "Correlating[" + delegate + "]";
  }
}
