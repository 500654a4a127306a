package dev.coherent.demo;

/**
 * The demo could not start for a reason the user can fix (a port already in use, a database that
 * cannot be migrated). The message is one line; {@link DemoMain} prints it without a stack trace
 * and exits with {@link DemoMain#EXIT_FAILURE}.
 */
public final class DemoStartupException extends RuntimeException {
  public DemoStartupException(String message) {
    super(message);
  }

  public DemoStartupException(String message, Throwable cause) {
    super(message, cause);
  }
}
