package dev.threadline.core.internal;

import dev.threadline.core.CarrierGetter;
import dev.threadline.core.CarrierSetter;
import dev.threadline.core.Correlation;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The W3C Trace Context codec: {@code traceparent} and {@code tracestate}, read by the spec's processing model and
 * written as version {@code 00}.
 *
 * <h2>Reading {@code traceparent}</h2>
 * <ul>
 *   <li>Surrounding spaces and tabs are ignored.
 *   <li>The version is two lowercase hex digits; {@code ff} is invalid. Version {@code 00} is exactly 55
 *       characters. A higher version is parsed by its first 55 characters, and a longer value must continue with
 *       {@code -} after them.
 *   <li>The trace id (32) and parent id (16) are lowercase hex and not all zeros; uppercase is invalid. The flags
 *       are two lowercase hex digits; {@code sampled} and the level-2 {@code random} flag are kept as received,
 *       other bits are dropped.
 *   <li>More than one {@code traceparent} header, or any invalid value, means there is no parent: the caller
 *       starts a new trace, and the received {@code tracestate} is dropped with it.
 * </ul>
 *
 * <h2>Reading {@code tracestate}</h2>
 * Several headers are combined in order, as if joined by commas. Spaces and tabs around members and empty members
 * are ignored. Each member must be a valid {@code key=value} of Trace Context Level 2's grammar (a key of up to 256
 * lowercase letters, digits and {@code _ - * / @}, starting with a letter or a digit); an invalid member or more
 * than {@value #MAX_MEMBERS} members make the whole {@code tracestate} invalid, and it is dropped. A key repeated
 * later in the list is dropped, keeping its left-most (most recent) entry. A value longer than {@value #MAX_LENGTH} characters is
 * cut by whole entries: first members longer than 128 characters, from the right, then members from the right.
 *
 * <p>Nothing here throws on input: bad headers give an empty result.
 */
public final class W3CTraceContext {

  /** The {@code traceparent} header name. */
  public static final String TRACEPARENT = "traceparent";

  /** The {@code tracestate} header name. */
  public static final String TRACESTATE = "tracestate";

  /** The most {@code tracestate} list members accepted. */
  public static final int MAX_MEMBERS = 32;

  /** The longest {@code tracestate} propagated, in characters. */
  public static final int MAX_LENGTH = 512;

  private static final int TRACEPARENT_LENGTH = 55;
  private static final int LONG_MEMBER = 128;

  private W3CTraceContext() {}

  /** Reads the caller's span from {@code carrier}; empty when there is no valid {@code traceparent}. */
  public static <C> Optional<RemoteParent> extract(C carrier, CarrierGetter<C> getter) {
    return Optional.ofNullable(extractOrNull(carrier, getter));
  }

  /** As {@link #extract}, without the {@code Optional}: {@code null} when there is no valid {@code traceparent}. */
  public static <C> RemoteParent extractOrNull(C carrier, CarrierGetter<C> getter) {
    try {
      List<String> traceparents = getter.getAll(carrier, TRACEPARENT);
      if (traceparents.isEmpty()) {
        return null;
      }
      return parse(traceparents, getter.getAll(carrier, TRACESTATE));
    } catch (RuntimeException badCarrier) {
      return null;
    }
  }

  /**
   * Parses received header values by the rules in the class documentation.
   *
   * @param traceparents every received {@code traceparent} value
   * @param tracestates every received {@code tracestate} value, in order
   * @return the caller's span, or {@code null} when there is no valid one
   */
  static RemoteParent parse(List<String> traceparents, List<String> tracestates) {
    if (traceparents.size() != 1) {
      return null;
    }
    String value = traceparents.get(0);
    if (value == null) {
      return null;
    }
    value = HeaderValues.trimOws(value);
    int length = value.length();
    if (length < TRACEPARENT_LENGTH) {
      return null;
    }
    int version = Hex.parseByte(value, 0);
    if (version < 0 || version == 0xff) {
      return null;
    }
    if (version == 0 ? length != TRACEPARENT_LENGTH : length > TRACEPARENT_LENGTH && value.charAt(55) != '-') {
      return null;
    }
    if (value.charAt(2) != '-' || value.charAt(35) != '-' || value.charAt(52) != '-') {
      return null;
    }
    if (!Hex.isValidId(value, 3, 32) || !Hex.isValidId(value, 36, 16)) {
      return null;
    }
    int flags = Hex.parseByte(value, 53);
    if (flags < 0) {
      return null;
    }
    return new RemoteParent(
        value.substring(3, 35), value.substring(36, 52), flags, normalizeTraceState(tracestates));
  }

  /** The {@code traceparent} value for {@code correlation}'s span: {@code 00-<trace>-<span>-<flags>}. */
  public static String formatTraceparent(Correlation correlation) {
    char[] out = new char[TRACEPARENT_LENGTH];
    out[0] = '0';
    out[1] = '0';
    out[2] = '-';
    correlation.traceId().getChars(0, 32, out, 3);
    out[35] = '-';
    correlation.spanId().getChars(0, 16, out, 36);
    out[52] = '-';
    Hex.writeByte(correlation.traceFlags(), out, 53);
    return new String(out);
  }

  /** Writes {@code traceparent} and, when there is one, {@code tracestate} for {@code correlation}'s span. */
  public static <C> void inject(Correlation correlation, C carrier, CarrierSetter<C> setter) {
    setter.set(carrier, TRACEPARENT, formatTraceparent(correlation));
    if (!correlation.traceState().isEmpty()) {
      setter.set(carrier, TRACESTATE, correlation.traceState());
    }
  }

  /**
   * Combines and validates received {@code tracestate} values by the rules in the class documentation.
   *
   * @return the normalised value, members joined by {@code ,} without spaces; empty when there is none or it is
   *     invalid
   */
  public static String normalizeTraceState(List<String> headers) {
    if (headers == null || headers.isEmpty()) {
      return "";
    }
    if (headers.size() == 1) {
      String only = headers.get(0);
      if (only == null || only.isEmpty()) {
        return "";
      }
      if (isCompact(only)) {
        return only;
      }
    }
    List<String> members = new ArrayList<>();
    Set<String> keys = new HashSet<>();
    for (String header : headers) {
      if (header == null) {
        continue;
      }
      int start = 0;
      while (start <= header.length()) {
        int comma = header.indexOf(',', start);
        int end = comma < 0 ? header.length() : comma;
        String member = HeaderValues.trimOws(header.substring(start, end));
        if (!member.isEmpty()) {
          int equals = memberKeyEnd(member, 0, member.length());
          if (equals < 0) {
            return "";
          }
          // One entry per key: the left-most is the most recent position, a later one with the same key is dropped.
          if (keys.add(member.substring(0, equals))) {
            if (members.size() == MAX_MEMBERS) {
              return "";
            }
            members.add(member);
          }
        }
        start = end + 1;
      }
    }
    return truncate(members);
  }

  /**
   * Fast path: {@code value} is already a valid, normalised tracestate (no spaces, no empty members, at most 32
   * members, no duplicate keys, within the length limit), so it can be kept as the same string.
   */
  private static boolean isCompact(String value) {
    int length = value.length();
    if (length > MAX_LENGTH) {
      return false;
    }
    int members = 0;
    int start = 0;
    String[] seenKeys = null;
    while (true) {
      int comma = value.indexOf(',', start);
      int end = comma < 0 ? length : comma;
      int equals = memberKeyEnd(value, start, end);
      if (equals < 0 || ++members > MAX_MEMBERS) {
        return false;
      }
      if (members > 1) {
        if (seenKeys == null) {
          seenKeys = new String[MAX_MEMBERS];
          seenKeys[0] = value.substring(0, value.indexOf('='));
        }
        String key = value.substring(start, equals);
        for (int i = 0; i < members - 1; i++) {
          if (seenKeys[i].equals(key)) {
            return false;
          }
        }
        seenKeys[members - 1] = key;
      }
      if (comma < 0) {
        return true;
      }
      start = comma + 1;
    }
  }

  /**
   * Validates the member {@code s[from, to)} exactly (no surrounding whitespace allowed) and returns the index of
   * its {@code =}, or -1 when it is not a valid member.
   */
  private static int memberKeyEnd(String s, int from, int to) {
    int equals = s.indexOf('=', from);
    if (equals < 0 || equals >= to || !isValidKey(s, from, equals) || !isValidValue(s, equals + 1, to)) {
      return -1;
    }
    return equals;
  }

  /**
   * Trace Context Level 2's key: a lowercase letter or a digit, then up to 255 of lowercase letters, digits and
   * {@code _ - * / @}. (Level 1's {@code tenant@system} form, with its tenant and system limits, is a subset.)
   */
  private static boolean isValidKey(String s, int from, int to) {
    int length = to - from;
    if (length < 1 || length > 256) {
      return false;
    }
    char first = s.charAt(from);
    return (isLcAlpha(first) || isDigit(first)) && keyChars(s, from + 1, to);
  }

  private static boolean keyChars(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (!(isLcAlpha(c) || isDigit(c) || c == '_' || c == '-' || c == '*' || c == '/' || c == '@')) {
        return false;
      }
    }
    return true;
  }

  private static boolean isValidValue(String s, int from, int to) {
    int length = to - from;
    if (length < 1 || length > 256 || s.charAt(to - 1) == ' ') {
      return false;
    }
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c > 0x7e || c == ',' || c == '=') {
        return false;
      }
    }
    return true;
  }

  private static boolean isLcAlpha(char c) {
    return c >= 'a' && c <= 'z';
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static String truncate(List<String> members) {
    int length = joinedLength(members);
    for (int i = members.size() - 1; i >= 0 && length > MAX_LENGTH; i--) {
      if (members.get(i).length() > LONG_MEMBER) {
        members.remove(i);
        length = joinedLength(members);
      }
    }
    while (length > MAX_LENGTH) {
      members.remove(members.size() - 1);
      length = joinedLength(members);
    }
    return String.join(",", members);
  }

  private static int joinedLength(List<String> members) {
    int length = Math.max(0, members.size() - 1);
    for (String m : members) {
      length += m.length();
    }
    return length;
  }
}
