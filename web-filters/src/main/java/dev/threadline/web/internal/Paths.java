package dev.threadline.web.internal;

/** What the integrations write of a URI path. */
public final class Paths {

  private Paths() {
  }

  /** {@code uri} without the path parameters of any segment ({@code /a;jsessionid=X/b;v=1} gives {@code /a/b}). */
  public static String withoutPathParameters(String uri) {
    if (uri == null) {
      return "";
    }
    int semicolon = uri.indexOf(';');
    if (semicolon < 0) {
      return uri;
    }
    StringBuilder out = new StringBuilder(uri.length());
    int i = 0;
    while (i < uri.length()) {
      char c = uri.charAt(i);
      if (c == ';') {
        int next = uri.indexOf('/', i);
        if (next < 0) {
          break;
        }
        i = next;
        continue;
      }
      out.append(c);
      i++;
    }
    return out.toString();
  }
}
