/**
 * Internal to Threadline: the beans, listeners and post-processors the auto-configuration registers (Loki shipping,
 * its meters and health, the task decorator, the Kafka, JMS and WebClient wiring, the coroutine context of WebFlux suspend handlers, the Brave adapters, the console
 * default) and the building blocks that Threadline's own auto-configuration modules (the Spring Boot 4 one and the
 * Spring Boot 3.5 adapters) share. Public only because Spring, the service loader or the other module must reach
 * them.
 *
 * <p>Not API: no compatibility promise. Anything here may change or disappear in any release, patch releases
 * included. Do not use, declare or extend these types in an application; configure Threadline through the
 * {@code threadline.*} properties and the supported types in {@code dev.threadline.spring.autoconfigure}.
 */
package dev.threadline.spring.autoconfigure.internal;
