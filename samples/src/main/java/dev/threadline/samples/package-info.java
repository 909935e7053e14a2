/**
 * The runnable demo: an order API and a fulfillment worker with correlated logs.
 *
 * <p>This module is a placeholder in the build until issue #8 fills it.
 */
package dev.threadline.samples;
