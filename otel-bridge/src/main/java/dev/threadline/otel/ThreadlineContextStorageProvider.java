package dev.threadline.otel;

import io.opentelemetry.context.ContextStorage;
import io.opentelemetry.context.ContextStorageProvider;

/**
 * Found by OpenTelemetry through {@link java.util.ServiceLoader}: when it is the only provider on the class path,
 * OpenTelemetry uses it by itself, and the MDC follows the context with no code. With another provider, name that one
 * in {@code io.opentelemetry.context.contextStorageProvider} and call {@link ThreadlineOtel#install()} instead.
 */
public final class ThreadlineContextStorageProvider implements ContextStorageProvider {

  @Override
  public ContextStorage get() {
    return new MdcContextStorage(ContextStorage.defaultStorage());
  }
}
