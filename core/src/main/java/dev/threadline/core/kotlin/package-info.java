/**
 * Kotlin coroutines: {@link dev.threadline.core.kotlin.ThreadlineContext}, the coroutine context element that keeps
 * a request's correlation on whichever thread a coroutine runs. Needs {@code kotlinx-coroutines-core}, an optional
 * dependency; nothing else in Threadline refers to this package, so applications without Kotlin never load it.
 */
package dev.threadline.core.kotlin;
