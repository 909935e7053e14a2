package dev.threadline.spring.autoconfigure;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.threadline.logback.ThreadlineEncoder;
import dev.threadline.spring.autoconfigure.internal.EncoderSettings;
import dev.threadline.spring.autoconfigure.internal.MicrometerTracingKeys;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import org.slf4j.LoggerFactory;
import org.springframework.boot.logging.structured.StructuredLogFormatter;
import org.springframework.core.env.Environment;

/**
 * Spring Boot's structured console logging in Threadline's schema: one JSON line per event, written by
 * {@link ThreadlineEncoder}, with {@code service} from {@code spring.application.name} and {@code env} from the first
 * active profile, and {@code threadline.encoder.*} applied. Chosen by {@code logging.structured.format.console}, which
 * the starter sets to this class by default (unless the application sets a console format itself, or
 * {@code threadline.console.json=false}).
 *
 * @since 0.1.0
 */
public class ThreadlineStructuredLogFormatter implements StructuredLogFormatter<ILoggingEvent> {

  private final ThreadlineEncoder encoder = new ThreadlineEncoder();

  /**
   * A formatter whose encoder takes {@code service}, {@code env} and {@code threadline.encoder.*} from
   * {@code environment}; Spring Boot calls it when it sets up console logging.
   *
   * @param environment the application's environment
   */
  public ThreadlineStructuredLogFormatter(Environment environment) {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext) {
      encoder.setContext((LoggerContext) LoggerFactory.getILoggerFactory());
    }
    encoder.setService(environment.getProperty("spring.application.name"));
    String[] profiles = environment.getActiveProfiles();
    if (profiles.length > 0) {
      encoder.setEnv(profiles[0]);
    }
    EncoderSettings.applyTo(encoder, environment);
    MicrometerTracingKeys.leaveOutDuplicates(encoder);
    encoder.start();
  }

  @Override
  public String format(ILoggingEvent event) {
    return new String(encoder.encode(event), StandardCharsets.UTF_8);
  }

  @Override
  public byte[] formatAsBytes(ILoggingEvent event, Charset charset) {
    return StandardCharsets.UTF_8.equals(charset) ? encoder.encode(event) : format(event).getBytes(charset);
  }
}
