package dev.threadline.core;

/**
 * Makes request ids for requests that arrive without a usable one.
 *
 * <p>An implementation must be thread-safe, must never throw and must return ids that {@link RequestIds#isValid}
 * accepts, so they survive the next hop; an id that breaks the rule, or a throw, gets an id of the default generator
 * instead. The default is {@link RequestIds#timeOrdered()}.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface RequestIdGenerator {

  /** A new request id. */
  String next();
}
