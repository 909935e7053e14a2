package dev.threadline.logback;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.LayoutBase;

/**
 * A Logback {@code Layout} with exactly {@link ThreadlineEncoder}'s output, trailing newline included as Logback
 * layouts do, for appenders that take a layout rather than an encoder. Configure the JSON through a nested
 * encoder, or leave it out for the defaults:
 *
 * <pre>{@code
 * <layout class="dev.threadline.logback.ThreadlineLayout">
 *   <encoder class="dev.threadline.logback.ThreadlineEncoder"><service>api</service></encoder>
 * </layout>
 * }</pre>
 *
 * <p>It costs one extra copy per event (bytes to {@code String}); prefer the encoder where an appender takes one.
 *
 * @since 0.1.0
 */
public class ThreadlineLayout extends LayoutBase<ILoggingEvent> {

  private ThreadlineEncoder encoder;

  /** The encoder whose settings and output this layout uses. */
  public void setEncoder(ThreadlineEncoder encoder) {
    this.encoder = encoder;
  }

  @Override
  public void start() {
    if (encoder == null) {
      encoder = new ThreadlineEncoder();
    }
    if (encoder.getContext() == null) {
      encoder.setContext(getContext());
    }
    if (!encoder.isStarted()) {
      encoder.start();
    }
    if (!encoder.isStarted()) {
      addError("ThreadlineLayout not started: its encoder did not start");
      return;
    }
    super.start();
  }

  @Override
  public void stop() {
    super.stop();
    if (encoder != null) {
      encoder.stop();
    }
  }

  @Override
  public String doLayout(ILoggingEvent event) {
    return encoder == null ? new ThreadlineEncoder().encodeToString(event) : encoder.encodeToString(event);
  }

  @Override
  public String getContentType() {
    return "application/json";
  }
}
