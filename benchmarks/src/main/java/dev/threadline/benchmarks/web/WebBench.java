package dev.threadline.benchmarks.web;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import java.lang.reflect.Proxy;
import org.slf4j.LoggerFactory;

/** What the web-filters benchmarks share: Logback with an appender that does nothing, and unusable stand-ins. */
final class WebBench {

  private WebBench() {
  }

  /** Root at INFO into a no-op appender: a logging call's whole cost except the appender's own I/O. */
  static void logbackWithoutIo() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.reset();
    UnsynchronizedAppenderBase<ILoggingEvent> noop = new UnsynchronizedAppenderBase<>() {
      @Override
      protected void append(ILoggingEvent event) {
      }
    };
    noop.setContext(context);
    noop.setName("noop");
    noop.start();
    ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.INFO);
    root.addAppender(noop);
  }

  /**
   * An implementation of {@code type} that throws on every call: what a wrapper that overrides every method the
   * measured code calls stands on, so that any call the benchmark did not anticipate fails loudly.
   */
  @SuppressWarnings("unchecked")
  static <T> T unusable(Class<T> type) {
    return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
      throw new UnsupportedOperationException(type.getSimpleName() + "." + method.getName()
          + " is not part of the benchmark");
    });
  }
}
