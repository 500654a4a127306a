package dev.coherent.demo;

import dev.coherent.devservices.ServiceConfigurationException;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Entry point of {@code demo-catalog-service.jar}: {@code java -jar demo-catalog-service.jar
 * <subcommand> [flags]}. It dispatches to a {@link Subcommand} and maps errors to exit codes:
 * {@link #EXIT_USAGE} for a wrong command line (one line and the usage on stderr),
 * {@link #EXIT_FAILURE} for a failure the user can fix (one line, no stack trace).
 */
public final class DemoMain {
  public static final int EXIT_OK = 0;
  public static final int EXIT_FAILURE = 1;
  public static final int EXIT_USAGE = 2;

  /** The jar's name in usage texts. */
  public static final String PROGRAM = "java -jar demo-catalog-service.jar";

  /** Every subcommand by name, in the order the usage lists them. */
  static final Map<String, Subcommand> SUBCOMMANDS =
      subcommands(new DemoCommand(), new ScenarioCommand());

  private DemoMain() {}

  public static void main(String[] args) {
    // Hibernate logs through JBoss Logging, which would pick java.util.logging: route it to SLF4J
    // (slf4j-simple, configured in simplelogger.properties) like everything else.
    if (System.getProperty("org.jboss.logging.provider") == null) {
      System.setProperty("org.jboss.logging.provider", "slf4j");
    }
    int code;
    try {
      code = run(args, System.out, System.err);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      code = EXIT_FAILURE;
    } catch (RuntimeException | Error e) {
      // Not a mistake the user can fix from a message: keep the stack trace for the report.
      System.err.println("error: unexpected failure: " + oneLine(String.valueOf(e.getMessage())));
      e.printStackTrace();
      code = EXIT_FAILURE;
    }
    System.out.flush();
    // Also when a subcommand returns after a shutdown hook closed it: exit then only waits for the
    // hooks that are already running.
    System.exit(code);
  }

  /**
   * Runs one command line and returns its exit code; never calls {@link System#exit}. Blocks for as
   * long as the subcommand serves.
   */
  public static int run(String[] args, PrintStream out, PrintStream err)
      throws InterruptedException {
    List<String> list = Arrays.asList(args);
    if (list.isEmpty()) {
      return usageError("no subcommand given", usage(), err);
    }
    String first = list.get(0);
    if (first.equals("--help") || first.equals("-h") || first.equals("help")) {
      out.print(usage());
      return EXIT_OK;
    }
    Subcommand subcommand = SUBCOMMANDS.get(first);
    if (subcommand == null) {
      String what = first.startsWith("-") ? "unknown flag '" : "unknown subcommand '";
      return usageError(
          what + first + "'; valid subcommands: " + String.join(", ", SUBCOMMANDS.keySet()),
          usage(), err);
    }
    List<String> rest = list.subList(1, list.size());
    if (rest.contains("--help") || rest.contains("-h")) {
      out.print(subcommand.usage());
      return EXIT_OK;
    }
    try {
      return subcommand.run(rest, out, err);
    } catch (UsageException e) {
      return usageError(e.getMessage(), subcommand.usage(), err);
    } catch (DemoStartupException | ServiceConfigurationException e) {
      err.println("error: " + oneLine(e.getMessage()));
      return EXIT_FAILURE;
    }
  }

  /** The top-level usage: synopsis and the list of subcommands. */
  public static String usage() {
    String lines =
        SUBCOMMANDS.values().stream()
            .map(s -> String.format("  %-12s %s%n", s.name(), s.summary()))
            .collect(Collectors.joining());
    return String.format(
        "Usage: %s <subcommand> [flags]%n%nSubcommands:%n%s%n"
            + "Run '%s <subcommand> --help' for its flags.%n",
        PROGRAM, lines, PROGRAM);
  }

  /** The message on one line: line breaks and the spaces around them become one space. */
  static String oneLine(String message) {
    return message == null ? "(no message)" : message.strip().replaceAll("\\s*\\R\\s*", " ");
  }

  private static int usageError(String message, String usage, PrintStream err) {
    err.println("error: " + oneLine(message));
    err.println();
    err.print(usage);
    return EXIT_USAGE;
  }

  private static Map<String, Subcommand> subcommands(Subcommand... subcommands) {
    Map<String, Subcommand> byName = new LinkedHashMap<>();
    for (Subcommand subcommand : subcommands) {
      byName.put(subcommand.name(), subcommand);
    }
    return java.util.Collections.unmodifiableMap(byName);
  }
}
