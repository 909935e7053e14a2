package dev.threadline.logback.internal;

import ch.qos.logback.core.Context;
import ch.qos.logback.core.CoreConstants;

/**
 * Where a service's identity comes from, in one place, so the encoder's {@code service}, {@code env},
 * {@code version} and {@code host} keys and the Loki appender's labels always agree: the configured value, else a
 * Logback context property, else an environment variable.
 *
 * <table>
 *   <caption>Sources, in order</caption>
 *   <tr><th>key</th><th>context property</th><th>environment</th></tr>
 *   <tr><td>service</td><td>{@code threadline.service}</td><td>{@code THREADLINE_SERVICE}, {@code OTEL_SERVICE_NAME}</td></tr>
 *   <tr><td>env</td><td>{@code threadline.env}</td><td>{@code THREADLINE_ENV}</td></tr>
 *   <tr><td>version</td><td>{@code threadline.version}</td><td>{@code THREADLINE_VERSION}</td></tr>
 *   <tr><td>host</td><td>{@code HOSTNAME} (Logback's)</td><td>{@code HOSTNAME}</td></tr>
 * </table>
 */
public final class Resource {

  private Resource() {}

  /** The service name, or {@code null} when none is found. */
  public static String service(Context context, String configured) {
    return resolve(context, configured, "threadline.service", "THREADLINE_SERVICE", "OTEL_SERVICE_NAME");
  }

  /** The deployment environment, or {@code null}. */
  public static String env(Context context, String configured) {
    return resolve(context, configured, "threadline.env", "THREADLINE_ENV", null);
  }

  /** The service version, or {@code null}. */
  public static String version(Context context, String configured) {
    return resolve(context, configured, "threadline.version", "THREADLINE_VERSION", null);
  }

  /** The host name, or {@code null}. */
  public static String host(Context context, String configured) {
    return resolve(context, configured, CoreConstants.HOSTNAME_KEY, "HOSTNAME", null);
  }

  private static String resolve(
      Context context, String configured, String property, String envVar, String fallbackEnvVar) {
    if (configured != null && !configured.isBlank()) {
      return configured.trim();
    }
    String fromContext = context == null ? null : context.getProperty(property);
    if (fromContext != null && !fromContext.isBlank()) {
      return fromContext.trim();
    }
    String fromEnv = System.getenv(envVar);
    if ((fromEnv == null || fromEnv.isBlank()) && fallbackEnvVar != null) {
      fromEnv = System.getenv(fallbackEnvVar);
    }
    return fromEnv == null || fromEnv.isBlank() ? null : fromEnv.trim();
  }
}
