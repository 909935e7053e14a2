package dev.threadline.logback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class RedactorTest {

  private static final int TEN_MB = 10 * 1024 * 1024;

  private final Redactor redactor = Redactor.defaults();

  // --- nothing to find: the same instance comes back -----------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {
      "",
      "Started Application in 3.2 seconds (process running for 3.9)",
      "@Override is missing on toString",
      "user@ has no domain",
      "user@localhost is not an e-mail address",
      "npm installed lodash@4.17.21",
      "request took 125 ms at 2024-01-15T10:30:00.123Z",
      "epoch millis 1712345678901 fail Luhn",
      "id 123e4567-e89b-12d3-a456-426614174000 loaded",
      "trace 4bf92f3577b34da6a3ce929d0e0e4736 span 00f067aa0ba902b7",
      "client 192.168.1.10:8080 connected",
      "retry 3 of 5, 12 items, 123456789012 bytes",
      "phone +1-555-123-4567",
      "see https://example.com:8443/path?q=1#top",
      "Basic authentication failed for bob",
      "Basic configuration loaded",
      "the bearer of bad news",
      "Bearer",
      "basic",
      "a:b//c and ://x and x:/ and mailto:",
  })
  void redact_returnsSameInstance_whenNothingIsSensitive(String message) {
    assertThat(redactor.redact(message)).isSameAs(message);
  }

  @Test
  void redact_returnsNull_forNull() {
    assertThat(redactor.redact(null)).isNull();
  }

  // --- bearer tokens --------------------------------------------------------------------------------------------

  static Stream<Arguments> bearerTokens() {
    return Stream.of(
        arguments("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc-_123",
            "Authorization: Bearer [REDACTED]"),
        arguments("bearer\tabcdefgh", "bearer\t[REDACTED]"),
        arguments("BEARER   abc.def~ghi+jk/l= sent", "BEARER   [REDACTED] sent"),
        arguments("header=\"Bearer abcdefgh12\"", "header=\"Bearer [REDACTED]\""));
  }

  @ParameterizedTest
  @MethodSource("bearerTokens")
  void redact_replacesBearerToken_keepingScheme(String input, String expected) {
    assertThat(redactor.redact(input)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "Bearer abc1234",
      "Bearerabcdefghij",
      "xbearer abcdefghij",
      "bearer-abcdefghijkl",
      "Bearer    ",
  })
  void redact_leavesBearerLookalikes(String input) {
    assertThat(redactor.redact(input)).isSameAs(input);
  }

  // --- basic auth and passwords in URLs ------------------------------------------------------------------------

  static Stream<Arguments> basicCredentials() {
    return Stream.of(
        arguments("Authorization: Basic dXNlcjpwYXNzd29yZA==", "Authorization: Basic [REDACTED]"),
        arguments("basic QWxhZGRpbjpvcGVuIHNlc2FtZQ== ok", "basic [REDACTED] ok"),
        arguments("Basic dXNlcjpwYXNz", "Basic [REDACTED]"),
        // All lower case, like a word, but it decodes to bytes containing ':' as user:password does.
        arguments("Basic wjrlfwwxotcd", "Basic [REDACTED]"),
        arguments("connecting to https://bob:s3cr3t@example.com/db", "connecting to https://bob:[REDACTED]@example.com/db"),
        arguments("redis://:hunter2@cache:6379", "redis://:[REDACTED]@cache:6379"),
        arguments("jdbc:postgresql://app:p@ss@db.internal:5432/orders",
            "jdbc:postgresql://app:[REDACTED]@db.internal:5432/orders"));
  }

  @ParameterizedTest
  @MethodSource("basicCredentials")
  void redact_replacesBasicCredentialsAndUrlPasswords(String input, String expected) {
    assertThat(redactor.redact(input)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "Basic abc123",
      "Basic authentication",
      "Basic abcdefghijkl",
      "basic\t",
      "https://user:@host",
      "ftp://host:21/file",
      "https://example.com/?next=a:b@c",
  })
  void redact_leavesBasicLookalikes(String input) {
    assertThat(redactor.redact(input)).isSameAs(input);
  }

  // --- e-mail addresses ----------------------------------------------------------------------------------------

  static Stream<Arguments> emails() {
    return Stream.of(
        arguments("sent to bob.smith+tag@mail.example.co.uk.", "sent to [REDACTED]."),
        arguments("from:<alice@example.com>", "from:<[REDACTED]>"),
        arguments("USER_1%x@Sub-Domain.Example.ORG", "[REDACTED]"),
        arguments("a@b.io and c@d.io", "[REDACTED] and [REDACTED]"));
  }

  @ParameterizedTest
  @MethodSource("emails")
  void redact_replacesWholeEmailAddress(String input, String expected) {
    assertThat(redactor.redact(input)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"@Override", "user@", "user@localhost", "a@b.c", "x@.com", "x@a..com", "@@", "a@1.2.34"})
  void redact_leavesEmailLookalikes(String input) {
    assertThat(redactor.redact(input)).isSameAs(input);
  }

  // --- card numbers --------------------------------------------------------------------------------------------

  static Stream<Arguments> cardNumbers() {
    return Stream.of(
        arguments("card 4111 1111 1111 1111 charged", "card [REDACTED] charged"),
        arguments("4111-1111-1111-1111", "[REDACTED]"),
        arguments("4111111111111111", "[REDACTED]"),
        arguments("amex 378282246310005,", "amex [REDACTED],"),
        arguments("pan=5555555555554444;", "pan=[REDACTED];"),
        arguments("13 digits 4222222222222", "13 digits [REDACTED]"),
        arguments("19 digits 6304000000000000000", "19 digits [REDACTED]"),
        arguments("amount 100 4111 1111 1111 1111", "amount 100 [REDACTED]"));
  }

  @ParameterizedTest
  @MethodSource("cardNumbers")
  void redact_replacesLuhnValidCardNumbers(String input, String expected) {
    assertThat(redactor.redact(input)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "order 1234567812345678 shipped",
      "4111 1111 1111 1112",
      "4111111111111111abc",
      "x4111111111111111",
      "41111111111111111111111",
      "4111  1111 1111 1111",
      "4111.1111.1111.1111",
      "123456789012",
      "0000000000000000",
      "span 0000000000000000 invalid",
      "order 0012345678901237 shipped",
      "0000 0000 0000 0042",
  })
  void redact_leavesDigitRunsThatAreNotLuhnValidStandaloneCards(String input) {
    assertThat(redactor.redact(input)).isSameAs(input);
  }

  @Test
  void redact_replacesTimestampThatHappensToPassLuhn_anAcceptedOverRedaction() {
    assertThat(redactor.redact("epoch 1712345678907")).isEqualTo("epoch [REDACTED]");
  }

  // --- combinations and configuration --------------------------------------------------------------------------

  @Test
  void redact_replacesEverySecretInOneString() {
    String input = "user bob@example.com paid with 4111 1111 1111 1111 using Bearer abcdefghijkl"
        + " via https://bob:pw@api.example.com";

    assertThat(redactor.redact(input)).isEqualTo("user [REDACTED] paid with [REDACTED] using Bearer [REDACTED]"
        + " via https://bob:[REDACTED]@api.example.com");
  }

  static Stream<Arguments> disabledDetectors() {
    return Stream.of(
        arguments(Named.of("bearer off", (UnaryOperator<Redactor.Builder>) b -> b.detectBearerTokens(false)),
            "Bearer abcdefghijkl"),
        arguments(Named.of("basic off", (UnaryOperator<Redactor.Builder>) b -> b.detectBasicAuth(false)),
            "Basic dXNlcjpwYXNz https://bob:pw@host"),
        arguments(Named.of("emails off", (UnaryOperator<Redactor.Builder>) b -> b.detectEmails(false)),
            "bob@example.com"),
        arguments(Named.of("cards off", (UnaryOperator<Redactor.Builder>) b -> b.detectCardNumbers(false)),
            "4111 1111 1111 1111"));
  }

  @ParameterizedTest
  @MethodSource("disabledDetectors")
  void redact_leavesSecretsOfDisabledDetector(UnaryOperator<Redactor.Builder> configure, String input) {
    Redactor configured = configure.apply(Redactor.builder()).build();

    assertThat(configured.redact(input)).isSameAs(input);
    assertThat(Redactor.defaults().redact(input)).contains(Redactor.REDACTED);
  }

  @Test
  void none_redactsNothing() {
    String input = "bob@example.com Bearer abcdefghijkl 4111111111111111";

    assertThat(Redactor.none().redact(input)).isSameAs(input);
    assertThat(Redactor.none().isSensitiveName("password")).isFalse();
  }

  @Test
  void customPattern_replacesEveryMatch_andLeavesOtherValuesAlone() {
    Redactor custom = Redactor.builder().addPattern("sk_live_[0-9a-zA-Z]{8,}").build();
    String harmless = "nothing to see";

    assertThat(custom.redact("keys sk_live_abcdef123456 and sk_live_ZYXW9876, mail bob@example.com"))
        .isEqualTo("keys [REDACTED] and [REDACTED], mail [REDACTED]");
    assertThat(custom.redact(harmless)).isSameAs(harmless);
  }

  @Test
  void addPattern_rejectsInvalidRegex_namingIt() {
    assertThatThrownBy(() -> Redactor.builder().addPattern("secret=(unclosed"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("secret=(unclosed");
  }

  @Test
  void addPattern_rejectsRegexMatchingEmptyString_namingIt() {
    assertThatThrownBy(() -> Redactor.builder().addPattern("x*"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'x*'");
  }

  @Test
  void toString_namesEnabledDetectors_butNotPatternText() {
    Redactor custom = Redactor.builder().detectEmails(false).addPattern("hunter2").build();

    assertThat(Redactor.defaults().toString()).contains("bearer", "basic", "email", "card");
    assertThat(custom.toString()).contains("bearer", "patterns=1").doesNotContain("email", "hunter2");
  }

  // --- sensitive field names -----------------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {
      "password", "DB_PASSWORD", "db.password", "accessToken", "X-Auth-Token", "X-Api-Key", "X-API-KEY", "api_key",
      "apiKey", "Set-Cookie", "authorization", "client_secret", "privateKey", "private.key", "PWD", "credentials",
  })
  void isSensitiveName_matchesNamesContainingASensitiveWord(String name) {
    assertThat(redactor.isSensitiveName(name)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"username", "user", "host", "message", "passport", "key", "tok", ""})
  void isSensitiveName_leavesOrdinaryNames(String name) {
    assertThat(redactor.isSensitiveName(name)).isFalse();
  }

  @Test
  void isSensitiveName_overRedactsNamesMerelyContainingAWord_byDesign() {
    assertThat(redactor.isSensitiveName("tokenizerVersion")).isTrue();
  }

  @Test
  void isSensitiveName_isFalseForNull() {
    assertThat(redactor.isSensitiveName(null)).isFalse();
  }

  @Test
  void addSensitiveName_addsToDefaults_orReplacesThemWhenDefaultsAreOff() {
    Redactor added = Redactor.builder().addSensitiveName("session-id").build();
    Redactor only = Redactor.builder().sensitiveNamesDefaults(false).addSensitiveName("SSN").build();

    assertThat(added.isSensitiveName("X-Session-Id")).isTrue();
    assertThat(added.isSensitiveName("sessionid")).isTrue();
    assertThat(added.isSensitiveName("password")).isTrue();
    assertThat(only.isSensitiveName("customer_ssn")).isTrue();
    assertThat(only.isSensitiveName("password")).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "-_."})
  void addSensitiveName_rejectsNamesThatWouldMatchEverything(String name) {
    assertThatThrownBy(() -> Redactor.builder().addSensitiveName(name))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("addSensitiveName");
  }

  // --- hostile input -------------------------------------------------------------------------------------------

  static Stream<Named<String>> hugeHarmlessValues() {
    return Stream.of(
        Named.of("10 MB of 'a'", "a".repeat(TEN_MB)),
        Named.of("10 MB of digits", "1".repeat(TEN_MB)),
        Named.of("10 MB of single digits and spaces", "1 ".repeat(TEN_MB / 2)),
        Named.of("10 MB of 'a@'", "a@".repeat(TEN_MB / 2)),
        Named.of("10 MB of 'bearer '", "bearer ".repeat(TEN_MB / 7)),
        Named.of("10 MB of 'x://'", "x://".repeat(TEN_MB / 4)));
  }

  @ParameterizedTest
  @MethodSource("hugeHarmlessValues")
  @Timeout(10) // a hang guard for quadratic scanning, not a benchmark
  void redact_returnsHugeHarmlessValuesUnchanged(String huge) {
    assertThat(redactor.redact(huge)).isSameAs(huge);
  }

  @Test
  @Timeout(10)
  void redact_replacesHugeToken() {
    assertThat(redactor.redact("Bearer " + "a".repeat(TEN_MB))).isEqualTo("Bearer [REDACTED]");
  }

  @Test
  void redact_passesLoneSurrogatesAndControlCharactersThrough() {
    String lone = "\uD800 lone high, lone low \uDC00";

    assertThat(redactor.redact(lone)).isSameAs(lone);
    assertThat(redactor.redact("\uDC00bob@example.com\uD800")).isEqualTo("\uDC00[REDACTED]\uD800");
    assertThat(redactor.redact("\u0000\u0001 4111111111111111\u0007")).isEqualTo("\u0000\u0001 [REDACTED]\u0007");
  }

  @Test
  void redact_neverThrows_onRandomMixesOfTriggerCharacters() {
    List<String> pieces = List.of("Bearer ", "Basic ", "@", "://", ":", "4111", "1111", " ", "-", ".", "a", "Z",
        "9", "=", "\t", "\uD800", "\uDC00", "\u0000", "é", "dXNlcjpwYXNz", "example.com", "/");
    Redactor everything = Redactor.builder().addPattern("[0-9]{3}").build();
    Random random = new Random(42);
    for (int round = 0; round < 20_000; round++) {
      StringBuilder input = new StringBuilder();
      for (int piece = random.nextInt(30); piece > 0; piece--) {
        input.append(pieces.get(random.nextInt(pieces.size())));
      }
      String value = input.toString();

      String result = everything.redact(value);

      assertThat(result == value || result.contains(Redactor.REDACTED)).as(value).isTrue();
    }
  }
}
