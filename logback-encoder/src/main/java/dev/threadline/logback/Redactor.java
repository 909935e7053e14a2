package dev.threadline.logback;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Scrubs secrets from log messages and string field values before the encoder writes them, so a token, password,
 * e-mail address or card number that reaches a log call never leaves the process.
 *
 * <p>Two questions are answered:
 * <ul>
 *   <li>{@link #isSensitiveName(String)}: is a field called this always a secret? A case-insensitive
 *       <em>contains</em> match that ignores {@code -}, {@code _} and {@code .}, so {@code db.password},
 *       {@code X-Api-Key}, {@code accessToken} and {@code client_secret} all match. Contains-matching over-redacts
 *       ({@code tokenizerVersion} contains {@code token}); that is deliberate: a hidden harmless field costs less
 *       than a leaked secret.</li>
 *   <li>{@link #redact(String)}: which parts of this text are secrets? Built-in detectors for bearer tokens, HTTP
 *       Basic credentials and passwords in URLs ({@code scheme://user:password@host}), e-mail addresses and card
 *       numbers, plus any custom regular expressions. Each secret becomes {@value #REDACTED}; for {@code Bearer} and
 *       {@code Basic} the scheme word is kept ({@code Bearer [REDACTED]}).</li>
 * </ul>
 *
 * <p><b>Cost.</b> {@code redact} runs on every message and string value, so the built-in detectors are one
 * hand-written pass over the characters with no regular expressions: a character only costs more than a comparison
 * when it can begin a secret (an ASCII digit at the start of a word, {@code @}, {@code :} followed by {@code //}, or
 * {@code b}/{@code B} at the start of a word followed by {@code earer}/{@code asic}). A value of at most 12
 * characters without {@code @}, {@code :} or {@code =} (a user id, a region, an HTTP method) is not scanned at all,
 * since no built-in detector can match in it. When nothing is found the argument itself is returned and nothing is
 * allocated. Every detector scans forward (or, for the local part of an
 * e-mail address, back to the previous {@code @} or secret) a bounded or non-overlapping distance, so the whole pass
 * is linear in the length of the text, including for pathological inputs such as megabytes of digits. Custom
 * patterns are the exception: each one is an extra {@link Matcher} pass, and its worst case is whatever that
 * expression's is.
 *
 * <p><b>What counts as a secret.</b>
 * <ul>
 *   <li>Bearer: the word {@code bearer} (any case) at the start of a word, one or more spaces or tabs, then at
 *       least 8 characters of {@code [A-Za-z0-9._~+/=-]}; the token is replaced.</li>
 *   <li>Basic: the word {@code basic} (any case) at the start of a word, spaces or tabs, then at least 8 characters
 *       of {@code [A-Za-z0-9+/]+=*}. So that English ("Basic authentication failed") survives, a token that is a plain
 *       lower-case word (optionally capitalised) is only replaced when it decodes to something containing {@code :},
 *       as every RFC 7617 {@code user:password} pair does; anything with a digit, {@code +}, {@code /}, {@code =} or
 *       an inner capital is replaced outright. Also, the password in {@code scheme://user:password@host}
 *       ({@code redis://:password@host} too) is replaced, keeping the user and the host.</li>
 *   <li>E-mail: {@code [A-Za-z0-9._%+-]+@} followed by a domain with at least one dot and an alphabetic top-level
 *       label of two or more letters; the whole address is replaced. {@code @Override}, {@code user@},
 *       {@code user@localhost} and {@code lib@1.2.3} are not addresses.</li>
 *   <li>Card number: 13 to 19 ASCII digits, optionally grouped by single spaces or dashes, not glued to a letter or
 *       digit on either side, that pass the Luhn check and do not start with 0 (no payment card's issuer number
 *       does; an all-zero span id or a zero-padded order number is not a card). One in ten random digit runs passes
 *       Luhn, so an id or an epoch-millisecond timestamp of that length is sometimes redacted too; that is accepted
 *       rather than letting a real card through.</li>
 * </ul>
 *
 * <p>Instances are immutable and safe to share between threads; {@link Builder} is not.
 */
final class Redactor {

  /** What every secret is replaced with. */
  static final String REDACTED = RedactionRule.REDACTED;

  /** The names {@link #defaults()} treats as sensitive, before separators are stripped. */
  private static final List<String> DEFAULT_NAMES = List.of(
      "password", "passwd", "pwd", "passphrase", "secret", "token", "authorization", "cookie", "sessionid",
      "api-key", "apikey", "api_key", "accesskey", "secretkey", "signingkey", "encryptionkey", "masterkey",
      "credential", "private-key", "private_key");

  /**
   * Names that are secrets only as a whole word of a field or key name ({@code auth}, {@code X-Auth},
   * {@code basicAuth}), not inside another word ({@code author}).
   */
  private static final char[][] WORD_NAMES = {"auth".toCharArray()};

  private static final int MIN_TOKEN_CHARS = 8;
  private static final int MIN_CARD_DIGITS = 13;
  private static final int MAX_CARD_DIGITS = 19;
  private static final long NO_MATCH = -1L;

  private static final Redactor NONE = new Redactor(new char[0][], false, false, false, false, false, false,
      new Pattern[0], new RedactionRule[0]);
  private static final Redactor DEFAULTS = builder().build();

  /** Lower-case names with separators removed; matched as substrings of a field name. */
  private final char[][] names;
  /** The last characters of {@link #names}, for a quick no to a key that cannot end in one. */
  private final boolean[] nameEnds = new boolean[128];
  private final boolean bearer;
  private final boolean basic;
  private final boolean emails;
  private final boolean cards;
  private final boolean assignments;
  private final boolean knownTokens;
  private final Pattern[] patterns;
  private final RedactionRule[] rules;

  private Redactor(char[][] names, boolean bearer, boolean basic, boolean emails, boolean cards,
      boolean assignments, boolean knownTokens, Pattern[] patterns, RedactionRule[] rules) {
    this.names = names;
    for (char[] name : names) {
      if (name.length > 0 && name[name.length - 1] < 128) {
        nameEnds[name[name.length - 1]] = true;
      }
    }
    this.bearer = bearer;
    this.basic = basic;
    this.emails = emails;
    this.cards = cards;
    this.assignments = assignments;
    this.knownTokens = knownTokens;
    this.patterns = patterns;
    this.rules = rules;
  }

  /** The default sensitive names and every built-in detector; no custom patterns. */
  static Redactor defaults() {
    return DEFAULTS;
  }

  /** A redactor that finds nothing: every name is harmless and every value is returned as it is. */
  static Redactor none() {
    return NONE;
  }

  /** A builder that starts from {@link #defaults()}. */
  static Builder builder() {
    return new Builder();
  }

  /**
   * Whether a field called {@code fieldName} holds a secret, so its whole value should be replaced. Case and the
   * separators {@code -}, {@code _}, {@code .} are ignored on both sides, and any sensitive name contained in
   * {@code fieldName} counts. Allocates nothing. {@code null} is not sensitive.
   */
  boolean isSensitiveName(String fieldName) {
    if (fieldName == null) {
      return false;
    }
    for (char[] name : names) {
      if (containsIgnoringSeparators(fieldName, name)) {
        return true;
      }
    }
    if (names.length > 0) {
      for (char[] word : WORD_NAMES) {
        if (containsWord(fieldName, 0, fieldName.length(), word)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * {@code value} with every secret replaced by {@value #REDACTED} (see the class comment for what is found), or
   * {@code value} itself, the same instance and with nothing allocated, when there is none. {@code null} gives
   * {@code null}. Never throws: should a custom pattern fail on some input (a stack overflow in a backtracking
   * expression, say), the whole value is replaced, since it may hold the secret that pattern was meant to find.
   */
  String redact(String value) {
    if (value == null) {
      return null;
    }
    try {
      return custom((bearer || basic || emails || cards || assignments || knownTokens) && mayHoldSecret(value)
          && mayMatch(value) ? scan(value) : value);
    } catch (RuntimeException | StackOverflowError e) {
      // Fail closed: the encoder must not throw into the application, and must not write what it could not check.
      return REDACTED;
    }
  }

  /** Which detectors are on and how many names and patterns are configured; never the patterns themselves. */
  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("Redactor[sensitiveNames=").append(names.length).append(", detectors=[");
    int length = s.length();
    appendIf(s, bearer, "bearer", length);
    appendIf(s, basic, "basic", length);
    appendIf(s, emails, "email", length);
    appendIf(s, cards, "card", length);
    appendIf(s, assignments, "key=value", length);
    appendIf(s, knownTokens, "known-tokens", length);
    // Only the count: a custom pattern may spell out a literal secret.
    return s.append("], patterns=").append(patterns.length).append(", rules=").append(rules.length).append(']')
        .toString();
  }

  private static void appendIf(StringBuilder s, boolean on, String name, int emptyLength) {
    if (on) {
      s.append(s.length() == emptyLength ? "" : ", ").append(name);
    }
  }

  /**
   * The longest text in which no built-in detector can find anything unless it holds {@code @}, {@code :} or
   * {@code =}: a card number has at least {@value #MIN_CARD_DIGITS} digits, and a bearer or basic credential or a
   * known token needs its word or prefix plus at least {@value #MIN_TOKEN_CHARS} characters (14 at the least, for
   * {@code basic} and a space). E-mail addresses, URL passwords and {@code key=value} secrets need their sign.
   */
  private static final int MAX_CHARS_WITHOUT_SIGNS = MIN_CARD_DIGITS - 1;

  /**
   * False only when {@link #scan} cannot find anything in {@code s}: it is short ({@value #MAX_CHARS_WITHOUT_SIGNS}
   * characters or fewer) and has no {@code @}, {@code :} or {@code =}. Most short values (a user id, a region, an
   * HTTP method) are answered here with a few comparisons, where the scan would look at each character's class and
   * neighbours.
   */
  static boolean mayHoldSecret(String s) {
    int n = s.length();
    if (n > MAX_CHARS_WITHOUT_SIGNS) {
      return true;
    }
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c == '@' || c == ':' || c == '=') {
        return true;
      }
    }
    return false;
  }

  private static final byte OTHER = 0;
  private static final byte DIGIT = 1;
  /** A space or a dash: joins a card number's groups, so it does not end a run of digits. */
  private static final byte JOINER = 2;
  /** {@code @}, {@code :}, {@code =}: where e-mail, URL-password and {@code key=value} detectors look. */
  private static final byte SIGN = 3;
  /** {@code b}/{@code B}: may begin {@code bearer} or {@code basic}. */
  private static final byte SCHEME = 4;
  /** The first letter of a known token (see {@link #mayStartKnownToken}). */
  private static final byte TOKEN = 5;
  private static final byte[] KINDS = new byte[128];

  static {
    for (char c = '0'; c <= '9'; c++) {
      KINDS[c] = DIGIT;
    }
    KINDS[' '] = JOINER;
    KINDS['@'] = SIGN;
    KINDS[':'] = SIGN;
    KINDS['='] = SIGN;
    KINDS['b'] = SCHEME;
    KINDS['B'] = SCHEME;
    for (char c : "eAgxsr".toCharArray()) {
      KINDS[c] = TOKEN;
    }
    KINDS['-'] = JOINER; // and the first character of a private key block, checked with the next one
  }

  /**
   * False only when no built-in detector can match in {@code s}, found in one tight pass: no {@code @}, {@code :}
   * or {@code =}; no run of {@value #MIN_CARD_DIGITS} or more digits joined only by spaces and dashes; no word that
   * begins {@code bearer} or {@code basic}; no word that begins like a known token. Most log messages hold numbers,
   * ids and English and nothing of the kind, and the pass is several times cheaper than {@link #scan}, which decides
   * whenever this says true.
   */
  private boolean mayMatch(String s) {
    int n = s.length();
    int digits = 0;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c >= 128) {
        digits = 0;
        continue;
      }
      switch (KINDS[c]) {
        case DIGIT:
          if (++digits >= MIN_CARD_DIGITS) {
            return true;
          }
          break;
        case JOINER:
          if (c == '-' && i + 1 < n && s.charAt(i + 1) == '-') {
            return true; // perhaps -----BEGIN ... PRIVATE KEY-----
          }
          break;
        case SIGN:
          return true;
        case SCHEME:
          digits = 0;
          if (startsWord(s, i) && (s.regionMatches(true, i + 1, "earer", 0, 5)
              || s.regionMatches(true, i + 1, "asic", 0, 4))) {
            return true;
          }
          break;
        case TOKEN:
          digits = 0;
          if (mayStartKnownToken(s, i, c) && startsWord(s, i)) {
            return true;
          }
          break;
        default:
          digits = 0;
      }
    }
    return false;
  }

  /** {@link #redact} with every detector's scan, never skipped by {@link #mayHoldSecret}: for tests. */
  String redactWithoutShortcut(String value) {
    return custom(scan(value));
  }

  /** {@code value} after the custom patterns and rules. */
  private String custom(String value) {
    String result = value;
    for (Pattern pattern : patterns) {
      result = replaceAll(pattern, result);
    }
    for (RedactionRule rule : rules) {
      String redacted = rule.redact(result);
      result = redacted == null ? REDACTED : redacted;
    }
    return result;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // The built-in pass. Each detector returns the range to replace packed as (start << 32 | end), or NO_MATCH, so a
  // miss allocates nothing.

  private String scan(String s) {
    StringBuilder out = null;
    int copied = 0;
    int n = s.length();
    int i = 0;
    while (i < n) {
      char c = s.charAt(i);
      long match = NO_MATCH;
      if (c >= '0' && c <= '9') {
        if (cards && startsWord(s, i)) {
          match = card(s, i);
        }
      } else if (c == '@') {
        if (emails) {
          match = email(s, i, copied);
        }
      } else if (c == ':' || c == '=') {
        if (c == ':' && basic) {
          match = urlPassword(s, i);
        }
        if (match == NO_MATCH && assignments) {
          match = assignedSecret(s, i, copied);
        }
      } else if ((c | 0x20) == 'b') {
        if (startsWord(s, i)) {
          match = schemeCredentials(s, i);
        }
      } else if (knownTokens && mayStartKnownToken(s, i, c) && startsWord(s, i)) {
        match = knownToken(s, i);
      }
      if (match == NO_MATCH) {
        i++;
        continue;
      }
      int start = (int) (match >>> 32);
      int end = (int) match;
      if (out == null) {
        out = new StringBuilder(n + 16);
      }
      out.append(s, copied, start).append(REDACTED);
      copied = end;
      i = end;
    }
    return out == null ? s : out.append(s, copied, n).toString();
  }

  /**
   * The value of {@code key=value} or {@code key: value} (quoted or not, as in a query string, a config dump or JSON
   * text) whose key ends in a sensitive name: {@code password=hunter2}, {@code ?access_token=…&}, {@code "pwd":"x"},
   * {@code X-Auth: abc}. Not {@code maxTokens=5}: the key must end in the name. The key is looked for backwards at most
   * 64 characters, never before {@code floor}. After an HTTP scheme word ({@code Authorization: Bearer abc}) the
   * credential is the value and the word is kept.
   */
  private long assignedSecret(String s, int sign, int floor) {
    int k = sign - 1;
    while (k >= floor && s.charAt(k) == ' ') {
      k--;
    }
    if (k >= floor && (s.charAt(k) == '"' || s.charAt(k) == '\'')) {
      k--;
    }
    int keyEnd = k + 1;
    while (k >= floor && keyEnd - k <= 64 && isKeyChar(s.charAt(k))) {
      k--;
    }
    int keyStart = k + 1;
    if (keyStart == keyEnd || !isSensitiveKey(s, keyStart, keyEnd)) {
      return NO_MATCH;
    }
    int n = s.length();
    int start = skipBlanks(s, sign + 1);
    if (start >= n) {
      return NO_MATCH;
    }
    char quote = s.charAt(start);
    if (quote == '"' || quote == '\'') {
      int close = s.indexOf(quote, start + 1);
      int end = close < 0 ? n : close;
      return end > start + 1 ? pack(start + 1, end) : NO_MATCH;
    }
    int end = valueEnd(s, start);
    if (end == start) {
      return NO_MATCH;
    }
    if (isSchemeWord(s, start, end)) {
      int credential = skipBlanks(s, end);
      int credentialEnd = valueEnd(s, credential);
      if (credential > end && credentialEnd > credential) {
        return pack(credential, credentialEnd);
      }
    }
    return pack(start, end);
  }

  private static int valueEnd(String s, int from) {
    int end = from;
    while (end < s.length() && !isValueEnd(s.charAt(end))) {
      end++;
    }
    return end;
  }

  private static boolean isValueEnd(char c) {
    return c <= ' ' || c == '&' || c == ',' || c == ';' || c == '"' || c == '\'' || c == ')' || c == ']'
        || c == '}' || c == '<' || c == '>';
  }

  private static boolean isKeyChar(char c) {
    return isAsciiLetterOrDigit(c) || isSeparator(c);
  }

  private static boolean isSchemeWord(String s, int from, int to) {
    int length = to - from;
    return (length == 6 && (s.regionMatches(true, from, "bearer", 0, 6) || s.regionMatches(true, from, "digest", 0, 6)))
        || (length == 5 && (s.regionMatches(true, from, "basic", 0, 5) || s.regionMatches(true, from, "token", 0, 5)))
        || (length == 9 && s.regionMatches(true, from, "negotiate", 0, 9));
  }

  /** Whether the key {@code s[from, to)} ends in a sensitive name, or has a sensitive word as a whole word. */
  private boolean isSensitiveKey(String s, int from, int to) {
    int last = to - 1;
    while (last >= from && isSeparator(s.charAt(last))) {
      last--;
    }
    char end = last < from ? 0 : lowerCase(s.charAt(last));
    boolean endsLikeName = end < 128 && nameEnds[end];
    if (!endsLikeName && !containsAnyWord(s, from, to)) {
      // Most keys (orderId, status, time) end in a letter no sensitive name ends in: one lookup.
      return false;
    }
    for (char[] name : names) {
      if (endsWithIgnoringSeparators(s, from, to, name)) {
        return true;
      }
    }
    return containsAnyWord(s, from, to);
  }

  private boolean containsAnyWord(String s, int from, int to) {
    if (names.length > 0) {
      for (char[] word : WORD_NAMES) {
        if (containsWord(s, from, to, word)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * A secret whose form tells what it is, at the start of a word: a JSON Web Token ({@code eyJ…} header, three
   * base64url parts), a cloud or vendor key (AWS {@code AKIA}/{@code ASIA} access key ids, Google {@code AIza} API
   * keys, GitHub {@code ghp_}/{@code gho_}/{@code ghs_}/{@code ghu_}/{@code ghr_}/{@code github_pat_} tokens, Slack
   * {@code xox?-} tokens, Stripe {@code sk_live_}/{@code rk_live_}/{@code sk_test_} keys) or a PEM private key block
   * ({@code -----BEGIN … PRIVATE KEY-----} to its {@code END} line, or to the end of the text).
   */
  private static long knownToken(String s, int i) {
    char c = s.charAt(i);
    switch (c) {
      case 'e':
        return jwt(s, i);
      case 'A':
        if (s.startsWith("AKIA", i) || s.startsWith("ASIA", i)) {
          return exactRun(s, i, 4, 16, true);
        }
        return s.startsWith("AIza", i) ? exactRun(s, i, 4, 35, false) : NO_MATCH;
      case 'g':
        if (s.startsWith("github_pat_", i)) {
          return minRun(s, i, 11, 22);
        }
        if (s.startsWith("gh", i) && i + 3 < s.length() && "pousr".indexOf(s.charAt(i + 2)) >= 0
            && s.charAt(i + 3) == '_') {
          return minRun(s, i, 4, 30);
        }
        return NO_MATCH;
      case 'x':
        return s.startsWith("xox", i) && i + 4 < s.length() && "abprs".indexOf(s.charAt(i + 3)) >= 0
            && s.charAt(i + 4) == '-' ? minRun(s, i, 5, 10) : NO_MATCH;
      case 's':
      case 'r':
        return s.startsWith("k_live_", i + 1) || (c == 's' && s.startsWith("k_test_", i + 1))
            ? minRun(s, i, 8, 16) : NO_MATCH;
      case '-':
        return privateKeyBlock(s, i);
      default:
        return NO_MATCH;
    }
  }

  /**
   * Whether {@code c} and the character after it can begin a known token ({@code ey}, {@code AK}/{@code AS}/
   * {@code AI}, {@code gh}/{@code gi}, {@code xo}, {@code sk}/{@code rk}, {@code --}): one comparison for most
   * characters of ordinary text, which begin no token.
   */
  private static boolean mayStartKnownToken(String s, int i, char c) {
    if (i + 1 >= s.length()) {
      return false;
    }
    char next = s.charAt(i + 1);
    switch (c) {
      case 'e':
        return next == 'y';
      case 'A':
        return next == 'K' || next == 'S' || next == 'I';
      case 'g':
        return next == 'h' || next == 'i';
      case 'x':
        return next == 'o';
      case 's':
      case 'r':
        return next == 'k';
      case '-':
        return next == '-';
      default:
        return false;
    }
  }

  /** {@code prefix} characters, then exactly {@code length} of [A-Z0-9] (upper) or [A-Za-z0-9_-], then no more. */
  private static long exactRun(String s, int i, int prefix, int length, boolean upper) {
    int end = i + prefix;
    while (end < s.length() && (upper ? isUpperOrDigit(s.charAt(end)) : isTokenChar(s.charAt(end)))) {
      end++;
    }
    return end - i - prefix == length && (end == s.length() || !isAsciiLetterOrDigit(s.charAt(end)))
        ? pack(i, end) : NO_MATCH;
  }

  /** {@code prefix} characters, then at least {@code min} of [A-Za-z0-9_-]. */
  private static long minRun(String s, int i, int prefix, int min) {
    int end = i + prefix;
    while (end < s.length() && isTokenChar(s.charAt(end))) {
      end++;
    }
    return end - i - prefix >= min ? pack(i, end) : NO_MATCH;
  }

  /** A JWT: {@code eyJ} and base64url, a dot, base64url, a dot, base64url (the signature may be empty). */
  private static long jwt(String s, int i) {
    if (!s.startsWith("eyJ", i)) {
      return NO_MATCH;
    }
    int n = s.length();
    int end = i;
    for (int part = 0; part < 3; part++) {
      int from = end;
      while (end < n && isBase64UrlChar(s.charAt(end))) {
        end++;
      }
      if (part < 2 && (end - from < 10 || end >= n || s.charAt(end) != '.')) {
        return NO_MATCH;
      }
      if (part < 2) {
        end++;
      }
    }
    return pack(i, end);
  }

  private static long privateKeyBlock(String s, int i) {
    if (!s.startsWith("-----BEGIN ", i)) {
      return NO_MATCH;
    }
    int headerEnd = s.indexOf("-----", i + 11);
    if (headerEnd < 0 || headerEnd - i > 80 || !s.startsWith("PRIVATE KEY", headerEnd - 11)) {
      return NO_MATCH;
    }
    int end = s.indexOf("-----END ", headerEnd + 5);
    int close = end < 0 ? -1 : s.indexOf("-----", end + 9);
    if (close >= 0 && close - end <= 80 && s.startsWith("PRIVATE KEY", close - 11)) {
      return pack(i, close + 5);
    }
    // No END line (a key cut short): the block is the header and the base64 lines after it.
    int k = headerEnd + 5;
    int blockEnd = k;
    while (k < s.length()) {
      int lineEnd = s.indexOf('\n', k + 1);
      int stop = lineEnd < 0 ? s.length() : lineEnd;
      int from = k < s.length() && s.charAt(k) == '\n' ? k + 1 : k;
      if (from >= stop || !isPemLine(s, from, stop)) {
        break;
      }
      blockEnd = stop;
      k = stop;
    }
    return pack(i, blockEnd);
  }

  private static boolean isPemLine(String s, int from, int to) {
    for (int k = from; k < to; k++) {
      char c = s.charAt(k);
      if (!(isBase64Char(c) || c == '=' || c == '\r')) {
        return false;
      }
    }
    return true;
  }

  /** {@code Bearer <token>} or {@code Basic <base64>} at {@code i}: the token's range. */
  private long schemeCredentials(String s, int i) {
    if (bearer && s.regionMatches(true, i, "bearer", 0, 6)) {
      return bearerToken(s, i + 6);
    }
    if (basic && s.regionMatches(true, i, "basic", 0, 5)) {
      return basicToken(s, i + 5);
    }
    return NO_MATCH;
  }

  private static long bearerToken(String s, int afterScheme) {
    int start = skipBlanks(s, afterScheme);
    if (start == afterScheme) {
      return NO_MATCH;
    }
    int end = start;
    while (end < s.length() && isBearerChar(s.charAt(end))) {
      end++;
    }
    return end - start >= MIN_TOKEN_CHARS ? pack(start, end) : NO_MATCH;
  }

  private static long basicToken(String s, int afterScheme) {
    int start = skipBlanks(s, afterScheme);
    if (start == afterScheme) {
      return NO_MATCH;
    }
    int n = s.length();
    int padding = start;
    while (padding < n && isBase64Char(s.charAt(padding))) {
      padding++;
    }
    int end = padding;
    while (end < n && s.charAt(end) == '=') {
      end++;
    }
    if (padding == start || end - start < MIN_TOKEN_CHARS) {
      return NO_MATCH;
    }
    return end > padding || !isPlainWord(s, start, padding) || decodesToColon(s, start, padding)
        ? pack(start, end) : NO_MATCH;
  }

  /** Whether {@code [from, to)} is lower-case ASCII letters, the first possibly a capital: English, not base64. */
  private static boolean isPlainWord(String s, int from, int to) {
    for (int k = from; k < to; k++) {
      char c = s.charAt(k);
      if ((c < 'a' || c > 'z') && (k > from || c < 'A' || c > 'Z')) {
        return false;
      }
    }
    return true;
  }

  /** Whether the base64 in {@code [from, to)} decodes to bytes that include {@code ':'}, as a user:password does. */
  private static boolean decodesToColon(String s, int from, int to) {
    int bits = 0;
    int buffer = 0;
    for (int k = from; k < to; k++) {
      buffer = (buffer << 6) | base64Value(s.charAt(k));
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        if (((buffer >>> bits) & 0xFF) == ':') {
          return true;
        }
        buffer &= (1 << bits) - 1;
      }
    }
    return false;
  }

  /** The password of {@code scheme://user:password@host}, given the {@code :} before {@code //}. */
  private static long urlPassword(String s, int colon) {
    int n = s.length();
    if (colon == 0 || !isAsciiLetterOrDigit(s.charAt(colon - 1))
        || colon + 2 >= n || s.charAt(colon + 1) != '/' || s.charAt(colon + 2) != '/') {
      return NO_MATCH;
    }
    int authority = colon + 3;
    int firstColon = -1;
    int lastAt = -1;
    // The authority ends where the path, query or fragment begins, or where the URL ends in running text.
    for (int k = authority; k < n; k++) {
      char c = s.charAt(k);
      if (c == '/' || c == '?' || c == '#' || c == '\\' || c <= ' ' || c == '"' || c == '\'' || c == '<'
          || c == '>' || c == '`') {
        break;
      }
      if (c == ':' && firstColon < 0) {
        firstColon = k;
      } else if (c == '@') {
        lastAt = k;
      }
    }
    // A password may itself contain a raw '@'; browsers take the last one as the end of the user info, and so do we.
    if (lastAt < 0 || firstColon < 0 || firstColon + 1 >= lastAt) {
      return NO_MATCH;
    }
    return pack(firstColon + 1, lastAt);
  }

  /**
   * The e-mail address around the {@code @} at {@code at}. The local part is looked for backwards, but never before
   * {@code floor} (the end of the last secret), so no character is scanned backwards twice.
   */
  private static long email(String s, int at, int floor) {
    int start = at;
    while (start > floor && isLocalChar(s.charAt(start - 1))) {
      start--;
    }
    if (start == at) {
      return NO_MATCH;
    }
    int n = s.length();
    int end = at + 1;
    while (end < n && isDomainChar(s.charAt(end))) {
      end++;
    }
    // A trailing '.' or '-' ends the sentence, not the domain.
    while (end > at + 1 && !isAsciiLetterOrDigit(s.charAt(end - 1))) {
      end--;
    }
    int label = at + 1;
    boolean dotted = false;
    for (int k = at + 1; k < end; k++) {
      if (s.charAt(k) == '.') {
        if (k == label) {
          return NO_MATCH;
        }
        dotted = true;
        label = k + 1;
      }
    }
    if (!dotted || end - label < 2) {
      return NO_MATCH;
    }
    for (int k = label; k < end; k++) {
      if (!isAsciiLetter(s.charAt(k))) {
        return NO_MATCH;
      }
    }
    return pack(start, end);
  }

  /**
   * The longest card number starting at {@code from} (the first digit of a word): groups of digits joined by one
   * space or dash, 13 to 19 digits in all, ending at a group not glued to a letter or digit, passing Luhn. Looks at
   * no more than 19 digits, so a long digit run costs one short look at its start.
   */
  private static long card(String s, int from) {
    if (s.charAt(from) == '0') {
      return NO_MATCH; // no card number starts with 0: payment issuers' numbers begin with 1 to 9
    }
    int n = s.length();
    int digits = 0;
    // Luhn sums for both parities, since the digit count (which decides the parity) is only known at the end.
    int sumDoublingEven = 0;
    int sumDoublingOdd = 0;
    int best = -1;
    int k = from;
    while (true) {
      char c;
      while (k < n && (c = s.charAt(k)) >= '0' && c <= '9') {
        int digit = c - '0';
        int doubled = digit < 5 ? digit * 2 : digit * 2 - 9;
        if ((digits & 1) == 0) {
          sumDoublingEven += doubled;
          sumDoublingOdd += digit;
        } else {
          sumDoublingEven += digit;
          sumDoublingOdd += doubled;
        }
        if (++digits > MAX_CARD_DIGITS) {
          return best < 0 ? NO_MATCH : pack(from, best);
        }
        k++;
      }
      if (k < n && Character.isLetterOrDigit(s.charAt(k))) {
        break;
      }
      int sum = (digits & 1) == 0 ? sumDoublingEven : sumDoublingOdd;
      if (digits >= MIN_CARD_DIGITS && sum % 10 == 0) {
        best = k;
      }
      if (k + 1 < n && (s.charAt(k) == ' ' || s.charAt(k) == '-') && isAsciiDigit(s.charAt(k + 1))) {
        k++;
      } else {
        break;
      }
    }
    return best < 0 ? NO_MATCH : pack(from, best);
  }

  private static String replaceAll(Pattern pattern, String s) {
    Matcher matcher = pattern.matcher(s);
    StringBuilder out = null;
    int copied = 0;
    while (matcher.find()) {
      // An empty match (a lookaround, say) hides nothing; replacing it would only insert noise.
      if (matcher.end() == matcher.start()) {
        continue;
      }
      if (out == null) {
        out = new StringBuilder(s.length() + 16);
      }
      out.append(s, copied, matcher.start()).append(REDACTED);
      copied = matcher.end();
    }
    return out == null ? s : out.append(s, copied, s.length()).toString();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Character classes, ASCII only where the formats are.

  private static long pack(int start, int end) {
    return ((long) start << 32) | end;
  }

  private static boolean startsWord(String s, int i) {
    return i == 0 || !Character.isLetterOrDigit(s.charAt(i - 1));
  }

  private static int skipBlanks(String s, int from) {
    int k = from;
    while (k < s.length() && (s.charAt(k) == ' ' || s.charAt(k) == '\t')) {
      k++;
    }
    return k;
  }

  private static boolean isAsciiDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static boolean isAsciiLetter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  private static boolean isAsciiLetterOrDigit(char c) {
    return isAsciiLetter(c) || isAsciiDigit(c);
  }

  private static boolean isBearerChar(char c) {
    return isAsciiLetterOrDigit(c) || c == '.' || c == '_' || c == '~' || c == '+' || c == '/' || c == '='
        || c == '-';
  }

  private static boolean isBase64Char(char c) {
    return isAsciiLetterOrDigit(c) || c == '+' || c == '/';
  }

  private static boolean isBase64UrlChar(char c) {
    return isAsciiLetterOrDigit(c) || c == '-' || c == '_';
  }

  private static boolean isTokenChar(char c) {
    return isAsciiLetterOrDigit(c) || c == '-' || c == '_';
  }

  private static boolean isUpperOrDigit(char c) {
    return (c >= 'A' && c <= 'Z') || isAsciiDigit(c);
  }

  private static int base64Value(char c) {
    if (c >= 'A' && c <= 'Z') {
      return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
      return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
      return c - '0' + 52;
    }
    return c == '+' ? 62 : 63;
  }

  private static boolean isLocalChar(char c) {
    return isAsciiLetterOrDigit(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
  }

  private static boolean isDomainChar(char c) {
    return isAsciiLetterOrDigit(c) || c == '.' || c == '-';
  }

  private static boolean isSeparator(char c) {
    return c == '-' || c == '_' || c == '.';
  }

  private static char lowerCase(char c) {
    if (c >= 'A' && c <= 'Z') {
      return (char) (c + ('a' - 'A'));
    }
    return c < 0x80 ? c : Character.toLowerCase(c);
  }

  /** Whether {@code name}, lower-cased and without separators, contains {@code needle} (already so). */
  private static boolean containsIgnoringSeparators(String name, char[] needle) {
    int n = name.length();
    for (int start = 0; start < n; start++) {
      if (lowerCase(name.charAt(start)) != needle[0]) {
        continue;
      }
      int matched = 1;
      for (int k = start + 1; k < n && matched < needle.length; k++) {
        char c = name.charAt(k);
        if (isSeparator(c)) {
          continue;
        }
        if (lowerCase(c) != needle[matched]) {
          break;
        }
        matched++;
      }
      if (matched == needle.length) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code s[from, to)}, lower-cased and without separators, ends with {@code needle}. */
  private static boolean endsWithIgnoringSeparators(String s, int from, int to, char[] needle) {
    int matched = needle.length;
    for (int k = to - 1; k >= from && matched > 0; k--) {
      char c = s.charAt(k);
      if (isSeparator(c)) {
        continue;
      }
      if (lowerCase(c) != needle[--matched]) {
        return false;
      }
    }
    return matched == 0;
  }

  /**
   * Whether {@code word} (lower case) is a whole word of the name {@code s[from, to)}: preceded by its start, a
   * separator or a lower-to-upper case change ({@code basicAuth}), and followed by its end, a separator or an upper
   * case letter. So {@code auth}, {@code X-Auth} and {@code basicAuth} hold the word {@code auth}; {@code author}
   * does not.
   */
  private static boolean containsWord(String s, int from, int to, char[] word) {
    int last = to - word.length;
    for (int start = from; start <= last; start++) {
      boolean matches = true;
      for (int k = 0; k < word.length; k++) {
        if (lowerCase(s.charAt(start + k)) != word[k]) {
          matches = false;
          break;
        }
      }
      if (!matches) {
        continue;
      }
      char first = s.charAt(start);
      boolean before = start == from || isSeparator(s.charAt(start - 1))
          || (Character.isUpperCase(first) && !Character.isUpperCase(s.charAt(start - 1)));
      int end = start + word.length;
      boolean after = end == to || isSeparator(s.charAt(end)) || Character.isUpperCase(s.charAt(end));
      if (before && after) {
        return true;
      }
    }
    return false;
  }

  /**
   * Configures a {@link Redactor}; starts from {@link #defaults()}. Not thread-safe; the built redactor is.
   * Configuration errors throw {@link IllegalArgumentException} here, at start-up, naming the bad value.
   */
  static final class Builder {

    private final Set<String> extraNames = new LinkedHashSet<>();
    private final List<Pattern> patterns = new ArrayList<>();
    private boolean sensitiveNamesDefaults = true;
    private boolean bearer = true;
    private boolean basic = true;
    private boolean emails = true;
    private boolean cards = true;
    private boolean assignments = true;
    private boolean knownTokens = true;
    private final List<RedactionRule> rules = new ArrayList<>();

    private Builder() {}

    /** Whether {@code key=value} and {@code key: value} secrets in text (a sensitive key's value) are redacted. */
    Builder detectAssignments(boolean on) {
      assignments = on;
      return this;
    }

    /** Whether JWTs, cloud and vendor keys and private key blocks are redacted. */
    Builder detectKnownTokens(boolean on) {
      knownTokens = on;
      return this;
    }

    /** Turns every built-in detector and the default sensitive names off: only what is added applies. */
    Builder noDefaults() {
      sensitiveNamesDefaults = false;
      bearer = false;
      basic = false;
      emails = false;
      cards = false;
      assignments = false;
      knownTokens = false;
      return this;
    }

    /** Applies {@code rule} after the built-in detectors and the patterns. */
    Builder addRule(RedactionRule rule) {
      if (rule == null) {
        throw new IllegalArgumentException("addRule: the redaction rule is null");
      }
      rules.add(rule);
      return this;
    }

    /**
     * Treats field names containing {@code name} as sensitive, in addition to the defaults (unless those are off).
     * Matching ignores case and {@code -}, {@code _}, {@code .}.
     *
     * @throws IllegalArgumentException if {@code name} is null or nothing but separators and blanks
     */
    Builder addSensitiveName(String name) {
      String stripped = name == null ? "" : strip(name.trim());
      if (stripped.isEmpty()) {
        throw new IllegalArgumentException("addSensitiveName: '" + name
            + "' is empty once separators are removed, and would match every field name");
      }
      extraNames.add(stripped);
      return this;
    }

    /** Whether the default sensitive names ({@code password}, {@code token}, {@code cookie}, ...) apply. */
    Builder sensitiveNamesDefaults(boolean on) {
      sensitiveNamesDefaults = on;
      return this;
    }

    /** Whether {@code Bearer <token>} tokens are redacted. */
    Builder detectBearerTokens(boolean on) {
      bearer = on;
      return this;
    }

    /** Whether {@code Basic <base64>} credentials and passwords in {@code scheme://user:password@host} are redacted. */
    Builder detectBasicAuth(boolean on) {
      basic = on;
      return this;
    }

    /** Whether e-mail addresses are redacted. */
    Builder detectEmails(boolean on) {
      emails = on;
      return this;
    }

    /** Whether Luhn-valid card numbers are redacted. */
    Builder detectCardNumbers(boolean on) {
      cards = on;
      return this;
    }

    /**
     * Redacts every non-empty match of {@code regex} ({@link Pattern} syntax), after the built-in detectors. Each
     * pattern costs a regex pass over every value, and a backtracking-prone one can be slow on long values.
     *
     * @throws IllegalArgumentException if {@code regex} is null, does not compile, or matches the empty string
     */
    Builder addPattern(String regex) {
      if (regex == null) {
        throw new IllegalArgumentException("addPattern: the redaction pattern is null");
      }
      Pattern pattern;
      try {
        pattern = Pattern.compile(regex);
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException("addPattern: redaction pattern '" + regex
            + "' is not a valid regular expression: " + e.getDescription() + " near index " + e.getIndex(), e);
      }
      if (pattern.matcher("").matches()) {
        throw new IllegalArgumentException("addPattern: redaction pattern '" + regex
            + "' matches the empty string; it must match the secret itself");
      }
      patterns.add(pattern);
      return this;
    }

    /** An immutable redactor with this configuration. */
    Redactor build() {
      Set<String> all = new LinkedHashSet<>();
      if (sensitiveNamesDefaults) {
        for (String name : DEFAULT_NAMES) {
          all.add(strip(name));
        }
      }
      all.addAll(extraNames);
      char[][] names = new char[all.size()][];
      int i = 0;
      for (String name : all) {
        names[i++] = name.toCharArray();
      }
      return new Redactor(names, bearer, basic, emails, cards, assignments, knownTokens,
          patterns.toArray(new Pattern[0]), rules.toArray(new RedactionRule[0]));
    }

    /** Lower-cased char by char, exactly as field names are compared, with separators removed. */
    private static String strip(String name) {
      StringBuilder s = new StringBuilder(name.length());
      for (int k = 0; k < name.length(); k++) {
        char c = name.charAt(k);
        if (!isSeparator(c)) {
          s.append(lowerCase(c));
        }
      }
      return s.toString();
    }
  }
}
