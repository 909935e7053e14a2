/**
 * Internal to Threadline: pieces of the Logback encoder that Threadline's other modules (the Loki appender, the
 * Spring Boot auto-configuration) share with it, such as where a service's identity comes from and the listener that
 * prints Logback's warnings on standard error. Public only because those modules live in other packages.
 *
 * <p>Not API: no compatibility promise. Anything here may change or disappear in any release, patch releases
 * included. Do not use it from application code or logback.xml; the supported types are in
 * {@code dev.threadline.logback}.
 */
package dev.threadline.logback.internal;
