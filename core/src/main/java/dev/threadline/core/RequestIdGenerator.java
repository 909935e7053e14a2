package dev.threadline.core;

/**
 * Makes request ids for requests that arrive without a usable one.
 *
 * <p>An implementation must be thread-safe, must never throw and must return ids that {@link RequestIds#isValid}
 * accepts, so they survive the next hop. The default is {@link RequestIds#timeOrdered()}.
 */
@FunctionalInterface
public interface RequestIdGenerator {

  /** A new request id. */
  String next();
}
