package dev.threadline.logback;

import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import java.util.HexFormat;

/**
 * A short, stable hash of where an error was thrown, so that log events of the same bug can be grouped: the same bug
 * gives the same fingerprint across hosts, restarts and rebuilds that shift line numbers, while different throw sites
 * give different fingerprints.
 *
 * <p>The fingerprint covers, for each throwable of the cause chain (at most {@value #MAX_CHAIN} levels, suppressed
 * exceptions left out): its class name, then the class and method names of its first {@value #MAX_FRAMES} frames that
 * the {@link FrameFilter} keeps — the throw site and its nearest callers, not the framework stack below. Line numbers,
 * file names, messages and module versions are left out, and generated names (lambdas, proxies, reflection accessors,
 * CGLIB, ByteBuddy, Mockito and Hibernate classes, {@code lambda$x$N} and {@code access$NNN} methods) are normalized,
 * because all of these change between builds or runs of the same code.
 *
 * <p>The hash is an FNV-1a-style 64-bit combination of, for each name, its {@link String#hashCode()} (specified by
 * the JDK, so stable across JVMs, and cached in the string: class and method names of frames are interned, so this
 * costs nothing after the first time) and its length, with a terminator after each name that also says what kind of
 * name it was; finished with MurmurHash3's {@code fmix64} so every input bit reaches every output bit. It is not
 * cryptographic: it groups errors, it does not authenticate them.
 *
 * <p>Cost: the encoder calls this on every error event, so it walks the chain without copying it, feeds chars straight
 * into the hash and allocates only the 16-char result (plus a normalized name for each rare generated class or method).
 * Stateless and thread-safe.
 */
final class ErrorFingerprint {

  /** How many throwables of the cause chain count; also what stops a cycle that nobody marked. */
  static final int MAX_CHAIN = 16;

  /** How many kept frames of each throwable count: the throw site and its nearest callers. */
  static final int MAX_FRAMES = 32;

  /** The fingerprint when not even the class names could be read. */
  static final String UNKNOWN = "0000000000000000";

  private static final HexFormat HEX = HexFormat.of();

  private static final long FNV_OFFSET_BASIS = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;

  // Terminators are fed as units above 0xFFFF, where no char can be, so the sequence of units fed to the hash can be
  // split back into names in exactly one way; their kind also keeps a class name from passing for a method name.
  private static final long END_EXCEPTION = 0x1_0001L;
  private static final long END_CLASS = 0x1_0002L;
  private static final long END_METHOD = 0x1_0003L;

  private static final String JDK_PROXY_PACKAGE = "jdk.proxy";
  private static final String PROXY = "$Proxy";
  private static final String GENERATED = "Generated";
  private static final String ACCESSOR = "Accessor";
  private static final String LAMBDA_CLASS = "$$Lambda";
  private static final String CGLIB = "CGLIB$$";
  private static final String BYTE_BUDDY = "$ByteBuddy";
  private static final String MOCKITO_MOCK = "$MockitoMock";
  private static final String HIBERNATE_PROXY = "$HibernateProxy";
  private static final String LAMBDA_METHOD = "lambda$";
  private static final String ACCESS_METHOD = "access$";

  private ErrorFingerprint() {
  }

  /**
   * The fingerprint of {@code throwable}: exactly 16 lowercase hex characters (64 bits).
   *
   * <p>Never throws: if the proxy misbehaves, the fingerprint of just the chain's class names is returned, or
   * {@value #UNKNOWN} if even those cannot be read.
   *
   * @param throwable the logged throwable; {@code null} gives {@code null}
   * @param filter the frames to leave out; {@code null} leaves out none
   */
  static String of(IThrowableProxy throwable, FrameFilter filter) {
    return of(throwable, filter, null);
  }

  /**
   * As {@link #of(IThrowableProxy, FrameFilter)}, taking each frame's share of the hash (and whether it is
   * excluded) from {@code frames} when given: the encoder's cache, so a frame seen before costs one lookup.
   */
  static String of(IThrowableProxy throwable, FrameFilter filter, FrameCache frames) {
    return of(throwable, filter, frames, null);
  }

  /**
   * As {@link #of(IThrowableProxy, FrameFilter, FrameCache)}, taking the frames the stack text just looked up from
   * {@code memo} (when given, with {@code frames}) before looking them up again.
   */
  static String of(IThrowableProxy throwable, FrameFilter filter, FrameCache frames, FrameMemo memo) {
    if (throwable == null) {
      return null;
    }
    try {
      return HEX.toHexDigits(
          fmix64(hashChain(throwable, filter == null ? FrameFilter.none() : filter, frames, memo)));
    } catch (RuntimeException e) {
      return ofClassNames(throwable);
    }
  }

  private static long hashChain(
      IThrowableProxy throwable, FrameFilter filter, FrameCache cache, FrameMemo memo) {
    long hash = FNV_OFFSET_BASIS;
    IThrowableProxy current = throwable;
    // Logback marks the throwable that closes a cycle with isCyclic(); the depth cap stops proxies that don't.
    for (int depth = 0; current != null && !current.isCyclic() && depth < MAX_CHAIN; depth++) {
      hash = feed(hash, normalizeClassName(current.getClassName()), END_EXCEPTION);
      hash = feedFrames(hash, current.getStackTraceElementProxyArray(), filter, cache, memo);
      current = current.getCause();
    }
    return hash;
  }

  private static long feedFrames(
      long hash, StackTraceElementProxy[] frames, FrameFilter filter, FrameCache cache, FrameMemo memo) {
    if (frames == null) {
      return hash;
    }
    int kept = 0;
    for (int i = 0; i < frames.length && kept < MAX_FRAMES; i++) {
      StackTraceElement frame = frames[i] == null ? null : frames[i].getStackTraceElement();
      if (frame == null) {
        continue;
      }
      long frameHash;
      if (cache != null) {
        FrameCache.Frame cached = memo == null ? null : memo.next(frame);
        if (cached == null) {
          cached = cache.get(frame);
        }
        if (cached.excluded) {
          continue;
        }
        frameHash = cached.hash;
      } else {
        if (filter.excludes(frame.getClassName())) {
          continue;
        }
        frameHash = frameHash(frame);
      }
      hash = (hash ^ frameHash) * FNV_PRIME;
      kept++;
    }
    return hash;
  }

  /** One frame's share of the fingerprint: its normalized class and method names. */
  static long frameHash(StackTraceElement frame) {
    long hash = feed(FNV_OFFSET_BASIS, normalizeClassName(frame.getClassName()), END_CLASS);
    return fmix64(feed(hash, normalizeMethodName(frame.getMethodName()), END_METHOD));
  }

  private static String ofClassNames(IThrowableProxy throwable) {
    try {
      long hash = FNV_OFFSET_BASIS;
      IThrowableProxy current = throwable;
      for (int depth = 0; current != null && !current.isCyclic() && depth < MAX_CHAIN; depth++) {
        hash = feed(hash, current.getClassName(), END_EXCEPTION);
        current = current.getCause();
      }
      return HEX.toHexDigits(fmix64(hash));
    } catch (RuntimeException e) {
      return UNKNOWN;
    }
  }

  /**
   * Mixes {@code text} ({@code null} counts as empty) into the hash by its cached {@code hashCode} and its length,
   * then {@code terminator}. Per name this is two multiply steps, not one per character.
   */
  private static long feed(long hash, String text, long terminator) {
    long h = hash;
    if (text != null) {
      h = (h ^ (text.hashCode() & 0xFFFF_FFFFL) ^ ((long) text.length() << 32)) * FNV_PRIME;
    }
    return (h ^ terminator) * FNV_PRIME;
  }

  /** MurmurHash3's finalizer: FNV leaves the high input bits weakly mixed into the low output bits; this fixes it. */
  private static long fmix64(long value) {
    long k = value;
    k ^= k >>> 33;
    k *= 0xff51afd7ed558ccdL;
    k ^= k >>> 33;
    k *= 0xc4ceb9fe1a85ec53L;
    k ^= k >>> 33;
    return k;
  }

  /**
   * {@code className} without the parts that differ between runs or builds of the same code: the counters and
   * addresses of lambda, proxy, reflection-accessor, CGLIB, ByteBuddy, Mockito and Hibernate classes, and the address
   * of any hidden class ({@code /0x...}). For example {@code com.x.Foo$$Lambda$123/0x0000000800c0a440} becomes
   * {@code com.x.Foo$$Lambda}, {@code jdk.proxy2.$Proxy45} becomes {@code jdk.proxy.$Proxy}, and
   * {@code com.x.Foo$$EnhancerBySpringCGLIB$$1a2b3c4d} becomes {@code com.x.Foo$$EnhancerBySpringCGLIB}.
   *
   * <p>Returns the same instance, without allocating, when the name has none of these markers; {@code null} stays
   * {@code null}.
   */
  static String normalizeClassName(String className) {
    if (className == null
        || className.indexOf('$') < 0
            && className.indexOf('/') < 0
            && className.indexOf(GENERATED) < 0
            && !className.startsWith(JDK_PROXY_PACKAGE)) {
      return className;
    }
    int end = generatedSuffixStart(className);

    // Up to three runs of digits are dropped; by construction they come in this order and do not overlap.
    int packageDigits = -1;
    int packageDigitsEnd = -1;
    if (className.startsWith(JDK_PROXY_PACKAGE)) {
      int from = JDK_PROXY_PACKAGE.length();
      int to = digitsEnd(className, from, end);
      if (to > from && to < end && className.charAt(to) == '.') {
        packageDigits = from;
        packageDigitsEnd = to;
      }
    }

    int proxyDigits = -1;
    int proxyDigitsEnd = -1;
    int proxy = className.indexOf(PROXY);
    if (proxy >= 0) {
      int from = proxy + PROXY.length();
      int to = digitsEnd(className, from, end);
      if (to > from && (to == end || className.charAt(to) == '$')) {
        proxyDigits = from;
        proxyDigitsEnd = to;
      }
    }

    int accessorDigits = -1;
    int from = end;
    while (from > 0 && isDigit(className.charAt(from - 1))) {
      from--;
    }
    if (from < end
        && className.startsWith(ACCESSOR, from - ACCESSOR.length())
        && className.lastIndexOf(GENERATED, from) > className.lastIndexOf('.', from)) {
      accessorDigits = from;
    }

    if (end == className.length() && packageDigits < 0 && proxyDigits < 0 && accessorDigits < 0) {
      return className;
    }
    StringBuilder normalized = new StringBuilder(end);
    int copied = 0;
    if (packageDigits >= 0) {
      normalized.append(className, copied, packageDigits);
      copied = packageDigitsEnd;
    }
    if (proxyDigits >= 0) {
      normalized.append(className, copied, proxyDigits);
      copied = proxyDigitsEnd;
    }
    if (accessorDigits >= 0) {
      normalized.append(className, copied, accessorDigits);
      copied = end;
    }
    normalized.append(className, copied, end);
    return normalized.toString();
  }

  /** Where the run-specific suffix of a generated class name starts (the earliest marker), or the name's length. */
  private static int generatedSuffixStart(String className) {
    int end = className.length();
    int slash = className.indexOf('/');
    if (slash >= 0) {
      end = slash;
    }
    end = Math.min(end, suffixAfter(className, LAMBDA_CLASS, true));
    int cglib = className.indexOf(CGLIB);
    if (cglib >= 0) {
      end = Math.min(end, cglib + "CGLIB".length());
    }
    end = Math.min(end, suffixAfter(className, BYTE_BUDDY, false));
    end = Math.min(end, suffixAfter(className, MOCKITO_MOCK, false));
    end = Math.min(end, suffixAfter(className, HIBERNATE_PROXY, false));
    return end;
  }

  /**
   * The index just past {@code marker} when it ends a name segment (followed by {@code $}, the end, or with
   * {@code slash} also {@code /}), else {@link Integer#MAX_VALUE}; so {@code $ByteBuddyFactory} is not a marker.
   */
  private static int suffixAfter(String className, String marker, boolean slash) {
    int at = className.indexOf(marker);
    if (at < 0) {
      return Integer.MAX_VALUE;
    }
    int after = at + marker.length();
    if (after == className.length()) {
      return after;
    }
    char next = className.charAt(after);
    return next == '$' || slash && next == '/' ? after : Integer.MAX_VALUE;
  }

  /**
   * {@code methodName} without the counter javac appends to synthetic methods, which shifts whenever a lambda or
   * accessor is added elsewhere in the class: {@code lambda$handle$3} becomes {@code lambda$handle$} and
   * {@code access$000} becomes {@code access$}.
   *
   * <p>Returns the same instance, without allocating, when the name is not such a method; {@code null} stays
   * {@code null}.
   */
  static String normalizeMethodName(String methodName) {
    if (methodName == null
        || methodName.indexOf('$') < 0
        || !methodName.startsWith(LAMBDA_METHOD) && !methodName.startsWith(ACCESS_METHOD)) {
      return methodName;
    }
    int end = methodName.length();
    int from = end;
    while (from > 0 && isDigit(methodName.charAt(from - 1))) {
      from--;
    }
    if (from == end || methodName.charAt(from - 1) != '$') {
      return methodName;
    }
    return methodName.substring(0, from);
  }

  private static int digitsEnd(String text, int from, int end) {
    int i = from;
    while (i < end && isDigit(text.charAt(i))) {
      i++;
    }
    return i;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }
}
