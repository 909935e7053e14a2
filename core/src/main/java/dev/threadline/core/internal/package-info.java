/**
 * Internal: public only so that other libraries can discover it (through {@link java.util.ServiceLoader}). Not
 * API; it may change in any release.
 */
package dev.threadline.core.internal;
