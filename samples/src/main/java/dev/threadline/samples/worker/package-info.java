/**
 * fulfillment-worker: Threadline without Spring. An embedded Tomcat with {@code ThreadlineFilter}, a flaky inventory
 * downstream on a second port, an embedded Artemis broker with a TCP acceptor and a JMS consumer, all logging JSON
 * through the {@code logback.xml} beside this package.
 */
package dev.threadline.samples.worker;
