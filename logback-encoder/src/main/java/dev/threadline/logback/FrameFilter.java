package dev.threadline.logback;

import java.util.ArrayList;
import java.util.List;

/**
 * Which stack frames are noise: reflection, proxies and generated classes that say nothing about where an error
 * happened. Excluded frames are left out of the {@code error.stack} text (counted in a marker line) and out of the
 * error fingerprint, so both are stable across JDKs, proxies and framework versions.
 *
 * <p>A frame is excluded when its class name starts with one of the prefixes. Immutable and thread-safe.
 */
final class FrameFilter {

  /** The default exclusions: reflection and invocation plumbing of the JDK and common frameworks. */
  static final List<String> DEFAULT_PREFIXES = List.of(
      "java.lang.reflect.",
      "jdk.internal.reflect.",
      "sun.reflect.",
      "java.lang.invoke.",
      "jdk.proxy",
      "com.sun.proxy.",
      "net.sf.cglib.proxy.",
      "org.springframework.cglib.",
      "org.springframework.aop.framework.",
      "org.springframework.aop.interceptor.",
      "net.bytebuddy.");

  private static final FrameFilter DEFAULTS = new FrameFilter(DEFAULT_PREFIXES);
  private static final FrameFilter NONE = new FrameFilter(List.of());

  /** The prefixes grouped by their first character (ASCII only), so most frames are decided by one lookup. */
  private final String[][] byFirstChar = new String[128][];
  /** Prefixes starting with a non-ASCII character, or empty ones: checked the slow way. */
  private final String[] others;

  FrameFilter(List<String> prefixes) {
    List<String> rest = new ArrayList<>();
    for (String prefix : prefixes) {
      char first = prefix.isEmpty() ? 0x80 : prefix.charAt(0);
      if (first < 0x80) {
        String[] group = byFirstChar[first];
        group = group == null ? new String[1] : java.util.Arrays.copyOf(group, group.length + 1);
        group[group.length - 1] = prefix;
        byFirstChar[first] = group;
      } else {
        rest.add(prefix);
      }
    }
    this.others = rest.toArray(new String[0]);
  }

  /** The default exclusions. */
  static FrameFilter defaults() {
    return DEFAULTS;
  }

  /** Excludes nothing. */
  static FrameFilter none() {
    return NONE;
  }

  /** The default exclusions plus {@code extra} prefixes. */
  static FrameFilter withExtra(List<String> extra) {
    List<String> all = new ArrayList<>(DEFAULT_PREFIXES);
    all.addAll(extra);
    return new FrameFilter(all);
  }

  /** Whether frames of class {@code className} are left out. */
  boolean excludes(String className) {
    if (className == null || className.isEmpty()) {
      return others.length > 0 && className != null && matches(others, className);
    }
    char first = className.charAt(0);
    if (first < 0x80) {
      String[] group = byFirstChar[first];
      if (group != null && matches(group, className)) {
        return true;
      }
    }
    return others.length > 0 && matches(others, className);
  }

  private static boolean matches(String[] prefixes, String className) {
    for (String prefix : prefixes) {
      if (className.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }
}
