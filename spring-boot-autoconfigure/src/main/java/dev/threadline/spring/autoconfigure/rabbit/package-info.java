/**
 * Threadline beside Spring AMQP (RabbitMQ): the auto-configuration that makes every {@code RabbitTemplate} write the
 * correlation into the messages it publishes and every listener container run each message in its span. It applies
 * only when spring-rabbit ({@code org.springframework.amqp:spring-rabbit}) and Threadline's web-filters are present.
 */
package dev.threadline.spring.autoconfigure.rabbit;
