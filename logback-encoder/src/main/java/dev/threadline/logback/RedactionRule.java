package dev.threadline.logback;

/**
 * A rule of your own for what counts as a secret in a log message or a string value, applied after Threadline's
 * built-in detectors. Add one in logback.xml inside the encoder ({@code <redactionRule class="com.acme.TicketIds"/>};
 * it is given the encoder's properties like any Logback component) or, with the Spring Boot starter, by class name in
 * {@code threadline.encoder.redaction-rules} (a public class with a public no-argument constructor; a rule that needs
 * arguments goes through a {@code ThreadlineEncoderCustomizer}). To replace the built-in detectors instead of adding
 * to them, also set {@code <redactDefaults>false}.
 *
 * <p>An implementation is called on the logging thread for every message and string value, so it must be fast, safe
 * to call from many threads at once, and never block. It should return {@code value} itself (the same instance) when
 * it finds nothing. Should it throw, the whole value is written as {@code [REDACTED]}: a value that could not be
 * checked is not written.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface RedactionRule {

  /** The text written for a secret. */
  String REDACTED = "[REDACTED]";

  /** {@code value} with every secret this rule knows replaced by {@link #REDACTED}; {@code value} when none. */
  String redact(String value);
}
