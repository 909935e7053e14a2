package dev.threadline.loki;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A program as a user writes it, for {@link ReadmeLogbackExitTest}: Logback configured by the file in
 * {@code -Dlogback.configurationFile}, {@code args[0]} lines logged {@code args[1]} milliseconds apart, then
 * {@code main} returns and the JVM exits normally. Nothing stops Logback explicitly.
 */
public final class ReadmeLogbackMain {

  private ReadmeLogbackMain() {
  }

  public static void main(String[] args) throws InterruptedException {
    int lines = Integer.parseInt(args[0]);
    long pause = Long.parseLong(args[1]);
    Logger log = LoggerFactory.getLogger("orders.app");
    for (int i = 0; i < lines; i++) {
      log.info("line {} of {}", i + 1, lines);
      if (pause > 0) {
        Thread.sleep(pause);
      }
    }
  }
}
