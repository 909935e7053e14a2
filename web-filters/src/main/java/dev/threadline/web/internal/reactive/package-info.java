/**
 * Internal to Threadline: Spring WebFlux pieces that Threadline's own modules install (the handler decorator that
 * hands the caller's span to a tracer before the tracer's server observation starts, registered by the Spring Boot
 * starter). Needs spring-web and Reactor, like {@code dev.threadline.web.reactive}. Public only because the starter
 * lives in another module.
 *
 * <p>Not API: no compatibility promise. Anything here may change or disappear in any release, patch releases
 * included. Do not register or use it from application code.
 */
package dev.threadline.web.internal.reactive;
