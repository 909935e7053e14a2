/**
 * Not API: building blocks that Threadline's own auto-configuration modules (the Spring Boot 4 one and the Spring
 * Boot 3.5 adapters) share. Public only because Java has no module-private visibility here; they may change or go
 * away in any release.
 */
package dev.threadline.spring.autoconfigure.internal;
