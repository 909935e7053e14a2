package dev.threadline.cli;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The LogQL subset that {@link FakeLoki} evaluates, parsed the way Loki parses it, with Loki's error texts.
 *
 * <p>Written from Loki's behaviour, not from its code (grafana/loki is AGPL). What it models, and where each rule
 * is in grafana/loki:
 *
 * <ul>
 *   <li>Tokens: {@code pkg/logql/syntax/lex.go} over {@code pkg/logql/syntax/query_scanner.go} (a copy of Go's
 *       {@code text/scanner}). Keywords ({@code by}, {@code or}, {@code and}, {@code offset}, …) are
 *       case-insensitive; a function name ({@code sum}, {@code count_over_time}, …) is a function token only when the
 *       next non-blank text is {@code (} or {@code by}/{@code without} then {@code (}, else it is an identifier (so
 *       {@code sum by level (…)} fails at column 1); {@code [..]} is one RANGE token parsed with Prometheus'
 *       {@code model.ParseDuration} (units ms s m h d w y, biggest first, no fractions); the duration after
 *       {@code offset} is Prometheus' or else Go's {@code time.ParseDuration}. Any other character is an IDENTIFIER.
 *       Comments: {@code #} to the end of the line, and Go's {@code //} and {@code /* *}{@code /}.
 *   <li>Strings: double quotes with Go escapes (an unknown escape such as {@code "\d"} is the scanner's
 *       {@code invalid char escape}, reported at the string's first column), or backquotes, raw.
 *   <li>Error text ({@code pkg/logqlmodel/error.go} ParseError): {@code parse error at line L, col C: MSG}, or
 *       {@code parse error : MSG} for a check made after parsing (line and column 0). Columns count characters from
 *       1. A token the lexer read with more than one {@code Next()} call (two-character operators such as {@code |=},
 *       RANGE, DURATION) leaves the scanner's line at 0, so Loki reports {@code line 0} for it. Syntax errors are
 *       goyacc's: {@code syntax error: unexpected X}, plus {@code , expecting A or B} when the parser state can shift
 *       at most four tokens ({@code pkg/logql/syntax/syntax.y.go}, {@code syntaxErrorMessage}); token names are the
 *       operator text for the tokens of lex.go's {@code tokens} map and the grammar's names otherwise (IDENTIFIER,
 *       STRING, RANGE, COUNT_OVER_TIME, $end). The expected-token lists used here were checked against Loki's
 *       generated parser tables by replaying them on some 180 queries, valid and invalid; every syntax error of the
 *       subset reads as Loki's, line and column included.
 *   <li>The empty-compatible rule ({@code pkg/logql/syntax/parser.go} validateMatchers with
 *       {@code pkg/util/matchers.go}): at least one selector matcher must not match the empty string; {@code =~".*"}
 *       counts for nothing. {@code {app!=""}} is therefore valid, {@code {app!="x"}} and {@code {}} are not.
 *   <li>Selector regexes are Prometheus matchers, fully anchored with {@code (?s)}
 *       ({@code vendor/github.com/prometheus/prometheus/model/labels/regexp.go}); pipeline label-filter regexes are
 *       anchored without {@code (?s)} ({@code pkg/logql/log/filter.go} parseRegexpFilter with isLabel); line filter
 *       regexes are unanchored. A missing label reads as the empty string ({@code pkg/logql/log/label_filter.go}).
 *   <li>Label filters combine with {@code and}, {@code ,}, juxtaposition and {@code or}; {@code and} binds tighter
 *       than {@code or} ({@code %left} order in syntax.y), while {@code ,} and juxtaposition have no precedence, so
 *       yacc shifts: {@code a, b or c} is {@code a and (b or c)} but {@code a and b or c} is {@code (a and b) or c}.
 *   <li>Labels seen by label filters and by metric grouping are the stream labels plus the entry's structured
 *       metadata; metadata whose name is also a stream label is renamed {@code NAME_extracted}
 *       ({@code pkg/logql/log/labels.go} LabelsBuilder.Add, {@code duplicateSuffix} in pkg/logql/log/parser.go).
 *   <li>{@code count_over_time(...) by (x)} is {@code grouping not allowed for count_over_time aggregation}
 *       ({@code pkg/logql/syntax/ast.go} RangeAggregationExpr.validate).
 * </ul>
 *
 * <p>Valid LogQL outside the subset (parsers such as {@code | json}, numeric label filters, other functions, binary
 * operations, {@code or} between line filters, {@code |>} patterns) is refused with
 * {@code parse error at line L, col C: FakeLoki does not support ...}, so a test never mistakes it for Loki's answer.
 * Regex syntax errors carry Go's form ({@code error parsing regexp: CODE: `FRAGMENT`}) but the code and fragment are
 * a best effort from Java's message.
 */
final class FakeLokiLogQL {

  private FakeLokiLogQL() {}

  /** Loki refuses longer queries ({@code pkg/logql/syntax/parser.go} maxInputSize). */
  static final int MAX_INPUT_SIZE = 131072;

  /** A query Loki would refuse, with Loki's text ({@code parse error ...}); Loki answers it with a 400. */
  static final class ParseError extends Exception {
    private static final long serialVersionUID = 1L;

    ParseError(String message, int line, int col) {
      super(line == 0 && col == 0
          ? "parse error : " + message
          : "parse error at line " + line + ", col " + col + ": " + message);
    }
  }

  // ---------------------------------------------------------------- the parsed query

  /** A log query or a metric query. */
  sealed interface Query permits LogQuery, MetricQuery {}

  /** A stream selector and its pipeline of filters. */
  record LogQuery(List<LabelMatcher> selector, List<Stage> stages) implements Query {

    /** Whether an entry with these stream labels and this view of all its labels passes. */
    boolean matches(Map<String, String> streamLabels, Map<String, String> allLabels, String line) {
      for (LabelMatcher m : selector) {
        if (!m.matches(streamLabels.getOrDefault(m.name(), ""))) {
          return false;
        }
      }
      for (Stage stage : stages) {
        if (!stage.keep(allLabels, line)) {
          return false;
        }
      }
      return true;
    }
  }

  /**
   * {@code count_over_time(LOG [RANGE] offset OFFSET)}, alone ({@code grouping} null) or inside
   * {@code sum by|without (labels)}.
   */
  record MetricQuery(LogQuery log, long rangeNanos, long offsetNanos, Grouping grouping) implements Query {}

  /** {@code sum}'s grouping: {@code by (labels)} ({@code without} false) or {@code without (labels)}. */
  record Grouping(boolean without, List<String> labels) {

    /** The series labels that {@code sum} keeps of {@code labels}. */
    SortedMap<String, String> apply(Map<String, String> labels) {
      SortedMap<String, String> out = new TreeMap<>();
      for (Map.Entry<String, String> e : labels.entrySet()) {
        if (this.labels.contains(e.getKey()) != without && !e.getValue().isEmpty()) {
          out.put(e.getKey(), e.getValue());
        }
      }
      return out;
    }
  }

  /** One pipeline stage: a line filter or a label filter expression. */
  sealed interface Stage permits LineFilter, LabelFilter {
    boolean keep(Map<String, String> labels, String line);
  }

  /** {@code |= "s"}, {@code != "s"}, {@code |~ "re"}, {@code !~ "re"} ({@code pkg/logql/log/filter.go}). */
  record LineFilter(String op, String value, Pattern regex) implements Stage {
    @Override
    public boolean keep(Map<String, String> labels, String line) {
      switch (op) {
        case "|=":
          return line.contains(value);
        case "!=":
          return !line.contains(value);
        case "|~":
          return regex.matcher(line).find();
        default:
          return !regex.matcher(line).find();
      }
    }
  }

  /** {@code | expr} where expr combines label matchers with and/or. */
  record LabelFilter(FilterExpr expr) implements Stage {
    @Override
    public boolean keep(Map<String, String> labels, String line) {
      return expr.test(labels);
    }
  }

  /** A label filter expression. */
  sealed interface FilterExpr permits And, Or, Leaf {
    boolean test(Map<String, String> labels);
  }

  record And(FilterExpr left, FilterExpr right) implements FilterExpr {
    @Override
    public boolean test(Map<String, String> labels) {
      return left.test(labels) && right.test(labels);
    }
  }

  record Or(FilterExpr left, FilterExpr right) implements FilterExpr {
    @Override
    public boolean test(Map<String, String> labels) {
      return left.test(labels) || right.test(labels);
    }
  }

  record Leaf(LabelMatcher matcher) implements FilterExpr {
    @Override
    public boolean test(Map<String, String> labels) {
      return matcher.matches(labels.getOrDefault(matcher.name(), ""));
    }
  }

  /** {@code name OP "value"} with OP one of {@code = != =~ !~}; regexes fully anchored. */
  record LabelMatcher(String name, String op, String value, Pattern regex) {
    boolean matches(String actual) {
      switch (op) {
        case "=":
          return actual.equals(value);
        case "!=":
          return !actual.equals(value);
        case "=~":
          return regex.matcher(actual).matches();
        default:
          return !regex.matcher(actual).matches();
      }
    }
  }

  // ---------------------------------------------------------------- parsing

  /** Parses {@code input} as Loki's {@code syntax.ParseExpr} does (syntax, then validation). */
  static Query parse(String input) throws ParseError {
    if (input.length() >= MAX_INPUT_SIZE) {
      throw new ParseError("input size too long (" + input.length() + " > " + MAX_INPUT_SIZE + ")", 0, 0);
    }
    Query query = new Parser(new Lexer(input)).parseRoot();
    LogQuery log = query instanceof MetricQuery ? ((MetricQuery) query).log() : (LogQuery) query;
    if (!hasNonEmptyMatcher(log.selector())) {
      throw new ParseError(EMPTY_COMPATIBLE, 0, 0);
    }
    return query;
  }

  /** Loki's text for the empty-compatible rule ({@code pkg/logql/syntax/parser.go}). */
  static final String EMPTY_COMPATIBLE = "queries require at least one regexp or equality matcher that does not "
      + "have an empty-compatible value. For instance, app=~\".*\" does not meet this requirement, but "
      + "app=~\".+\" will";

  private static boolean hasNonEmptyMatcher(List<LabelMatcher> matchers) {
    for (LabelMatcher m : matchers) {
      if (!m.matches("")) {
        return true;
      }
    }
    return false;
  }

  /** Token kinds; {@link Token#name} is what Loki prints for the token in a syntax error. */
  enum Kind { EOF, IDENTIFIER, STRING, NUMBER, DURATION, BYTES, RANGE, FLAG, FUNCTION, KEYWORD, OPERATOR }

  /** A token: {@code value} is the unquoted string, the lower-cased keyword or function, or the operator. */
  record Token(Kind kind, String name, String value, long nanos, int line, int col) {
    boolean is(String operatorOrKeyword) {
      return (kind == Kind.OPERATOR || kind == Kind.KEYWORD) && value.equals(operatorOrKeyword);
    }

    boolean isFunction(String function) {
      return kind == Kind.FUNCTION && value.equals(function);
    }
  }

  /** Function tokens of lex.go and their grammar names. */
  private static final Map<String, String> FUNCTIONS = Map.ofEntries(
      Map.entry("rate", "RATE"), Map.entry("rate_counter", "RATE_COUNTER"),
      Map.entry("count_over_time", "COUNT_OVER_TIME"), Map.entry("bytes_rate", "BYTES_RATE"),
      Map.entry("bytes_over_time", "BYTES_OVER_TIME"), Map.entry("avg_over_time", "AVG_OVER_TIME"),
      Map.entry("sum_over_time", "SUM_OVER_TIME"), Map.entry("min_over_time", "MIN_OVER_TIME"),
      Map.entry("max_over_time", "MAX_OVER_TIME"), Map.entry("stdvar_over_time", "STDVAR_OVER_TIME"),
      Map.entry("stddev_over_time", "STDDEV_OVER_TIME"), Map.entry("quantile_over_time", "QUANTILE_OVER_TIME"),
      Map.entry("first_over_time", "FIRST_OVER_TIME"), Map.entry("last_over_time", "LAST_OVER_TIME"),
      Map.entry("absent_over_time", "ABSENT_OVER_TIME"), Map.entry("vector", "VECTOR"), Map.entry("sum", "SUM"),
      Map.entry("avg", "AVG"), Map.entry("max", "MAX"), Map.entry("min", "MIN"), Map.entry("count", "COUNT"),
      Map.entry("stddev", "STDDEV"), Map.entry("stdvar", "STDVAR"), Map.entry("bottomk", "BOTTOMK"),
      Map.entry("topk", "TOPK"), Map.entry("sort", "SORT"), Map.entry("sort_desc", "SORT_DESC"),
      Map.entry("label_replace", "LABEL_REPLACE"), Map.entry("approx_topk", "APPROX_TOPK"),
      Map.entry("bytes", "BYTES_CONV"), Map.entry("duration", "DURATION_CONV"),
      Map.entry("duration_seconds", "DURATION_SECONDS_CONV"), Map.entry("ip", "ip"));

  /** Word tokens of lex.go's {@code tokens} map; Loki prints them as written here. */
  private static final Set<String> KEYWORDS = Set.of("by", "without", "bool", "offset", "on", "ignoring",
      "group_left", "group_right", "or", "and", "unless", "json", "regexp", "logfmt", "unpack", "pattern",
      "label_format", "line_format", "ip", "decolorize", "drop", "keep", "unwrap");

  /** Pipeline stages Loki has that FakeLoki does not model. */
  private static final Set<String> STAGE_KEYWORDS = Set.of("json", "regexp", "logfmt", "unpack", "pattern",
      "label_format", "line_format", "decolorize", "drop", "keep", "unwrap");

  private static final Set<String> TWO_CHAR_OPERATORS = Set.of("!=", "=~", "!~", "!>", "|=", "|~", "|>", "==", ">=",
      "<=");
  private static final String ONE_CHAR_OPERATORS = ",.{}=|()]+-*/%^><";
  private static final Set<String> BINARY_OPERATORS = Set.of("or", "and", "unless", "+", "-", "*", "/", "%", "^",
      "==", "!=", ">", ">=", "<", "<=");

  /** Loki's lexer over Go's text/scanner, for the tokens the subset needs (see the class comment). */
  static final class Lexer {
    private final int[] src;
    private int pos;

    Lexer(String input) {
      this.src = input.codePoints().toArray();
    }

    private int at(int i) {
      return i < src.length ? src[i] : -1;
    }

    private int[] lineCol(int index) {
      int line = 1;
      int lineStart = 0;
      for (int i = 0; i < index; i++) {
        if (src[i] == '\n') {
          line++;
          lineStart = i + 1;
        }
      }
      return new int[] {line, index - lineStart + 1};
    }

    private static boolean isGoWhitespace(int c) {
      return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }

    private void skipBlanksAndComments() throws ParseError {
      while (true) {
        while (isGoWhitespace(at(pos))) {
          pos++;
        }
        if (at(pos) == '#') {
          while (at(pos) != '\n' && at(pos) != -1) {
            pos++;
          }
        } else if (at(pos) == '/' && at(pos + 1) == '/') {
          while (at(pos) != '\n' && at(pos) != -1) {
            pos++;
          }
        } else if (at(pos) == '/' && at(pos + 1) == '*') {
          int start = pos;
          pos += 2;
          while (!(at(pos) == '*' && at(pos + 1) == '/')) {
            if (at(pos) == -1) {
              int[] lc = lineCol(start);
              throw new ParseError("comment not terminated", lc[0], lc[1]);
            }
            pos++;
          }
          pos += 2;
        } else {
          return;
        }
      }
    }

    Token next() throws ParseError {
      skipBlanksAndComments();
      int start = pos;
      int[] lc = lineCol(start);
      int line = lc[0];
      int col = lc[1];
      int c = at(pos);
      if (c == -1) {
        return new Token(Kind.EOF, "$end", "", 0, line, col);
      }
      if (c == '_' || Character.isLetter(c)) {
        while (at(pos) == '_' || Character.isLetterOrDigit(at(pos))) {
          pos++;
        }
        String text = new String(src, start, pos - start);
        String lower = text.toLowerCase(Locale.ROOT);
        if (FUNCTIONS.containsKey(lower)) {
          return isFunctionCall(pos)
              ? new Token(Kind.FUNCTION, FUNCTIONS.get(lower), lower, 0, line, col)
              : new Token(Kind.IDENTIFIER, "IDENTIFIER", text, 0, line, col);
        }
        if (KEYWORDS.contains(lower)) {
          return new Token(Kind.KEYWORD, lower, lower, 0, line, col);
        }
        return new Token(Kind.IDENTIFIER, "IDENTIFIER", text, 0, line, col);
      }
      if (Character.isDigit(c) && c < 128 || c == '.' && Character.isDigit(at(pos + 1))) {
        return number(start, line, col);
      }
      if (c == '"' || c == '`') {
        return string(start, line, col);
      }
      if (c == '\'') {
        return charLiteral(start, line, col);
      }
      if (c == '-' && at(pos + 1) != '-') {
        Token duration = tryDuration("-", pos + 1, col);
        if (duration != null) {
          return duration;
        }
      }
      if (c == '[') {
        StringBuilder content = new StringBuilder();
        for (pos++; at(pos) != -1; pos++) {
          if (at(pos) == ']') {
            pos++;
            try {
              return new Token(Kind.RANGE, "RANGE", content.toString(), promDuration(content.toString()), 0, col);
            } catch (IllegalArgumentException e) {
              throw new ParseError(e.getMessage(), 0, col);
            }
          }
          content.appendCodePoint(at(pos));
        }
        throw new ParseError("missing closing ']' in duration", 0, col);
      }
      if (at(pos + 1) != -1) {
        String two = new String(src, pos, 2);
        if (TWO_CHAR_OPERATORS.contains(two)) {
          pos += 2;
          return new Token(Kind.OPERATOR, two, two, 0, 0, col);
        }
      }
      pos++;
      String one = new String(src, start, 1);
      if (ONE_CHAR_OPERATORS.contains(one)) {
        return new Token(Kind.OPERATOR, one, one, 0, line, col);
      }
      return new Token(Kind.IDENTIFIER, "IDENTIFIER", one, 0, line, col);
    }

    /** lex.go isFunction: the next non-blank text is {@code (}, or {@code by}/{@code without} then {@code (}. */
    private boolean isFunctionCall(int from) {
      int i = from;
      while (i < src.length && Character.isWhitespace(src[i])) {
        i++;
      }
      if (at(i) == '(') {
        return true;
      }
      String rest = new String(src, i, src.length - i).toLowerCase(Locale.ROOT);
      for (String word : new String[] {"by", "without"}) {
        if (rest.startsWith(word)) {
          int j = i + word.length();
          while (j < src.length && Character.isWhitespace(src[j])) {
            j++;
          }
          return at(j) == '(';
        }
      }
      return false;
    }

    private Token number(int start, int line, int col) {
      while (Character.isDigit(at(pos)) && at(pos) < 128 || at(pos) == '_') {
        pos++;
      }
      if (at(pos) == '.') {
        pos++;
        while (Character.isDigit(at(pos)) && at(pos) < 128 || at(pos) == '_') {
          pos++;
        }
      }
      String text = new String(src, start, pos - start);
      Token duration = tryDuration(text, pos, col);
      if (duration != null) {
        return duration;
      }
      int end = pos;
      while (end < src.length && !Character.isWhitespace(src[end]) && "BikKMGTP".indexOf(src[end]) >= 0) {
        end++;
      }
      if (end > pos && isBytes(text + new String(src, pos, end - pos))) {
        pos = end;
        return new Token(Kind.BYTES, "BYTES", text, 0, 0, col);
      }
      return new Token(Kind.NUMBER, "NUMBER", text, 0, line, col);
    }

    /** lex.go tryScanDuration: digits, duration unit letters and dots up to a blank, if that parses. */
    private Token tryDuration(String prefix, int from, int col) {
      int end = from;
      while (end < src.length && !Character.isWhitespace(src[end])
          && (Character.isDigit(src[end]) || "nuµmshdwy.".indexOf(src[end]) >= 0)) {
        end++;
      }
      if (end == from) {
        return null;
      }
      String text = prefix + new String(src, from, end - from);
      Long nanos = lokiDuration(text);
      if (nanos == null) {
        return null;
      }
      pos = end;
      return new Token(Kind.DURATION, "DURATION", text, nanos, 0, col);
    }

    /** Go's scanner reads {@code 'x'} as a char literal, which Loki's lexer then passes on as an IDENTIFIER. */
    private Token charLiteral(int start, int line, int col) throws ParseError {
      pos++;
      int chars = 0;
      while (at(pos) != '\'') {
        if (at(pos) == -1 || at(pos) == '\n') {
          throw new ParseError("literal not terminated", line, col);
        }
        if (at(pos) == '\\') {
          pos++;
        }
        pos++;
        chars++;
      }
      pos++;
      if (chars != 1) {
        throw new ParseError("invalid char literal", line, col);
      }
      return new Token(Kind.IDENTIFIER, "IDENTIFIER", new String(src, start, pos - start), 0, line, col);
    }

    private Token string(int start, int line, int col) throws ParseError {
      int quote = src[pos];
      pos++;
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      while (true) {
        int c = at(pos);
        if (c == -1 || quote == '"' && c == '\n') {
          throw new ParseError("literal not terminated", line, col);
        }
        pos++;
        if (c == quote) {
          break;
        }
        if (c == '\\' && quote == '"') {
          escape(bytes, line, col);
        } else {
          bytes.writeBytes(new String(Character.toChars(c)).getBytes(StandardCharsets.UTF_8));
        }
      }
      String value = new String(bytes.toByteArray(), StandardCharsets.UTF_8);
      return new Token(Kind.STRING, "STRING", value, 0, line, col);
    }

    /** Go escapes: \a \b \f \n \r \t \v \\ \" \ooo \xhh \\uhhhh \\Uhhhhhhhh; anything else is an error. */
    private void escape(ByteArrayOutputStream out, int line, int col) throws ParseError {
      int c = at(pos);
      String simple = "abfnrtv\\\"";
      String values = "\u0007\b\f\n\r\t\u000b\\\"";
      int k = c == -1 ? -1 : simple.indexOf(c);
      if (k >= 0) {
        pos++;
        out.write(values.charAt(k));
        return;
      }
      int digits;
      int radix;
      if (c >= '0' && c <= '7') {
        digits = 3;
        radix = 8;
      } else if (c == 'x') {
        digits = 2;
        radix = 16;
        pos++;
      } else if (c == 'u') {
        digits = 4;
        radix = 16;
        pos++;
      } else if (c == 'U') {
        digits = 8;
        radix = 16;
        pos++;
      } else {
        throw new ParseError("invalid char escape", line, col);
      }
      int value = 0;
      for (int i = 0; i < digits; i++) {
        int d = at(pos) == -1 ? -1 : Character.digit(at(pos), radix);
        if (d < 0) {
          throw new ParseError("invalid char escape", line, col);
        }
        value = value * radix + d;
        pos++;
      }
      if (radix == 8 || c == 'x') {
        if (value > 255) {
          throw new ParseError("invalid syntax", line, col);
        }
        out.write(value);
      } else {
        if (!Character.isValidCodePoint(value) || value >= 0xD800 && value < 0xE000) {
          throw new ParseError("invalid syntax", line, col);
        }
        out.writeBytes(new String(Character.toChars(value)).getBytes(StandardCharsets.UTF_8));
      }
    }
  }

  /** Recursive descent over the subset, with the error each of Loki's parser states would give. */
  private static final class Parser {
    private final Lexer lexer;
    private Token peeked;

    Parser(Lexer lexer) {
      this.lexer = lexer;
    }

    private Token peek() throws ParseError {
      if (peeked == null) {
        peeked = lexer.next();
      }
      return peeked;
    }

    private Token take() throws ParseError {
      Token t = peek();
      peeked = null;
      return t;
    }

    private static ParseError unexpected(Token t, String... expected) {
      StringBuilder msg = new StringBuilder("syntax error: unexpected ").append(t.name());
      for (int i = 0; i < expected.length; i++) {
        msg.append(i == 0 ? ", expecting " : " or ").append(expected[i]);
      }
      return new ParseError(msg.toString(), t.line(), t.col());
    }

    private static ParseError unsupported(Token t, String what) {
      return new ParseError("FakeLoki does not support " + what, t.line() == 0 ? 1 : t.line(), t.col());
    }

    Query parseRoot() throws ParseError {
      Token t = peek();
      Query query;
      if (t.isFunction("sum")) {
        query = parseSum();
      } else if (t.isFunction("count_over_time")) {
        query = parseCountOverTime();
      } else if (t.kind() == Kind.FUNCTION) {
        throw unsupported(t, t.value() + "()");
      } else if (t.is("{")) {
        query = parseLog();
      } else if (t.is("(")) {
        throw unsupported(t, "parentheses around a query");
      } else if (t.kind() == Kind.NUMBER || t.is("-") || t.is("+")) {
        throw unsupported(t, "literal expressions");
      } else {
        throw unexpected(t);
      }
      Token end = peek();
      if (end.kind() != Kind.EOF) {
        if (query instanceof MetricQuery && BINARY_OPERATORS.contains(end.value())
            && (end.kind() == Kind.OPERATOR || end.kind() == Kind.KEYWORD)) {
          throw unsupported(end, "binary operations");
        }
        throw unexpected(end);
      }
      return query;
    }

    /** {@code sum [by|without (..)] ( count_over_time(..) ) [by|without (..)]}. */
    private MetricQuery parseSum() throws ParseError {
      take();
      Grouping grouping = null;
      if (peek().is("by") || peek().is("without")) {
        grouping = parseGrouping();
        if (!peek().is("(")) {
          throw unexpected(peek(), "(");
        }
      }
      take(); // the "(" that made "sum" a function token
      Token t = peek();
      MetricQuery inner;
      if (t.isFunction("count_over_time")) {
        inner = parseCountOverTime();
      } else if (t.kind() == Kind.FUNCTION) {
        throw unsupported(t, t.value() + "() inside sum");
      } else if (t.is("{")) {
        parseLog();
        throw unexpected(peek());
      } else if (t.kind() == Kind.NUMBER || t.is("(")) {
        throw unsupported(t, "this form of sum");
      } else {
        throw unexpected(t);
      }
      if (!peek().is(")")) {
        throw unexpected(peek());
      }
      take();
      if (grouping == null && (peek().is("by") || peek().is("without"))) {
        grouping = parseGrouping();
      }
      if (grouping == null) {
        grouping = new Grouping(false, List.of());
      }
      return new MetricQuery(inner.log(), inner.rangeNanos(), inner.offsetNanos(), grouping);
    }

    /** {@code by|without ( [label {, label}] )}. */
    private Grouping parseGrouping() throws ParseError {
      boolean without = take().is("without");
      if (!peek().is("(")) {
        throw unexpected(peek(), "(");
      }
      take();
      List<String> labels = new ArrayList<>();
      if (peek().is(")")) {
        take();
        return new Grouping(without, labels);
      }
      if (peek().kind() != Kind.IDENTIFIER) {
        throw unexpected(peek(), "IDENTIFIER", ")");
      }
      labels.add(take().value());
      while (true) {
        Token t = peek();
        if (t.is(")")) {
          take();
          return new Grouping(without, Collections.unmodifiableList(labels));
        }
        if (!t.is(",")) {
          throw unexpected(t, ",", ")");
        }
        take();
        if (peek().kind() != Kind.IDENTIFIER) {
          throw unexpected(peek(), "IDENTIFIER");
        }
        labels.add(take().value());
      }
    }

    /** {@code count_over_time( LOG RANGE [offset D] | LOG-SELECTOR RANGE [offset D] PIPELINE )}. */
    private MetricQuery parseCountOverTime() throws ParseError {
      take();
      if (!peek().is("(")) {
        throw unexpected(peek(), "(");
      }
      take();
      Token t = peek();
      if (t.kind() == Kind.NUMBER) {
        throw unsupported(t, "a parameter to count_over_time");
      }
      if (t.is("(")) {
        throw unsupported(t, "parentheses around a log query");
      }
      if (!t.is("{")) {
        throw unexpected(t, "NUMBER", "{", "(");
      }
      List<LabelMatcher> selector = parseSelector();
      List<Stage> stages = new ArrayList<>(parseStages());
      if (peek().kind() != Kind.RANGE) {
        throw unexpected(peek());
      }
      long range = take().nanos();
      long offset = 0;
      if (peek().is("offset")) {
        take();
        if (peek().kind() != Kind.DURATION) {
          throw unexpected(peek(), "DURATION");
        }
        offset = take().nanos();
      }
      if (stages.isEmpty()) {
        stages.addAll(parseStages());
      }
      if (!peek().is(")")) {
        throw unexpected(peek(), ")");
      }
      take();
      if (peek().is("by") || peek().is("without")) {
        parseGrouping();
        throw new ParseError("grouping not allowed for count_over_time aggregation", 0, 0);
      }
      return new MetricQuery(new LogQuery(selector, List.copyOf(stages)), range, offset, null);
    }

    private LogQuery parseLog() throws ParseError {
      List<LabelMatcher> selector = parseSelector();
      return new LogQuery(selector, parseStages());
    }

    /** {@code { [matcher {, matcher}] }}. */
    private List<LabelMatcher> parseSelector() throws ParseError {
      take();
      List<LabelMatcher> matchers = new ArrayList<>();
      if (peek().is("}")) {
        take();
        return matchers;
      }
      if (peek().kind() != Kind.IDENTIFIER) {
        throw unexpected(peek(), "IDENTIFIER", "}");
      }
      while (true) {
        matchers.add(parseMatcher(true));
        Token t = peek();
        if (t.is("}")) {
          take();
          return Collections.unmodifiableList(matchers);
        }
        if (!t.is(",")) {
          throw unexpected(t, "}", ",");
        }
        take();
        if (peek().kind() != Kind.IDENTIFIER) {
          throw unexpected(peek(), "IDENTIFIER");
        }
      }
    }

    /** A selector matcher: {@code name OP "value"}; the caller has checked that an identifier is next. */
    private LabelMatcher parseMatcher(boolean selector) throws ParseError {
      String name = take().value();
      Token op = peek();
      if (!(op.is("=") || op.is("!=") || op.is("=~") || op.is("!~"))) {
        throw unexpected(op, "=", "=~", "!~", "!=");
      }
      take();
      if (peek().kind() != Kind.STRING) {
        throw unexpected(peek(), "STRING");
      }
      return matcher(name, op.value(), take().value(), selector);
    }

    private static LabelMatcher matcher(String name, String op, String value, boolean selector) throws ParseError {
      Pattern regex = null;
      if (op.equals("=~") || op.equals("!~")) {
        regex = goRegex(value, selector ? Pattern.DOTALL : 0);
      }
      return new LabelMatcher(name, op, value, regex);
    }

    /** Line filters and {@code | label filter} stages, as many as follow. */
    private List<Stage> parseStages() throws ParseError {
      List<Stage> stages = new ArrayList<>();
      while (true) {
        Token t = peek();
        if (t.is("|=") || t.is("!=") || t.is("|~") || t.is("!~")) {
          take();
          Token value = peek();
          if (value.isFunction("ip")) {
            throw unsupported(value, "ip() line filters");
          }
          if (value.kind() != Kind.STRING) {
            throw unexpected(value, "STRING", "ip");
          }
          take();
          Pattern regex = t.value().endsWith("~") ? goRegex(value.value(), 0) : null;
          stages.add(new LineFilter(t.value(), value.value(), regex));
          if (peek().is("or")) {
            throw unsupported(peek(), "'or' between line filters");
          }
        } else if (t.is("|>") || t.is("!>")) {
          throw unsupported(t, "pattern line filters");
        } else if (t.is("|")) {
          take();
          Token first = peek();
          if (first.kind() == Kind.KEYWORD && STAGE_KEYWORDS.contains(first.value())) {
            throw unsupported(first, "the " + first.value() + " stage");
          }
          if (first.kind() != Kind.IDENTIFIER && !first.is("(")) {
            throw unexpected(first);
          }
          stages.add(new LabelFilter(parseOr()));
        } else {
          return Collections.unmodifiableList(stages);
        }
      }
    }

    private FilterExpr parseOr() throws ParseError {
      FilterExpr left = parseAnd();
      while (peek().is("or")) {
        take();
        left = new Or(left, parseAnd());
      }
      return left;
    }

    /**
     * {@code and} is left-associative and binds tighter than {@code or}; {@code ,} and juxtaposition take the whole
     * rest of the expression as their right side (yacc shifts where no precedence decides).
     */
    private FilterExpr parseAnd() throws ParseError {
      FilterExpr left = parsePrimary();
      while (true) {
        Token t = peek();
        if (t.is("and")) {
          take();
          left = new And(left, parsePrimary());
        } else if (t.is(",")) {
          take();
          return new And(left, parseOr());
        } else if (t.kind() == Kind.IDENTIFIER || t.is("(")) {
          return new And(left, parseOr());
        } else {
          return left;
        }
      }
    }

    private FilterExpr parsePrimary() throws ParseError {
      Token t = peek();
      if (t.is("(")) {
        take();
        FilterExpr inner = parseOr();
        if (!peek().is(")")) {
          throw unexpected(peek());
        }
        take();
        return inner;
      }
      if (t.kind() != Kind.IDENTIFIER) {
        throw unexpected(t, "IDENTIFIER", "(");
      }
      String name = take().value();
      Token op = peek();
      if (op.is("=") || op.is("!=")) {
        take();
        Token value = peek();
        if (value.kind() == Kind.STRING) {
          take();
          return new Leaf(matcher(name, op.value(), value.value(), false));
        }
        if (value.isFunction("ip")) {
          throw unsupported(value, "ip() label filters");
        }
        if (value.kind() == Kind.NUMBER || value.kind() == Kind.DURATION || value.kind() == Kind.BYTES
            || value.is("-") || value.is("+")) {
          throw unsupported(value, "numeric label filters");
        }
        throw unexpected(value);
      }
      if (op.is("=~") || op.is("!~")) {
        take();
        if (peek().kind() != Kind.STRING) {
          throw unexpected(peek(), "STRING");
        }
        return new Leaf(matcher(name, op.value(), take().value(), false));
      }
      if (op.is(">") || op.is(">=") || op.is("<") || op.is("<=") || op.is("==")) {
        take();
        if (peek().kind() == Kind.STRING) {
          throw unexpected(peek());
        }
        throw unsupported(op, "numeric label filters");
      }
      throw unexpected(op);
    }
  }

  // ---------------------------------------------------------------- durations

  /**
   * Prometheus' {@code model.ParseDuration} ({@code vendor/github.com/prometheus/common/model/time.go}): integer
   * and unit pairs, units ms s m h d w y from biggest to smallest, {@code 0} alone; else Prometheus' error text.
   */
  static long promDuration(String s) {
    if (s.equals("0")) {
      return 0;
    }
    if (s.isEmpty()) {
      throw new IllegalArgumentException("empty duration string");
    }
    String invalid = "not a valid duration string: " + goQuote(s);
    Matcher m = Pattern.compile("([0-9]+)([^0-9]+)").matcher(s);
    long total = 0;
    int lastRank = 0;
    int at = 0;
    while (at < s.length()) {
      if (!m.find(at) || m.start() != at) {
        throw new IllegalArgumentException(invalid);
      }
      String unit = m.group(2);
      int rank = List.of("y", "w", "d", "h", "m", "s", "ms").indexOf(unit) + 1;
      if (rank == 0) {
        throw new IllegalArgumentException("unknown unit " + goQuote(unit) + " in duration " + goQuote(s));
      }
      if (rank <= lastRank) {
        throw new IllegalArgumentException(invalid);
      }
      lastRank = rank;
      long[] nanos = {365L * 86_400_000_000_000L, 7L * 86_400_000_000_000L, 86_400_000_000_000L,
          3_600_000_000_000L, 60_000_000_000L, 1_000_000_000L, 1_000_000L};
      try {
        total = Math.addExact(total, Math.multiplyExact(Long.parseLong(m.group(1)), nanos[rank - 1]));
      } catch (ArithmeticException | NumberFormatException e) {
        throw new IllegalArgumentException("duration out of range");
      }
      at = m.end();
    }
    return total;
  }

  /**
   * Go's {@code time.ParseDuration}: an optional sign, then decimal numbers each with a unit (ns, us, µs, ms, s, m,
   * h); null when it is not one.
   */
  static Long goDuration(String s) {
    Matcher whole = Pattern.compile("([-+]?)((?:[0-9]*\\.?[0-9]*(?:ns|us|µs|μs|ms|s|m|h))+)").matcher(s);
    if (!whole.matches() || s.equals("0")) {
      return s.equals("0") ? 0L : null;
    }
    Matcher part = Pattern.compile("([0-9]*)\\.?([0-9]*)(ns|us|µs|μs|ms|s|m|h)").matcher(whole.group(2));
    double total = 0;
    while (part.find()) {
      if (part.group(1).isEmpty() && part.group(2).isEmpty()) {
        return null;
      }
      String number = (part.group(1).isEmpty() ? "0" : part.group(1)) + "."
          + (part.group(2).isEmpty() ? "0" : part.group(2));
      double unit;
      switch (part.group(3)) {
        case "ns":
          unit = 1;
          break;
        case "us":
        case "µs":
        case "μs":
          unit = 1e3;
          break;
        case "ms":
          unit = 1e6;
          break;
        case "s":
          unit = 1e9;
          break;
        case "m":
          unit = 60e9;
          break;
        default:
          unit = 3600e9;
      }
      total += Double.parseDouble(number) * unit;
    }
    return (long) (whole.group(1).equals("-") ? -total : total);
  }

  /** lex.go parseDuration: Prometheus' form first, then Go's. */
  static Long lokiDuration(String s) {
    try {
      return promDuration(s);
    } catch (IllegalArgumentException e) {
      return goDuration(s);
    }
  }

  private static boolean isBytes(String s) {
    Matcher m = Pattern.compile("[0-9.]+([A-Za-z]+)").matcher(s);
    return m.matches() && Set.of("b", "k", "kb", "ki", "kib", "m", "mb", "mi", "mib", "g", "gb", "gi", "gib", "t",
        "tb", "ti", "tib", "p", "pb", "pi", "pib").contains(m.group(1).toLowerCase(Locale.ROOT));
  }

  // ---------------------------------------------------------------- regexes

  /**
   * Compiles a Go RE2 regex for Java: {@code (?P<name>} becomes {@code (?<name>}, POSIX classes such as
   * {@code [[:alpha:]]} become {@code \p{Alpha}}, a {@code {} that is not a repetition is a literal (as in Go), and
   * what RE2 refuses (look-arounds, back-references, possessive quantifiers) is refused with Go's error text.
   * {@code .} excludes only {@code \n}, as in Go.
   */
  static Pattern goRegex(String re, int flags) throws ParseError {
    StringBuilder out = new StringBuilder();
    boolean inClass = false;
    for (int i = 0; i < re.length(); i++) {
      char c = re.charAt(i);
      if (c == '\\') {
        if (i + 1 >= re.length()) {
          throw regexError("trailing backslash at end of expression", "");
        }
        char n = re.charAt(i + 1);
        if (n >= '1' && n <= '9') {
          throw regexError("invalid escape sequence", "\\" + n);
        }
        if (n == 'Q') {
          int end = re.indexOf("\\E", i + 2);
          String literal = end < 0 ? re.substring(i + 2) : re.substring(i + 2, end);
          out.append(Pattern.quote(literal));
          i = end < 0 ? re.length() : end + 1;
          continue;
        }
        out.append(c).append(n);
        i++;
      } else if (inClass) {
        if (c == '[' && re.startsWith("[:", i)) {
          int end = re.indexOf(":]", i + 2);
          if (end > 0) {
            String name = re.substring(i + 2, end);
            boolean negated = name.startsWith("^");
            String cls = posixClass(negated ? name.substring(1) : name);
            if (cls != null) {
              out.append(negated ? "\\P{" : "\\p{").append(cls).append('}');
              i = end + 1;
              continue;
            }
          }
        }
        if (c == '[' || c == '&') {
          out.append('\\');
        }
        out.append(c);
        if (c == ']') {
          inClass = false;
        }
      } else if (c == '[') {
        inClass = true;
        out.append(c);
        if (i + 1 < re.length() && re.charAt(i + 1) == '^') {
          out.append('^');
          i++;
        }
        if (i + 1 < re.length() && re.charAt(i + 1) == ']') {
          out.append("\\]");
          i++;
        }
      } else if (c == '(' && re.startsWith("(?P<", i)) {
        out.append("(?<");
        i += 3;
      } else if (c == '(' && (re.startsWith("(?=", i) || re.startsWith("(?!", i) || re.startsWith("(?<=", i)
          || re.startsWith("(?<!", i) || re.startsWith("(?>", i))) {
        throw regexError("invalid or unsupported Perl syntax", re.substring(i, Math.min(re.length(), i + 3)));
      } else if (c == '{') {
        Matcher repeat = Pattern.compile("\\{[0-9]+(,[0-9]*)?\\}").matcher(re);
        if (repeat.find(i) && repeat.start() == i && i > 0) {
          out.append(repeat.group());
          i = repeat.end() - 1;
          if (i + 1 < re.length() && re.charAt(i + 1) == '+') {
            throw regexError("invalid nested repetition operator", repeat.group() + "+");
          }
        } else {
          out.append("\\{");
        }
      } else if ((c == '*' || c == '+' || c == '?') && i + 1 < re.length() && re.charAt(i + 1) == '+') {
        throw regexError("invalid nested repetition operator", "" + c + '+');
      } else {
        out.append(c);
      }
    }
    try {
      return Pattern.compile(out.toString(), flags | Pattern.UNIX_LINES);
    } catch (PatternSyntaxException e) {
      String d = e.getDescription();
      if (d.startsWith("Unclosed group")) {
        throw regexError("missing closing )", re);
      }
      if (d.startsWith("Unclosed character class")) {
        throw regexError("missing closing ]", re.substring(Math.max(0, re.lastIndexOf('['))));
      }
      if (d.startsWith("Unmatched closing ')'")) {
        throw regexError("unexpected )", re);
      }
      if (d.startsWith("Dangling meta character")) {
        throw regexError("missing argument to repetition operator", d.substring(d.length() - 2, d.length() - 1));
      }
      if (d.startsWith("Illegal/unsupported escape")) {
        int at = Math.max(0, Math.min(re.length() - 2, e.getIndex() - 1));
        throw regexError("invalid escape sequence", re.substring(at, Math.min(re.length(), at + 2)));
      }
      if (d.startsWith("Illegal character range")) {
        throw regexError("invalid character class range", re);
      }
      throw regexError("invalid or unsupported Perl syntax", re);
    }
  }

  private static String posixClass(String name) {
    switch (name) {
      case "alnum":
        return "Alnum";
      case "alpha":
        return "Alpha";
      case "ascii":
        return "ASCII";
      case "blank":
        return "Blank";
      case "cntrl":
        return "Cntrl";
      case "digit":
        return "Digit";
      case "graph":
        return "Graph";
      case "lower":
        return "Lower";
      case "print":
        return "Print";
      case "punct":
        return "Punct";
      case "space":
        return "Space";
      case "upper":
        return "Upper";
      case "word":
        return "Alnum";
      case "xdigit":
        return "XDigit";
      default:
        return null;
    }
  }

  private static ParseError regexError(String code, String fragment) {
    return new ParseError("error parsing regexp: " + code + ": `" + fragment + "`", 0, 0);
  }

  // ---------------------------------------------------------------- label sets

  /**
   * Go's {@code strconv.Quote}, as Loki prints label values in a label set's string form and in error texts.
   */
  static String goQuote(String s) {
    StringBuilder out = new StringBuilder("\"");
    s.codePoints().forEach(c -> {
      switch (c) {
        case '"':
          out.append("\\\"");
          break;
        case '\\':
          out.append("\\\\");
          break;
        case '\n':
          out.append("\\n");
          break;
        case '\t':
          out.append("\\t");
          break;
        case '\r':
          out.append("\\r");
          break;
        default:
          if (c < 0x20 || c == 0x7f) {
            out.append(String.format("\\x%02x", c));
          } else {
            out.appendCodePoint(c);
          }
      }
    });
    return out.append('"').toString();
  }

  /** A label set's string form, {@code {a="1", b="2"}}, by which Loki orders the streams of a result. */
  static String labelsString(Map<String, String> sortedLabels) {
    StringBuilder out = new StringBuilder("{");
    for (Map.Entry<String, String> e : sortedLabels.entrySet()) {
      if (out.length() > 1) {
        out.append(", ");
      }
      out.append(e.getKey()).append('=').append(goQuote(e.getValue()));
    }
    return out.append('}').toString();
  }

  /** Prometheus' {@code labels.Compare}: label by label, name then value; a prefix sorts first. */
  static int compareLabels(SortedMap<String, String> a, SortedMap<String, String> b) {
    var ia = a.entrySet().iterator();
    var ib = b.entrySet().iterator();
    while (ia.hasNext() && ib.hasNext()) {
      Map.Entry<String, String> ea = ia.next();
      Map.Entry<String, String> eb = ib.next();
      int c = ea.getKey().compareTo(eb.getKey());
      if (c == 0) {
        c = ea.getValue().compareTo(eb.getValue());
      }
      if (c != 0) {
        return c;
      }
    }
    return Boolean.compare(ia.hasNext(), ib.hasNext());
  }
}
