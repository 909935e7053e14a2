package dev.threadline.logback;

import java.util.Iterator;
import java.util.Objects;
import org.slf4j.Marker;

/**
 * Structured fields for log calls, written by {@link ThreadlineEncoder} as top-level keys with their JSON types.
 *
 * <pre>{@code
 * log.info("order {} placed", Fields.field("orderId", 42));   // message "order orderId=42 placed", field orderId: 42
 * log.info(Fields.marker("cart", cart), "checkout");        // field cart: the object, serialized
 * log.atInfo().addKeyValue("amount", 12.5).log("paid");     // SLF4J 2 key-value pairs work too, no helper needed
 * }</pre>
 *
 * @since 0.1.0
 */
public final class Fields {

  private Fields() {}

  /**
   * A structured argument: rendered as {@code name=value} where the message has a {@code {}} for it, and written
   * as a field in any case.
   */
  public static Field field(String name, Object value) {
    return new Field(Objects.requireNonNull(name, "name"), value);
  }

  /** A marker that carries one field; the message is unchanged. */
  public static Marker marker(String name, Object value) {
    return new FieldMarker(Objects.requireNonNull(name, "name"), value);
  }

  /**
   * A named value passed as a log argument. Its {@code toString} is {@code name=value}.
   *
   * @since 0.1.0
   */
  public static final class Field {
    final String name;
    final Object value;

    Field(String name, Object value) {
      this.name = name;
      this.value = value;
    }

    /** The field name. */
    public String name() {
      return name;
    }

    /** The field value. */
    public Object value() {
      return value;
    }

    @Override
    public String toString() {
      return name + "=" + value;
    }
  }

  /** A marker carrying one field. Markers of this kind never become tags. */
  static final class FieldMarker implements Marker {
    private static final long serialVersionUID = 1L;
    final String fieldName;
    final transient Object value;

    FieldMarker(String fieldName, Object value) {
      this.fieldName = fieldName;
      this.value = value;
    }

    @Override
    public String getName() {
      return "FIELD:" + fieldName;
    }

    @Override
    public void add(Marker reference) {
      throw new UnsupportedOperationException("A field marker carries no references");
    }

    @Override
    public boolean remove(Marker reference) {
      return false;
    }

    @Override
    @Deprecated
    public boolean hasChildren() {
      return false;
    }

    @Override
    public boolean hasReferences() {
      return false;
    }

    @Override
    public Iterator<Marker> iterator() {
      return java.util.Collections.emptyIterator();
    }

    @Override
    public boolean contains(Marker other) {
      return this == other;
    }

    @Override
    public boolean contains(String name) {
      return getName().equals(name);
    }

    @Override
    public String toString() {
      return fieldName + "=" + value;
    }
  }
}
