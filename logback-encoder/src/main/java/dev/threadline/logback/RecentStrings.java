package dev.threadline.logback;

/**
 * The JSON form of strings seen very recently, found by content: a small direct-mapped cache for MDC values.
 *
 * <p>Every line of one request carries the same MDC values, and many values repeat across requests with new
 * instances each time (a tenant, an HTTP method, a region, parsed from each request); redacting and escaping them
 * once instead of once per line is the saving. Content, not identity: a value's JSON form depends on its characters
 * only, so a new instance of a known value hits as well. The slot comes from {@link String#hashCode()}, which the
 * string computes once and keeps, and which unlike an identity hash needs no call into the VM for a string never
 * hashed before (every value of a new request). A hit compares the contents only when the instances differ and the
 * hash codes are equal. Slots are overwritten freely; entries are immutable, so racy reads and writes between
 * threads are safe. At most {@value #SLOTS} strings of at most {@value #MAX_CHARS} characters are held.
 *
 * <p>A string is admitted on its second sighting only: the first just marks its slot (a reference write, no
 * allocation), so strings seen once, which are most strings in a busy service with many requests, cost nothing
 * extra.
 */
final class RecentStrings {

  static final int SLOTS = 512;
  static final int MAX_CHARS = 256;

  private static final class Entry {
    final int hash;
    final String value;
    final byte[] json;

    Entry(String value, byte[] json) {
      this.hash = value.hashCode();
      this.value = value;
      this.json = json;
    }
  }

  private final Entry[] slots = new Entry[SLOTS];
  /**
   * The last string offered for each slot but not (yet) cached, and its hash code, so that a different string is
   * told apart without reading the one held (most likely no longer in the processor's caches). The two are written
   * apart, so a racing reader may pair one string with another's hash: that can only turn a hit into a miss, since
   * a hit is always confirmed on the contents.
   */
  private final String[] seen = new String[SLOTS];
  private final int[] seenHashes = new int[SLOTS];

  /** The slot {@code value} maps to, for the other methods: found once per value. */
  static int slot(String value) {
    int h = value.hashCode();
    return (h ^ (h >>> 16)) & (SLOTS - 1);
  }

  /** The cached JSON of {@code value} (quotes included), or {@code null}; {@code slot} is {@link #slot}'s. */
  byte[] get(int slot, String value) {
    Entry entry = slots[slot];
    return entry != null && (entry.value == value || (entry.hash == value.hashCode() && entry.value.equals(value)))
        ? entry.json : null;
  }

  /**
   * Whether {@code value} was offered before (and so is worth caching): marks it as seen otherwise. Call
   * {@link #put} only when this returns true.
   */
  boolean seenBefore(int slot, String value) {
    if (value.length() > MAX_CHARS) {
      return false;
    }
    String last = seen[slot];
    int hash = value.hashCode();
    if (last == value || (last != null && seenHashes[slot] == hash && last.equals(value))) {
      return true;
    }
    seenHashes[slot] = hash;
    seen[slot] = value;
    return false;
  }

  void put(int slot, String value, byte[] json) {
    if (value.length() <= MAX_CHARS) {
      slots[slot] = new Entry(value, json);
    }
  }
}
