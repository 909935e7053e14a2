package dev.threadline.logback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.classic.spi.ThrowableProxy;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ErrorFingerprintTest {

  private static final String HEX_16 = "[0-9a-f]{16}";

  // The throw sites: small pieces of real code, so the stacks under test are real stacks.

  static final class Orders {

    static void reserve(String sku) {
      if (sku.isEmpty()) {
        throw new IllegalArgumentException("no sku given");
      }
      throw new IllegalStateException("out of stock: " + sku);
    }

    static void ship(String sku) {
      throw new IllegalStateException("cannot ship: " + sku);
    }

    static void load(String id) {
      try {
        Storage.read(id);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot load " + id, e);
      }
    }

    static void process(String sku) {
      try (Lock lock = new Lock(sku)) {
        throw new IllegalStateException("processing failed under " + lock.name);
      }
    }
  }

  static final class Storage {

    static void read(String id) throws IOException {
      if (id.startsWith("missing")) {
        throw new FileNotFoundException(id);
      }
      throw new IOException("unreadable: " + id);
    }
  }

  /** Fails to unlock when its name says so, so that the exception in the block gets a suppressed one. */
  static final class Lock implements AutoCloseable {

    private final String name;

    Lock(String name) {
      this.name = name;
    }

    @Override
    public void close() {
      if (name.startsWith("stuck")) {
        throw new IllegalStateException("cannot unlock " + name);
      }
    }
  }

  /** Recurses {@code depth} times, then throws: deep stacks whose top frames are all alike. */
  static final class Recursion {

    static void descend(int depth) {
      if (depth == 0) {
        throw new IllegalStateException("bottom reached");
      }
      descend(depth - 1);
    }

    static void fromCheckout(int depth) {
      descend(depth);
    }

    static void fromRefund(int depth) {
      descend(depth);
    }

    /** A cause chain {@code levels} deep, each level wrapping the one thrown below it. */
    static void wrap(int levels, String rootId) {
      if (levels == 0) {
        Orders.load(rootId);
      }
      try {
        wrap(levels - 1, rootId);
      } catch (RuntimeException e) {
        throw new IllegalStateException("level " + levels, e);
      }
    }
  }

  @Test
  void sameThrowSite_givesSameFingerprint() {
    List<String> fingerprints = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      fingerprints.add(fingerprint(thrownBy(Orders::reserve, "sku-1")));
    }

    assertThat(fingerprints).hasSize(3).containsOnly(fingerprints.get(0));
  }

  @Test
  void differentThrowSite_givesDifferentFingerprint() {
    Throwable reserve = thrownBy(Orders::reserve, "sku-1");
    Throwable ship = thrownBy(Orders::ship, "sku-1");

    assertThat(ship).hasSameClassAs(reserve);
    assertThat(fingerprint(ship)).isNotEqualTo(fingerprint(reserve));
  }

  @Test
  void sameThrowSiteWithDifferentMessages_givesSameFingerprint() {
    Throwable first = thrownBy(Orders::reserve, "sku-1");
    Throwable second = thrownBy(Orders::reserve, "sku-2");

    assertThat(second.getMessage()).isNotEqualTo(first.getMessage());
    assertThat(fingerprint(second)).isEqualTo(fingerprint(first));
  }

  @Test
  void framesDifferingOnlyInLineNumbersAndFileNames_giveSameFingerprint() {
    Throwable original = thrownBy(Orders::reserve, "sku-1");
    Throwable rebuilt = new IllegalStateException("out of stock: sku-1");
    rebuilt.setStackTrace(mapFrames(original.getStackTrace(),
        frame -> frame(frame.getClassName(), frame.getMethodName(), "Moved.java", frame.getLineNumber() + 17)));

    assertThat(fingerprint(rebuilt)).isEqualTo(fingerprint(original));
  }

  @Test
  void framesDifferingInMethodName_giveDifferentFingerprint() {
    Throwable original = thrownBy(Orders::reserve, "sku-1");
    Throwable renamed = new IllegalStateException("out of stock: sku-1");
    StackTraceElement[] frames = original.getStackTrace();
    frames[0] = frame(frames[0].getClassName(), "reserveAll", frames[0].getFileName(), frames[0].getLineNumber());
    renamed.setStackTrace(frames);

    assertThat(fingerprint(renamed)).isNotEqualTo(fingerprint(original));
  }

  @Test
  void differentExceptionTypeAtSameSite_givesDifferentFingerprint() {
    Throwable missingSku = thrownBy(Orders::reserve, "");
    Throwable outOfStock = thrownBy(Orders::reserve, "sku-1");

    assertThat(missingSku).isInstanceOf(IllegalArgumentException.class);
    assertThat(outOfStock).isInstanceOf(IllegalStateException.class);
    assertThat(fingerprint(missingSku)).isNotEqualTo(fingerprint(outOfStock));
  }

  @Test
  void differentCauseTypeUnderSameTop_givesDifferentFingerprint() {
    Throwable missing = thrownBy(Orders::load, "missing-42");
    Throwable unreadable = thrownBy(Orders::load, "corrupt-42");

    assertThat(missing.getCause()).isInstanceOf(FileNotFoundException.class);
    assertThat(unreadable.getCause()).isExactlyInstanceOf(IOException.class);
    assertThat(fingerprint(missing)).isNotEqualTo(fingerprint(unreadable));
  }

  @Test
  void suppressedExceptions_doNotChangeFingerprint() {
    Throwable plain = thrownBy(Orders::process, "lock-1");
    Throwable withSuppressed = thrownBy(Orders::process, "stuck-1");

    assertThat(plain.getSuppressed()).isEmpty();
    assertThat(new ThrowableProxy(withSuppressed).getSuppressed()).hasSize(1);
    assertThat(fingerprint(withSuppressed)).isEqualTo(fingerprint(plain));
  }

  @Test
  void excludedFrames_doNotChangeFingerprint() {
    Throwable direct = thrownBy(Orders::reserve, "sku-1");
    Throwable viaReflection = new IllegalStateException("out of stock: sku-1");
    List<StackTraceElement> frames = new ArrayList<>(Arrays.asList(direct.getStackTrace()));
    frames.add(1, frame("java.lang.reflect.Method", "invoke", "Method.java", 580));
    frames.add(1, frame("jdk.internal.reflect.DirectMethodHandleAccessor", "invoke", "DirectMethodHandleAccessor.java",
        103));
    viaReflection.setStackTrace(frames.toArray(new StackTraceElement[0]));

    assertThat(ErrorFingerprint.of(new ThrowableProxy(viaReflection), FrameFilter.defaults()))
        .isEqualTo(ErrorFingerprint.of(new ThrowableProxy(direct), FrameFilter.defaults()));
    assertThat(ErrorFingerprint.of(new ThrowableProxy(viaReflection), FrameFilter.none()))
        .isNotEqualTo(ErrorFingerprint.of(new ThrowableProxy(direct), FrameFilter.none()));
  }

  @Test
  void framesBelowTheFirst32_doNotChangeFingerprint() {
    Throwable checkout = thrownBy(Recursion::fromCheckout, 40);
    Throwable refund = thrownBy(Recursion::fromRefund, 40);

    assertThat(fingerprint(refund)).isEqualTo(fingerprint(checkout));
  }

  @Test
  void callersWithinTheFirst32Frames_changeFingerprint() {
    Throwable checkout = thrownBy(Recursion::fromCheckout, 5);
    Throwable refund = thrownBy(Recursion::fromRefund, 5);

    assertThat(fingerprint(refund)).isNotEqualTo(fingerprint(checkout));
  }

  @Test
  void causesBelowTheFirst16Levels_doNotChangeFingerprint() {
    Throwable missing = thrownBy(Recursion::wrap, 20, "missing-42");
    Throwable unreadable = thrownBy(Recursion::wrap, 20, "corrupt-42");

    assertThat(fingerprint(missing)).isEqualTo(fingerprint(unreadable));
  }

  @Test
  void causesWithinTheFirst16Levels_changeFingerprint() {
    Throwable missing = thrownBy(Recursion::wrap, 3, "missing-42");
    Throwable unreadable = thrownBy(Recursion::wrap, 3, "corrupt-42");

    assertThat(fingerprint(missing)).isNotEqualTo(fingerprint(unreadable));
  }

  @Test
  void cyclicCauseChain_givesFingerprintWithoutHanging() {
    Throwable shipping = thrownBy(Orders::ship, "sku-1");
    Throwable reserving = thrownBy(Orders::reserve, "sku-1");
    shipping.initCause(reserving);
    reserving.initCause(shipping);

    String fingerprint = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> fingerprint(shipping));

    assertThat(fingerprint).matches(HEX_16);
  }

  @Test
  void causeCycleThatTheProxyDoesNotMark_givesFingerprintWithoutHanging() {
    IThrowableProxy ownCause = new ThrowableProxy(thrownBy(Orders::ship, "sku-1")) {
      @Override
      public IThrowableProxy getCause() {
        return this;
      }
    };

    String fingerprint = assertTimeoutPreemptively(Duration.ofSeconds(5),
        () -> ErrorFingerprint.of(ownCause, FrameFilter.defaults()));

    assertThat(fingerprint).matches(HEX_16);
  }

  @Test
  void proxyThatThrows_givesFingerprintOfClassNames() {
    Throwable failure = thrownBy(Orders::ship, "sku-1");
    IThrowableProxy broken = new ThrowableProxy(failure) {
      @Override
      public StackTraceElementProxy[] getStackTraceElementProxyArray() {
        throw new IllegalStateException("broken proxy");
      }
    };

    String fingerprint = ErrorFingerprint.of(broken, FrameFilter.defaults());

    assertThat(fingerprint).matches(HEX_16).isNotEqualTo(fingerprint(failure));
  }

  @Test
  void proxyThatThrowsEvenForClassNames_givesZeroFingerprint() {
    IThrowableProxy broken = new ThrowableProxy(thrownBy(Orders::ship, "sku-1")) {
      @Override
      public String getClassName() {
        throw new IllegalStateException("broken proxy");
      }
    };

    assertThat(ErrorFingerprint.of(broken, FrameFilter.defaults())).isEqualTo("0000000000000000");
  }

  @Test
  void nullThrowable_givesNull() {
    assertThat(ErrorFingerprint.of(null, FrameFilter.defaults())).isNull();
  }

  @ParameterizedTest
  @MethodSource("assortedThrowables")
  void fingerprint_isAlways16LowercaseHexChars(Throwable throwable) {
    assertThat(ErrorFingerprint.of(new ThrowableProxy(throwable), FrameFilter.defaults())).matches(HEX_16);
    assertThat(ErrorFingerprint.of(new ThrowableProxy(throwable), FrameFilter.none())).matches(HEX_16);
    assertThat(ErrorFingerprint.of(new ThrowableProxy(throwable), null)).matches(HEX_16);
  }

  static Stream<Throwable> assortedThrowables() {
    Throwable noFrames = new IllegalStateException("no frames");
    noFrames.setStackTrace(new StackTraceElement[0]);
    return Stream.of(
        thrownBy(Orders::reserve, "sku-1"),
        thrownBy(Orders::load, "missing-42"),
        thrownBy(Recursion::fromCheckout, 200),
        thrownBy(Recursion::wrap, 30, "corrupt-42"),
        noFrames);
  }

  @ParameterizedTest(name = "{0} ~ {1}")
  @MethodSource("generatedClassNamesOfOneClass")
  void generatedClassesDifferingOnlyInCounters_giveSameFingerprint(String oneRun, String anotherRun) {
    assertThat(fingerprintOfFrame(anotherRun, "handle")).isEqualTo(fingerprintOfFrame(oneRun, "handle"));
  }

  @ParameterizedTest(name = "{0} !~ {1}")
  @MethodSource("generatedClassNamesOfOneClass")
  void generatedClassesOfDifferentClasses_giveDifferentFingerprints(String oneRun, String anotherRun) {
    // JDK proxies and reflection accessors belong to no application class; the others keep theirs.
    String ofAnotherClass = anotherRun.replace("com.acme.Svc", "com.acme.Repo")
        .replace("proxy", "proxy.other")
        .replace("GeneratedMethodAccessor", "GeneratedConstructorAccessor");

    assertThat(fingerprintOfFrame(ofAnotherClass, "handle")).isNotEqualTo(fingerprintOfFrame(oneRun, "handle"));
  }

  static Stream<Arguments> generatedClassNamesOfOneClass() {
    return Stream.of(
        Arguments.of("com.acme.Svc$$Lambda$41/0x0000000800c0a440", "com.acme.Svc$$Lambda$97/0x0000000800d11220"),
        Arguments.of("com.acme.Svc$$Lambda/0x00007f3a1c0a4b28", "com.acme.Svc$$Lambda/0x00007f3a1c0e9d40"),
        Arguments.of("com.acme.Svc$$Lambda$14/1234567", "com.acme.Svc$$Lambda$15/7654321"),
        Arguments.of("com.sun.proxy.$Proxy3", "com.sun.proxy.$Proxy12"),
        Arguments.of("jdk.proxy2.$Proxy45", "jdk.proxy3.$Proxy46"),
        Arguments.of("jdk.internal.reflect.GeneratedMethodAccessor42", "jdk.internal.reflect.GeneratedMethodAccessor7"),
        Arguments.of("com.acme.Svc$$EnhancerBySpringCGLIB$$1a2b3c4d", "com.acme.Svc$$EnhancerBySpringCGLIB$$9f8e7d6c"),
        Arguments.of("com.acme.Svc$$SpringCGLIB$$0", "com.acme.Svc$$SpringCGLIB$$1"),
        Arguments.of("com.acme.Svc$$FastClassBySpringCGLIB$$abcd", "com.acme.Svc$$FastClassBySpringCGLIB$$ef01"),
        Arguments.of("com.acme.Svc$$EnhancerByCGLIB$$12ab", "com.acme.Svc$$EnhancerByCGLIB$$34cd"),
        Arguments.of("com.acme.Svc$ByteBuddy$AbC123xy", "com.acme.Svc$ByteBuddy$ZyX987cb"),
        Arguments.of("com.acme.Svc$$ByteBuddy$$abc", "com.acme.Svc$$ByteBuddy$$xyz"),
        Arguments.of("com.acme.Svc$MockitoMock$123456789", "com.acme.Svc$MockitoMock$987654321"),
        Arguments.of("com.acme.Svc$HibernateProxy$AbCdEf", "com.acme.Svc$HibernateProxy$GhIjKl"));
  }

  @ParameterizedTest(name = "{0} ~ {1}")
  @CsvSource({
      "lambda$handle$3, lambda$handle$12",
      "lambda$static$0, lambda$static$1",
      "access$000, access$100"})
  void syntheticMethodsDifferingOnlyInCounters_giveSameFingerprint(String oneBuild, String anotherBuild) {
    assertThat(fingerprintOfFrame("com.acme.Svc", anotherBuild))
        .isEqualTo(fingerprintOfFrame("com.acme.Svc", oneBuild));
    assertThat(fingerprintOfFrame("com.acme.Svc", "lambda$other$3"))
        .isNotEqualTo(fingerprintOfFrame("com.acme.Svc", oneBuild));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "com.x.Foo$$Lambda$123/0x0000000800c0a440, com.x.Foo$$Lambda",
      "com.x.Foo$$Lambda/0x00007f3a1c0a4b28, com.x.Foo$$Lambda",
      "com.x.Foo$$Lambda$14/1234567, com.x.Foo$$Lambda",
      "com.x.Foo$Inner$$Lambda$7/0x0000000800c0a440, com.x.Foo$Inner$$Lambda",
      "java.lang.invoke.LambdaForm$MH/0x0000000800c0c000, java.lang.invoke.LambdaForm$MH",
      "$Proxy12, $Proxy",
      "jdk.proxy2.$Proxy45, jdk.proxy.$Proxy",
      "jdk.proxy13.$Proxy7, jdk.proxy.$Proxy",
      "com.sun.proxy.$Proxy3, com.sun.proxy.$Proxy",
      "jdk.internal.reflect.GeneratedMethodAccessor42, jdk.internal.reflect.GeneratedMethodAccessor",
      "sun.reflect.GeneratedMethodAccessor7, sun.reflect.GeneratedMethodAccessor",
      "jdk.internal.reflect.GeneratedConstructorAccessor9, jdk.internal.reflect.GeneratedConstructorAccessor",
      "sun.reflect.GeneratedSerializationConstructorAccessor3, sun.reflect.GeneratedSerializationConstructorAccessor",
      "com.x.Foo$$EnhancerBySpringCGLIB$$1a2b3c4d, com.x.Foo$$EnhancerBySpringCGLIB",
      "com.x.Foo$$SpringCGLIB$$0, com.x.Foo$$SpringCGLIB",
      "com.x.Foo$$FastClassBySpringCGLIB$$abcd, com.x.Foo$$FastClassBySpringCGLIB",
      "com.x.Foo$$EnhancerByCGLIB$$12ab, com.x.Foo$$EnhancerByCGLIB",
      "com.x.Foo$ByteBuddy$AbC123xy, com.x.Foo$ByteBuddy",
      "com.x.Foo$$ByteBuddy$$abc, com.x.Foo$$ByteBuddy",
      "com.x.Foo$MockitoMock$123456789, com.x.Foo$MockitoMock",
      "com.x.Foo$HibernateProxy$AbCdEf, com.x.Foo$HibernateProxy"})
  void normalizeClassName_dropsRunSpecificParts(String generated, String normalized) {
    assertThat(ErrorFingerprint.normalizeClassName(generated)).isEqualTo(normalized);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "com.acme.OrderService",
      "com.acme.Outer$Inner",
      "com.acme.Outer$1",
      "com.acme.ProxyFactory",
      "com.acme.Svc$ProxyHolder",
      "com.acme.Svc$ByteBuddyConfig",
      "com.acme.GeneratedReport",
      "com.acme.GeneratedAccessorFactory",
      "com.acme.Svc$LambdaHolder",
      "com.acme.Version2"})
  void normalizeClassName_keepsOrdinaryNamesAsTheSameInstance(String name) {
    assertThat(ErrorFingerprint.normalizeClassName(name)).isSameAs(name);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "lambda$handle$3, lambda$handle$",
      "lambda$handle$12, lambda$handle$",
      "lambda$static$0, lambda$static$",
      "lambda$new$1, lambda$new$",
      "access$000, access$",
      "access$1200, access$"})
  void normalizeMethodName_dropsSyntheticCounters(String synthetic, String normalized) {
    assertThat(ErrorFingerprint.normalizeMethodName(synthetic)).isEqualTo(normalized);
  }

  @ParameterizedTest
  @ValueSource(strings = {"handle", "handle2", "run$body", "lambda$handle$", "access$", "<init>", "<clinit>"})
  void normalizeMethodName_keepsOrdinaryNamesAsTheSameInstance(String name) {
    assertThat(ErrorFingerprint.normalizeMethodName(name)).isSameAs(name);
  }

  @Test
  void normalizeNames_keepNull() {
    assertThat(ErrorFingerprint.normalizeClassName(null)).isNull();
    assertThat(ErrorFingerprint.normalizeMethodName(null)).isNull();
  }

  private static String fingerprint(Throwable throwable) {
    return ErrorFingerprint.of(new ThrowableProxy(throwable), FrameFilter.defaults());
  }

  /** The fingerprint of a real exception whose top frame is replaced by {@code className.methodName}. */
  private static String fingerprintOfFrame(String className, String methodName) {
    Throwable failure = thrownBy(Orders::ship, "sku-1");
    StackTraceElement[] frames = failure.getStackTrace();
    frames[0] = frame(className, methodName, null, -1);
    failure.setStackTrace(frames);
    return ErrorFingerprint.of(new ThrowableProxy(failure), FrameFilter.none());
  }

  private static StackTraceElement frame(String className, String methodName, String fileName, int lineNumber) {
    return new StackTraceElement(className, methodName, fileName, lineNumber);
  }

  private static StackTraceElement[] mapFrames(StackTraceElement[] frames, UnaryOperator<StackTraceElement> change) {
    return Arrays.stream(frames).map(change).toArray(StackTraceElement[]::new);
  }

  private static <T> Throwable thrownBy(Consumer<T> code, T argument) {
    try {
      code.accept(argument);
    } catch (RuntimeException e) {
      return e;
    }
    throw new AssertionError("expected a throw from " + code);
  }

  private static Throwable thrownBy(WrapAction code, int levels, String rootId) {
    try {
      code.run(levels, rootId);
    } catch (RuntimeException e) {
      return e;
    }
    throw new AssertionError("expected a throw from " + code);
  }

  /** {@link Recursion#wrap} as a method reference. */
  @FunctionalInterface
  interface WrapAction {
    void run(int levels, String rootId);
  }

  /**
   * The frames the stack text looked up, handed to the fingerprint through a {@link FrameMemo}, give the fingerprint
   * it has without them, whatever the text left out or reordered: common frames folded, suppressed exceptions, a
   * depth cap, root cause first. And the memo is really used: on the plain chain most frames come from it.
   */
  @Test
  void framesHandedOverByTheStackText_giveTheSameFingerprint() {
    IOException root = new IOException("disk");
    IllegalStateException middle = new IllegalStateException("mid", root);
    middle.addSuppressed(new IllegalArgumentException("suppressed"));
    RuntimeException top = new RuntimeException("top", middle);
    ThrowableProxy proxy = new ThrowableProxy(top);
    proxy.calculatePackagingData();
    FrameCache cache = new FrameCache(FrameFilter.defaults());
    String expected = ErrorFingerprint.of(proxy, FrameFilter.defaults(), cache);
    for (boolean rootCauseFirst : new boolean[] {false, true}) {
      for (int maxDepth : new int[] {2, 64}) {
        StackTraceWriter writer = new StackTraceWriter(cache, maxDepth, 1 << 20, 1 << 16, rootCauseFirst,
            Redactor.defaults());
        FrameMemo memo = new FrameMemo();
        writer.write(new JsonBuffer(256), proxy, memo);
        assertThat(ErrorFingerprint.of(proxy, FrameFilter.defaults(), cache, memo))
            .as("rootCauseFirst=%s maxDepth=%s", rootCauseFirst, maxDepth).isEqualTo(expected);
      }
    }
    FrameMemo memo = new FrameMemo();
    new StackTraceWriter(cache, 64, 1 << 20, 1 << 16, false, Redactor.defaults())
        .write(new JsonBuffer(256), proxy, memo);
    StackTraceElement first = proxy.getStackTraceElementProxyArray()[0].getStackTraceElement();
    assertThat(memo.next(first)).isSameAs(cache.get(first));
    memo.clear();
    assertThat(memo.next(first)).isNull();
  }
}
