package dev.threadline.cli;

import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** What {@code trace}, {@code errors} and {@code tail} share: the run's streams, the source, filters and output. */
abstract class SourceCommand implements Callable<Integer> {

  @ParentCommand
  Threadline parent;

  @Spec
  CommandSpec spec;

  @Mixin
  Options.Source source;

  @Mixin
  Options.Filters filters;

  @Mixin
  Options.Output output;

  /** A mistake on the command line: exit status 2, the message, and a pointer to {@code --help}. */
  ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  /** {@code --loki} and files are two sources; one at a time. */
  void oneSource(java.util.List<String> files) {
    if (source.isLoki() && !files.isEmpty()) {
      throw usage("give --loki or files, not both");
    }
  }

  /** An option's point in time: a duration before {@code now}, or a UTC time. */
  Instant point(String option, String text, Instant now) {
    try {
      return Times.point(text, now);
    } catch (IllegalArgumentException e) {
      throw usage(option + ": " + e.getMessage());
    }
  }
}
