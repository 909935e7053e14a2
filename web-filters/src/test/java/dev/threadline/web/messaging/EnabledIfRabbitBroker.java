package dev.threadline.web.messaging;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs a test class only where {@link EmbeddedRabbit} has a broker to start; elsewhere its tests are reported as
 * skipped, with {@link EmbeddedRabbit#unavailable()}'s reason. A condition rather than an assumption in
 * {@code @BeforeAll}: Surefire counts a class aborted there as zero tests, not as skipped ones.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(EnabledIfRabbitBroker.Condition.class)
public @interface EnabledIfRabbitBroker {

  /** The condition behind the annotation. */
  final class Condition implements ExecutionCondition {

    /** Used by JUnit. */
    public Condition() {
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
      return EmbeddedRabbit.unavailable().map(ConditionEvaluationResult::disabled)
          .orElseGet(() -> ConditionEvaluationResult.enabled("an AMQP 0-9-1 broker can run"));
    }
  }
}
