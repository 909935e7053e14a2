/**
 * Auto-configuration for correlated JSON logs and Loki shipping in Spring Boot.
 *
 * <p>This module is a placeholder in the build until issue #7 fills it.
 */
package dev.threadline.spring.autoconfigure;
