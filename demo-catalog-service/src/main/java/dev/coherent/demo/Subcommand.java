package dev.coherent.demo;

import java.io.PrintStream;
import java.util.List;

/**
 * One subcommand of {@code demo-catalog-service.jar} ({@code demo}, later {@code scenario}).
 * Register a new one in {@link DemoMain#SUBCOMMANDS}.
 *
 * <p>{@code --help} is handled by {@link DemoMain} before {@link #run} is called. Errors are
 * reported by throwing: {@link UsageException} (exit 2, with usage), {@link DemoStartupException}
 * or {@code ServiceConfigurationException} (exit 1, one line, no stack trace).
 */
public interface Subcommand {

  /** The word on the command line, e.g. {@code demo}. */
  String name();

  /** One line for the list of subcommands. */
  String summary();

  /** The full usage of this subcommand: a synopsis line, then its flags. */
  String usage();

  /**
   * Runs the subcommand with the arguments after its name and returns the exit code. A
   * subcommand that serves until the JVM is stopped may block here for as long as it serves.
   */
  int run(List<String> args, PrintStream out, PrintStream err) throws InterruptedException;
}
