/**
 * order-api: a Spring Boot service with {@code threadline-spring-boot-starter} and no Threadline code of its own.
 * The starter's defaults give it the JSON console, the servlet filter, propagation on the Boot
 * {@code RestClient.Builder} and on {@code JmsTemplate}.
 */
package dev.threadline.samples.orderapi;
