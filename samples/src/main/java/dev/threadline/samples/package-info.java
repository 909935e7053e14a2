/**
 * The runnable demo of Threadline: an order API ({@link dev.threadline.samples.orderapi}, Spring Boot with the
 * starter) and a fulfillment worker ({@link dev.threadline.samples.worker}, plain Java with the servlet filter and a
 * logback.xml), driven by {@link dev.threadline.samples.demo.Demo}, which runs both as separate JVMs and reads their
 * JSON lines back.
 */
package dev.threadline.samples;
