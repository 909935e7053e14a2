/**
 * Internal to Threadline: the Spring Boot 3.5 adapters the auto-configuration and {@code spring.factories} register
 * (the Loki health contributor on Boot 3's health API, the environment post-processor on Boot 3's interface). Public
 * only because Spring must reach them.
 *
 * <p>Not API: no compatibility promise. Anything here may change or disappear in any release, patch releases
 * included. Do not use, declare or extend these types in an application.
 */
package dev.threadline.spring.autoconfigure.boot3.internal;
