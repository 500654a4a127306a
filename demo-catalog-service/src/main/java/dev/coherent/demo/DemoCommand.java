package dev.coherent.demo;

import java.io.PrintStream;
import java.util.List;

/**
 * {@code demo}: starts Redis and PostgreSQL (embedded unless configured), migrates the demo schema
 * and serves two catalog instances until the JVM is stopped (Ctrl-C, SIGTERM).
 */
final class DemoCommand implements Subcommand {

  @Override
  public String name() {
    return "demo";
  }

  @Override
  public String summary() {
    return "run two catalog instances over one Redis and one PostgreSQL until Ctrl-C";
  }

  @Override
  public String usage() {
    return String.format(
        "Usage: %s demo [flags]%n%n"
            + "Starts Redis and PostgreSQL (embedded unless COHERENT_REDIS_URL / COHERENT_JDBC_URL%n"
            + "are set), migrates the demo schema and serves instance-a and instance-b until Ctrl-C.%n%n"
            + "Flags:%n%s",
        DemoMain.PROGRAM, DemoOptions.flagUsage());
  }

  @Override
  public int run(List<String> args, PrintStream out, PrintStream err) throws InterruptedException {
    DemoOptions options = DemoOptions.parse(args);
    RunningDemo running = DemoApp.start(options, out, DemoApp.DEFAULT_MODULES);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  out.println("Stopping " + running.instanceA().id() + " and "
                      + running.instanceB().id() + " ...");
                  running.close();
                  out.println("Stopped.");
                  out.flush();
                },
                "demo-shutdown"));
    out.println("Press Ctrl-C to stop.");
    out.flush();
    running.awaitClosed();
    return DemoMain.EXIT_OK;
  }
}
