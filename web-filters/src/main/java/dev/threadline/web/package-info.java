/**
 * Correlation across services: the servlet filter, HTTP client interceptors and message-queue propagation.
 *
 * <p>This module is a placeholder in the build until issue #5 fills it.
 */
package dev.threadline.web;
