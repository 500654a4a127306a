package dev.coherent.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The command line up to the point where services would start; nothing here starts any. */
class DemoMainUnitTests {
  private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
  private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();

  private int run(String... args) throws InterruptedException {
    return DemoMain.run(
        args,
        new PrintStream(outBytes, true, StandardCharsets.UTF_8),
        new PrintStream(errBytes, true, StandardCharsets.UTF_8));
  }

  private String out() {
    return outBytes.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return errBytes.toString(StandardCharsets.UTF_8);
  }

  private String firstErrLine() {
    return err().lines().findFirst().orElse("");
  }

  @Test
  void helpPrintsTheSubcommands() throws InterruptedException {
    assertThat(run("--help")).isEqualTo(DemoMain.EXIT_OK);
    assertThat(out())
        .startsWith("Usage: java -jar demo-catalog-service.jar <subcommand> [flags]")
        .contains("demo ", "run two catalog instances");
    assertThat(err()).isEmpty();
  }

  @Test
  void subcommandHelpPrintsItsFlags() throws InterruptedException {
    assertThat(run("demo", "--help")).isEqualTo(DemoMain.EXIT_OK);
    assertThat(out())
        .startsWith("Usage: java -jar demo-catalog-service.jar demo [flags]")
        .contains("--port-a PORT", "--port-b PORT", "--reconcile-interval DURATION",
            "COHERENT_REDIS_URL");
  }

  @Test
  void helpWinsOverBadFlags() throws InterruptedException {
    assertThat(run("demo", "--port-a", "abc", "--help")).isEqualTo(DemoMain.EXIT_OK);
  }

  @Test
  void noSubcommandIsAUsageError() throws InterruptedException {
    assertThat(run()).isEqualTo(DemoMain.EXIT_USAGE);
    assertThat(firstErrLine()).isEqualTo("error: no subcommand given");
    assertThat(err()).contains("Usage: java -jar demo-catalog-service.jar <subcommand>");
    assertThat(out()).isEmpty();
  }

  @Test
  void unknownSubcommandIsAUsageError() throws InterruptedException {
    assertThat(run("scenarios")).isEqualTo(DemoMain.EXIT_USAGE);
    assertThat(firstErrLine()).isEqualTo("error: unknown subcommand 'scenarios'; valid subcommands: demo, scenario");
    assertThat(err()).contains("Subcommands:");
  }

  @Test
  void unknownTopLevelFlagIsAUsageError() throws InterruptedException {
    assertThat(run("--port-a", "8081")).isEqualTo(DemoMain.EXIT_USAGE);
    assertThat(firstErrLine()).isEqualTo("error: unknown flag '--port-a'; valid subcommands: demo, scenario");
  }

  @Test
  void badFlagValueIsAUsageErrorWithTheSubcommandsUsage() throws InterruptedException {
    assertThat(run("demo", "--port-a", "abc")).isEqualTo(DemoMain.EXIT_USAGE);
    assertThat(firstErrLine()).isEqualTo("error: --port-a must be a port 1..65535 but was 'abc'");
    assertThat(err().lines().skip(1).findFirst()).hasValue("");
    assertThat(err()).contains("Usage: java -jar demo-catalog-service.jar demo [flags]");
  }

  @Test
  void unknownDemoFlagIsAUsageError() throws InterruptedException {
    assertThat(run("demo", "--port", "8081")).isEqualTo(DemoMain.EXIT_USAGE);
    assertThat(firstErrLine()).startsWith("error: unknown flag '--port' for 'demo'");
  }

  @Test
  void multiLineMessagesArePrintedOnOneLine() {
    assertThat(DemoMain.oneLine("could not connect\n  to host\r\nx")).isEqualTo("could not connect to host x");
    assertThat(DemoMain.oneLine(null)).isEqualTo("(no message)");
  }
}
