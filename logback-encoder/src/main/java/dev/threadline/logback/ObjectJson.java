package dev.threadline.logback;

/**
 * Turns an object the encoder has no JSON form of its own for (a bean, a record) into plain values (maps, lists,
 * strings, numbers, booleans), with the Jackson the application already has, so that the encoder writes them itself:
 * with its redaction, its caps and its key rules, as for any other value. Chosen once at start by {@link #detect(String)}: Jackson 3 (Spring Boot 4), else
 * Jackson 2 (Spring Boot 3), else none, in which case the encoder writes {@code toString()}.
 */
interface ObjectJson {

  /**
   * {@code value} as plain values: a {@code Map}, {@code List}, {@code String}, {@code Number}, {@code Boolean} or
   * {@code null}. May throw; the caller falls back to {@code toString()}.
   */
  Object toPlain(Object value) throws Exception;

  /** A name for status messages. */
  String name();

  /**
   * The serializer for {@code mode}: {@code auto} (the default: Jackson 3, Jackson 2, none), {@code jackson3},
   * {@code jackson2} or {@code toString}. Classes that need Jackson are loaded only here, only when Jackson is on
   * the class path.
   *
   * @return the serializer, or {@code null} for {@code toString()}
   * @throws IllegalArgumentException when {@code mode} is unknown or names a Jackson that is not on the class path
   */
  static ObjectJson detect(String mode) {
    String m = mode == null ? "auto" : mode.trim();
    switch (m) {
      case "auto":
        if (present("tools.jackson.databind.json.JsonMapper")) {
          return new Jackson3Json();
        }
        return present("com.fasterxml.jackson.databind.ObjectMapper") ? new Jackson2Json() : null;
      case "jackson3":
        if (!present("tools.jackson.databind.json.JsonMapper")) {
          throw new IllegalArgumentException("objectSerializer: jackson3 is not on the class path");
        }
        return new Jackson3Json();
      case "jackson2":
        if (!present("com.fasterxml.jackson.databind.ObjectMapper")) {
          throw new IllegalArgumentException("objectSerializer: jackson2 is not on the class path");
        }
        return new Jackson2Json();
      case "toString":
        return null;
      default:
        throw new IllegalArgumentException(
            "objectSerializer: '" + mode + "' is not one of auto, jackson3, jackson2, toString");
    }
  }

  private static boolean present(String className) {
    try {
      Class.forName(className, false, ObjectJson.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }
}
