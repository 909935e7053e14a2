package dev.threadline.spring.autoconfigure;

import ch.qos.logback.core.status.ErrorStatus;
import dev.threadline.logback.RedactionRule;
import dev.threadline.logback.ThreadlineEncoder;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;

/**
 * {@code threadline.encoder.*}, applied to every encoder the starter makes: the console's (made by Spring Boot's
 * structured logging before the application context exists, so read from the environment, not from beans) and the
 * Loki appender's. One configuration, so a redaction rule set once reaches every line wherever it goes.
 */
final class EncoderSettings {

  private EncoderSettings() {
  }

  /** Applies the environment's {@code threadline.encoder.*} to {@code encoder}, before it is started. */
  static ThreadlineEncoder applyTo(ThreadlineEncoder encoder, Environment environment) {
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
    return encoder;
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
