/**
 * The asynchronous batching Logback appender that ships log lines to Grafana Loki.
 *
 * <p>This module is a placeholder in the build until issue #4 fills it.
 */
package dev.threadline.loki;
