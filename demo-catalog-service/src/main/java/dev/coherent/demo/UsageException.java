package dev.coherent.demo;

/**
 * The command line is wrong: an unknown subcommand or flag, a missing or malformed value. The
 * message is one line naming the flag, the bad value and what would be valid; {@link DemoMain}
 * prints it with the usage and exits with {@link DemoMain#EXIT_USAGE}.
 *
 * <p>It is an {@link IllegalArgumentException} so that the builders of options objects can throw
 * the same message when called from code.
 */
public final class UsageException extends IllegalArgumentException {
  public UsageException(String message) {
    super(message);
  }
}
