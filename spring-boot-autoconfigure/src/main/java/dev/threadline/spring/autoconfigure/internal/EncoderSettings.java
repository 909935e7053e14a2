package dev.threadline.spring.autoconfigure.internal;

import ch.qos.logback.core.status.ErrorStatus;
import dev.threadline.logback.RedactionRule;
import dev.threadline.logback.ThreadlineEncoder;
import dev.threadline.spring.autoconfigure.ThreadlineEncoderCustomizer;
import dev.threadline.spring.autoconfigure.ThreadlineProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;

/**
 * {@code threadline.encoder.*}, applied to every encoder the starter makes: the console's (made by Spring Boot's
 * structured logging before the application context exists, so read from the environment, not from beans) and the
 * Loki appender's. One configuration, so a redaction rule set once reaches every line wherever it goes.
 */
public final class EncoderSettings {

  private EncoderSettings() {
  }

  /** Applies the environment's {@code threadline.encoder.*} to {@code encoder}, before it is started. */
  public static ThreadlineEncoder applyTo(ThreadlineEncoder encoder, Environment environment) {
    ThreadlineProperties.Encoder settings = Binder.get(environment)
        .bind("threadline.encoder", ThreadlineProperties.Encoder.class)
        .orElseGet(ThreadlineProperties.Encoder::new);
    encoder.setRedact(settings.isRedact());
    encoder.setRedactDefaults(settings.isRedactDefaults());
    settings.getSensitiveNames().forEach(encoder::addSensitiveName);
    settings.getRedactPatterns().forEach(encoder::addRedactPattern);
    for (String className : settings.getRedactionRules()) {
      RedactionRule rule = rule(className.trim(), encoder);
      if (rule != null) {
        encoder.addRedactionRule(rule);
      }
    }
    if (settings.getIgnoreMarkers() != null) {
      encoder.setIgnoreMarkers(settings.getIgnoreMarkers());
    }
    settings.getExcludeMdcKeys().forEach(encoder::addExcludeMdcKey);
    if (settings.getMaxFieldLength() != null) {
      encoder.setMaxFieldLength(settings.getMaxFieldLength());
    }
    if (settings.getMaxLineBytes() != null) {
      encoder.setMaxLineBytes(settings.getMaxLineBytes());
    }
    for (ThreadlineEncoderCustomizer customizer : customizers(encoder)) {
      try {
        customizer.customize(encoder);
      } catch (RuntimeException e) {
        error(encoder, "the encoder customizer " + customizer.getClass().getName() + " failed (" + e
            + "); the encoder runs without what it would have changed");
      }
    }
    return encoder;
  }

  private static java.util.List<ThreadlineEncoderCustomizer> customizers(ThreadlineEncoder encoder) {
    try {
      return org.springframework.core.io.support.SpringFactoriesLoader.loadFactories(
          ThreadlineEncoderCustomizer.class, EncoderSettings.class.getClassLoader());
    } catch (RuntimeException | LinkageError e) {
      error(encoder, "an encoder customizer in META-INF/spring.factories cannot be made (" + e + ")");
      return java.util.List.of();
    }
  }

  private static void error(ThreadlineEncoder encoder, String message) {
    if (encoder.getContext() != null) {
      encoder.getContext().getStatusManager().add(new ErrorStatus(message, encoder));
    }
  }

  /** The rule named, or {@code null} after an error status (printed on standard error) saying why not. */
  private static RedactionRule rule(String className, ThreadlineEncoder encoder) {
    try {
      Class<?> type = ClassUtils.forName(className, EncoderSettings.class.getClassLoader());
      if (!RedactionRule.class.isAssignableFrom(type)) {
        throw new IllegalArgumentException("it does not implement " + RedactionRule.class.getName());
      }
      return (RedactionRule) type.getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
      if (encoder.getContext() != null) {
        encoder.getContext().getStatusManager().add(new ErrorStatus("threadline.encoder.redaction-rules: '"
            + className + "' is not used (" + e + "); the other redaction applies", encoder));
      }
      return null;
    }
  }
}
