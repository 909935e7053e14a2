package dev.threadline.logback;

/**
 * The JSON form of strings seen very recently, found by identity: a small direct-mapped cache for MDC values.
 *
 * <p>Every line of one request carries the same MDC map, and so the very same {@code String} instances (Logback
 * copies the map on write, never the values); redacting and escaping them once per request instead of once per line
 * is the saving. Identity, not equality: a hit needs no comparison of contents, and a {@code String} is immutable,
 * so the same instance always has the same JSON form. Slots are overwritten freely; entries are immutable, so racy
 * reads and writes between threads are safe. At most {@value #SLOTS} strings of at most {@value #MAX_CHARS}
 * characters are held.
 *
 * <p>A string is admitted on its second sighting only: the first just marks its slot (a reference write, no
 * allocation), so strings seen once, which are most strings in a busy service with many requests, cost nothing
 * extra.
 */
final class RecentStrings {

  static final int SLOTS = 512;
  static final int MAX_CHARS = 256;

  private static final class Entry {
    final String value;
    final byte[] json;

    Entry(String value, byte[] json) {
      this.value = value;
      this.json = json;
    }
  }

  private final Entry[] slots = new Entry[SLOTS];
  /** The last string offered for each slot but not (yet) cached; a single reference, so racy use is safe. */
  private final String[] seen = new String[SLOTS];

  /**
   * The slot {@code value} maps to, for the other methods: found once per value, since an identity hash is not free
   * (for a string never hashed before it is a call into the VM).
   */
  static int slot(String value) {
    return System.identityHashCode(value) & (SLOTS - 1);
  }

  /** The cached JSON of {@code value} (quotes included), or {@code null}; {@code slot} is {@link #slot}'s. */
  byte[] get(int slot, String value) {
    Entry entry = slots[slot];
    return entry != null && entry.value == value ? entry.json : null;
  }

  /**
   * Whether {@code value} was offered before (and so is worth caching): marks it as seen otherwise. Call
   * {@link #put} only when this returns true.
   */
  boolean seenBefore(int slot, String value) {
    if (value.length() > MAX_CHARS) {
      return false;
    }
    if (seen[slot] == value) {
      return true;
    }
    seen[slot] = value;
    return false;
  }

  void put(int slot, String value, byte[] json) {
    if (value.length() <= MAX_CHARS) {
      slots[slot] = new Entry(value, json);
    }
  }
}
