/**
 * Spring WebFlux: {@link dev.threadline.web.reactive.ThreadlineWebFilter}, the inbound end of a hop for a reactive
 * server (Reactor Netty, or any server WebFlux runs on). Needs spring-web, Reactor and Micrometer's
 * context-propagation, all the application's own.
 */
package dev.threadline.web.reactive;
