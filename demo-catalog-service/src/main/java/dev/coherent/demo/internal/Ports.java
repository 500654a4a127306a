package dev.coherent.demo.internal;

import dev.coherent.demo.DemoStartupException;
import io.javalin.util.JavalinBindException;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Port checks with the messages users see. */
public final class Ports {
  private Ports() {}

  /**
   * Fails fast, before any service starts, when {@code port} cannot be bound on all interfaces
   * (which is where Jetty binds).
   */
  public static void requireFree(int port, String flag) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(port));
    } catch (IOException e) {
      String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      if (reason.toLowerCase(java.util.Locale.ROOT).contains("in use")) {
        throw inUse(port, flag, e);
      }
      throw new DemoStartupException(
          "port " + port + " (" + flag + ") cannot be opened: " + reason
              + "; choose another with " + flag, e);
    }
  }

  /** Whether the failure of a server start is a port that could not be bound. */
  public static boolean isBindFailure(Throwable thrown) {
    for (Throwable t = thrown; t != null; t = t.getCause()) {
      if (t instanceof BindException || t instanceof JavalinBindException) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }

  public static DemoStartupException inUse(int port, String flag, Throwable cause) {
    return new DemoStartupException(
        "port " + port + " (" + flag + ") is already in use; choose another with " + flag, cause);
  }
}
