package dev.threadline.cli;

/** What the tool could not read, said for a person: Loki unreachable or refusing, a file that cannot be read. */
final class Failure extends Exception {
  Failure(String message) {
    super(message);
  }
}
