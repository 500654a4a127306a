package dev.coherent.demo;

import dev.coherent.demo.internal.DemoStateFile;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;

/**
 * {@code demo}: starts Redis and PostgreSQL (embedded unless configured), migrates the demo schema
 * and serves two catalog instances until the JVM is stopped (Ctrl-C, SIGTERM). It prints the live
 * page's URL (with the admin token in its fragment, which browsers never send to a server), the
 * token, and three things to try, and leaves a state file for {@code scenario} runs.
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
                  DemoStateFile.delete(options.portA());
                  running.close();
                  out.println("Stopped.");
                  out.flush();
                },
                "demo-shutdown"));
    try {
      DemoStateFile.write(options.portA(), running.state());
    } catch (IOException e) {
      err.println("warning: could not write " + DemoStateFile.path(options.portA())
          + " (scenario runs will start their own instances): " + e.getMessage());
    }
    String a = running.instanceA().baseUri().toString();
    String b = running.instanceB().baseUri().toString();
    out.println();
    out.println("Live page:   " + a + "/#token=" + options.adminToken());
    out.println("Admin token: " + options.adminToken() + "   (header: Authorization: Bearer <token>)");
    out.println();
    out.println("Three things to try:");
    out.println("  1. Open the live page, make B deaf, then \"Update price with plain SQL\": B serves");
    out.println("     the old price until its reconciler reads the change log, then heals within "
        + Durations.format(options.reconcileInterval().plus(java.time.Duration.ofSeconds(1))) + ".");
    out.println("  2. curl -i " + b + "/products/42     (twice: Served-From: db, then l1)");
    out.println("     curl -X PATCH " + a + "/products/42/price -d '{\"priceCents\": 1299}'");
    out.println("     curl -i " + b + "/products/42     (the new version, via the hint)");
    out.println("  3. java -jar demo-catalog-service/target/demo-catalog-service.jar scenario"
        + " subscriber-kill --mode deaf");
    out.println("     (against these instances: lost hints, SQL writes, a JSON report)");
    out.println();
    out.println("Press Ctrl-C to stop.");
    out.flush();
    running.awaitClosed();
    return DemoMain.EXIT_OK;
  }
}
