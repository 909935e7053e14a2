/**
 * The demo driver: runs order-api and fulfillment-worker as separate JVMs, drives the scenario, reads their JSON
 * lines back and prints the raw lines, the request-tracing view and the error fingerprints.
 */
package dev.threadline.samples.demo;
