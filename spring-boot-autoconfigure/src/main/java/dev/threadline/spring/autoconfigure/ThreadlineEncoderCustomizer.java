package dev.threadline.spring.autoconfigure;

import dev.threadline.logback.ThreadlineEncoder;

/**
 * Customizes every encoder the starter makes, the console's and the Loki appender's alike, after
 * {@code threadline.encoder.*} is applied and before the encoder starts: a {@link dev.threadline.logback.RedactionRule}
 * that needs constructor arguments, a static field, anything {@link ThreadlineEncoder} has a setter for.
 *
 * <p>Declared in {@code META-INF/spring.factories} under this interface's name, not as a bean: Spring Boot makes
 * the console's encoder while it configures logging, before the application context (and any bean) exists, and a
 * customizer must reach the very first line. Implementations need a public no-argument constructor.
 *
 * <pre>
 * dev.threadline.spring.autoconfigure.ThreadlineEncoderCustomizer=com.acme.logging.AcmeEncoderCustomizer
 * </pre>
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface ThreadlineEncoderCustomizer {

  /** Changes {@code encoder}'s settings; it is not started yet. */
  void customize(ThreadlineEncoder encoder);
}
