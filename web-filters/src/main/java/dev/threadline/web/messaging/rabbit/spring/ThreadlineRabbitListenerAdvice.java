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
   * throws.
   *
   * @return whether the factory's containers run each message in its span
   */
  public static boolean addTo(BaseRabbitListenerContainerFactory<?> factory) {
    try {
      factory.setAdviceChain(withOurs(factory.getAdviceChain()));
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /**
   * Puts a {@code ThreadlineRabbitListenerAdvice} first in a container's advice chain, keeping the advice it has. A
   * container tells its chain to subclasses only, so it is read reflectively; where that is refused the container is
   * left unchanged rather than lose its advice, and {@code false} is returned.
   * Call it before the container is initialized ({@code afterPropertiesSet}) or started. Never throws.
   *
   * @return whether the container runs each message in its span
   */
  public static boolean addTo(AbstractMessageListenerContainer container) {
    try {
      Method getter = AbstractMessageListenerContainer.class.getDeclaredMethod("getAdviceChain");
      getter.setAccessible(true);
      container.setAdviceChain(withOurs((Advice[]) getter.invoke(container)));
      return true;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return false;
    }
  }

  private static Advice[] withOurs(Advice[] chain) {
    Advice[] existing = chain == null ? new Advice[0] : chain;
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
