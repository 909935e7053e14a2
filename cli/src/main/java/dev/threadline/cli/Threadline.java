package dev.threadline.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code threadline} command: a request's journey ({@code trace}), the error fingerprints ({@code errors}) and
 * a live tail ({@code tail}), read from Loki's HTTP API or from JSON-lines files and standard input.
 *
 * <p>Exit status: 0 when something matched, 1 when nothing did, 2 for a mistake on the command line, 3 when the
 * source failed (Loki unreachable or refusing, a file that cannot be read).
 */
@Command(name = "threadline", mixinStandardHelpOptions = true, versionProvider = Threadline.Version.class,
    description = {"Follow a request across services from the terminal, over Loki or over JSON-lines files.", "",
        "Sources: --loki URL (or THREADLINE_LOKI_URL / LOKI_ADDR), else the FILEs given, else standard input",
        "(kubectl logs deploy/order-api | threadline trace <id>)."},
    subcommands = {TraceCommand.class, ErrorsCommand.class, TailCommand.class,
        AutoComplete.GenerateCompletion.class},
    footer = {"", "Exit status: 0 found, 1 nothing matched, 2 bad usage, 3 the source failed."})
public final class Threadline implements Runnable {

  /** Something matched. */
  static final int FOUND = 0;
  /** The source was read and nothing matched. */
  static final int NOTHING = 1;
  /** The source failed: Loki unreachable or refusing, a file that cannot be read. */
  static final int SOURCE_FAILED = 3;

  /** Where a run reads and writes, and what it knows of its surroundings. */
  record Io(InputStream in, PrintStream out, PrintStream err, Map<String, String> env, boolean terminal) {}

  private final Io io;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  Threadline(Io io) {
    this.io = io;
  }

  Io io() {
    return io;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Runs the tool once and returns its exit status. */
  static int run(String[] args, Io io) {
    CommandLine line = new CommandLine(new Threadline(io));
    line.setOut(new PrintWriter(io.out(), true));
    line.setErr(new PrintWriter(io.err(), true));
    line.setDefaultValueProvider(new EnvironmentDefaults(io.env()));
    line.setCaseInsensitiveEnumValuesAllowed(true);
    line.setParameterExceptionHandler((e, arguments) -> {
      CommandLine command = e.getCommandLine();
      io.err().println("threadline: " + e.getMessage());
      CommandLine.UnmatchedArgumentException.printSuggestions(e, io.err());
      io.err().println("(threadline " + (command.getParent() == null ? "" : command.getCommandName() + " ")
          + "--help shows the options)");
      return command.getCommandSpec().exitCodeOnInvalidInput();
    });
    line.setExecutionExceptionHandler((e, cmd, parsed) -> {
      io.err().println("threadline: " + e);
      return 70; // a bug in the tool: EX_SOFTWARE
    });
    int status = line.execute(args);
    io.out().flush();
    return status;
  }

  /**
   * Runs the tool in this JVM, as the command line would, and returns its exit status: for programs and tests that
   * embed it. Colours are off; {@code env} stands for the process environment.
   */
  public static int execute(String[] args, InputStream in, PrintStream out, PrintStream err,
      Map<String, String> env) {
    return run(args, new Io(in, out, err, env, false));
  }

  /** Runs the tool; exits the JVM with its exit status. */
  public static void main(String[] args) {
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
    PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
    int status = run(args, new Io(System.in, out, err, System.getenv(), isTerminal()));
    out.flush();
    System.exit(status);
  }

  /** Whether standard output is a terminal (on JDK 22+, {@code System.console()} is not null when piped). */
  static boolean isTerminal() {
    java.io.Console console = System.console();
    if (console == null) {
      return false;
    }
    try {
      return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
    } catch (ReflectiveOperationException e) {
      return true; // before JDK 22 a console exists only for a terminal
    }
  }

  /** The version in the jar's manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Threadline.class.getPackage().getImplementationVersion();
      return new String[] {"threadline " + (v == null ? "(development build)" : v)};
    }
  }

  /** Options that can come from the environment: Threadline's names first, then logcli's. */
  static final class EnvironmentDefaults implements CommandLine.IDefaultValueProvider {
    private final Map<String, String> env;

    EnvironmentDefaults(Map<String, String> env) {
      this.env = env;
    }

    @Override
    public String defaultValue(CommandLine.Model.ArgSpec argSpec) {
      if (!(argSpec instanceof CommandLine.Model.OptionSpec option)) {
        return null;
      }
      return switch (option.longestName()) {
        case "--loki" -> first("THREADLINE_LOKI_URL", "LOKI_ADDR");
        case "--tenant" -> first("THREADLINE_LOKI_TENANT", "LOKI_ORG_ID");
        case "--username" -> first("THREADLINE_LOKI_USERNAME", "LOKI_USERNAME");
        case "--password" -> first("THREADLINE_LOKI_PASSWORD", "LOKI_PASSWORD");
        case "--bearer-token" -> first("THREADLINE_LOKI_BEARER_TOKEN", "LOKI_BEARER_TOKEN");
        default -> null;
      };
    }

    private String first(String... names) {
      for (String name : names) {
        String value = env.get(name);
        if (value != null && !value.isBlank()) {
          return value;
        }
      }
      return null;
    }
  }
}
