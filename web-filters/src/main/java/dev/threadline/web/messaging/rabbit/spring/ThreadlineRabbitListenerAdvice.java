package dev.threadline.web.messaging.rabbit.spring;

import dev.threadline.core.CorrelationScope;
import dev.threadline.web.messaging.rabbit.RabbitCorrelation;
import java.lang.reflect.Method;
import org.aopalliance.aop.Advice;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.config.BaseRabbitListenerContainerFactory;
import org.springframework.amqp.rabbit.listener.AbstractMessageListenerContainer;

/**
 * Spring AMQP's consumer side: runs each message a listener container delivers in its own span, a child of the
 * producer's, with the producer's request id and trace; the scope is closed when the listener returns or throws, and
 * the container thread's MDC is as it was before.
 *
 * <pre>{@code
 * container.setAdviceChain(new ThreadlineRabbitListenerAdvice(), retryAdvice);      // a container, or
 * ThreadlineRabbitListenerAdvice.addTo(rabbitListenerContainerFactory);           // every @RabbitListener's
 * }</pre>
 *
 * The advice wraps the container's call of the listener ({@code invokeListener(Channel, Object)}): first in the chain
 * it is outside the application's retry advice, so every attempt logs in the same span. A batch (a {@code List} of
 * messages) has no single producer: it runs in whatever scope the thread has. Opening the scope never throws into the
 * container; the listener's own exceptions pass through unchanged. The Spring Boot starter adds it to every
 * listener container factory bean.
 *
 * @since 0.1.0
 */
public final class ThreadlineRabbitListenerAdvice implements MethodInterceptor {

  /** Creates the advice; it holds no state, one serves every container. */
  public ThreadlineRabbitListenerAdvice() {
  }

  /**
   * Puts a {@code ThreadlineRabbitListenerAdvice} first in the factory's advice chain, keeping the advice the factory
   * has (such as Spring Boot's retry interceptor) behind it; a factory that has one already is left as it is. Call it
   * after the factory is configured: the containers it creates from then on run each message in its span. Never
   * throws: where the chain cannot be read, the factory is left unchanged rather than lose its advice, and
   * {@code false} is returned.
   *
   * @return whether the factory's containers run each message in its span
   */
  public static boolean addTo(BaseRabbitListenerContainerFactory<?> factory) {
    Advice[] chain = adviceChainOf(factory);
    if (chain == null) {
      return false;
    }
    try {
      factory.setAdviceChain(withOurs(chain));
      return true;
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  /**
   * Puts a {@code ThreadlineRabbitListenerAdvice} first in a container's advice chain, keeping the advice it has.
   * Call it before the container is initialized ({@code afterPropertiesSet}) or started. Never throws: where the
   * chain cannot be read, the container is left unchanged rather than lose its advice, and {@code false} is returned.
   *
   * @return whether the container runs each message in its span
   */
  public static boolean addTo(AbstractMessageListenerContainer container) {
    Advice[] chain = adviceChainOf(container);
    if (chain == null) {
      return false;
    }
    try {
      container.setAdviceChain(withOurs(chain));
      return true;
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  /**
   * The advice chain of a factory or container (empty when it has none), or {@code null} when it cannot be read.
   * Containers tell it to subclasses only ({@code protected getAdviceChain()}), factories publicly or not depending on
   * the Spring AMQP version, so the getter is found and called reflectively on both.
   */
  private static Advice[] adviceChainOf(Object target) {
    for (Class<?> type = target.getClass(); type != null; type = type.getSuperclass()) {
      try {
        Method getter = type.getDeclaredMethod("getAdviceChain");
        if (!Advice[].class.equals(getter.getReturnType())) {
          return null;
        }
        getter.setAccessible(true);
        Advice[] chain = (Advice[]) getter.invoke(target);
        return chain == null ? new Advice[0] : chain;
      } catch (NoSuchMethodException e) {
        // Declared further up.
      } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
        return null;
      }
    }
    return null;
  }

  private static Advice[] withOurs(Advice[] existing) {
    for (Advice advice : existing) {
      if (advice instanceof ThreadlineRabbitListenerAdvice) {
        return existing;
      }
    }
    Advice[] all = new Advice[existing.length + 1];
    all[0] = new ThreadlineRabbitListenerAdvice();
    System.arraycopy(existing, 0, all, 1, existing.length);
    return all;
  }

  /** Runs the listener call in the span of the message it is given; other calls run as they are. */
  @Override
  public Object invoke(MethodInvocation invocation) throws Throwable {
    CorrelationScope scope = open(invocation.getArguments());
    if (scope == null) {
      return invocation.proceed();
    }
    try {
      return invocation.proceed();
    } finally {
      scope.close();
    }
  }

  private static CorrelationScope open(Object[] arguments) {
    try {
      if (arguments != null) {
        for (Object argument : arguments) {
          if (argument instanceof Message) {
            return RabbitCorrelation.open(((Message) argument).getMessageProperties().getHeaders());
          }
        }
      }
      return null;
    } catch (RuntimeException e) {
      // The message is handled without ids rather than not at all.
      return null;
    }
  }
}
