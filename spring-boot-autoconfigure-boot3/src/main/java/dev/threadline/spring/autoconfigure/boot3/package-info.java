/**
 * Threadline on Spring Boot 3.5: the adapters for the types Spring Boot 4 moved (the HTTP client customizers, the
 * health API, the Kafka and JMS configurers, the environment post-processor interface). Everything else is
 * threadline-spring-boot-autoconfigure's, which loads on both lines. Each adapter sits behind a class condition on its
 * Boot-3 type, so on Spring Boot 4 this package contributes nothing.
 */
package dev.threadline.spring.autoconfigure.boot3;
