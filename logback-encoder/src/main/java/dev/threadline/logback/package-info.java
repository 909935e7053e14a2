/**
 * The shared JSON log schema and the Logback encoder that writes it.
 *
 * <p>This module is a placeholder in the build until issue #3 fills it.
 */
package dev.threadline.logback;
