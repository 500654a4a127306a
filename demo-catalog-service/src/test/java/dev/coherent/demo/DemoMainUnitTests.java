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

  @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
      "scenario|error: scenario needs a name, subscriber-kill or propagation",
      "scenario kill|error: scenario needs a name, subscriber-kill or propagation, but was 'kill'",
      "scenario subscriber-kill --mode sleepy|error: --mode must be kill, deaf or down but was 'sleepy'",
      "scenario subscriber-kill --outage 1s|error: --outage must be from 2s to 10m but was '1s'",
      "scenario subscriber-kill --outage soon|error: --outage must be a duration, a whole number with ms, s, m or h, like 250ms, 2s or 1m, but was 'soon'",
      "scenario subscriber-kill --products 5|error: --products must be a whole number from 10 to 10000 but was '5'",
      "scenario subscriber-kill --products 100 --deletes 51|error: --deletes must be a whole number from 0 to 50 but was '51'",
      "scenario subscriber-kill --writes 5|error: --writes is a flag of propagation; subscriber-kill takes --api-writes and --sql-writes",
      "scenario propagation --mode kill|error: --mode is a flag of subscriber-kill, not of propagation",
      "scenario propagation --a http://localhost:1|error: --a and --b go together: give both instances' URLs, or neither",
      "scenario propagation --a nowhere --b http://localhost:2|error: --a must be an instance's URL like http://localhost:8081 but was 'nowhere'",
      "scenario subscriber-kill --colour red|error: unknown flag '--colour' for 'scenario'; valid flags: --a, --api-writes, --b, --deletes, --mode, --outage, --products, --report, --sql-writes, --token, --writes, --admin-token, --port-a, --port-b, --reconcile-interval",
      "scenario subscriber-kill --mode|error: --mode needs a value"})
  void badScenarioCommandLinesAreUsageErrors(String line, String message)
      throws InterruptedException {
    assertThat(run(line.split(" "))).isEqualTo(DemoMain.EXIT_USAGE);
    assertThat(firstErrLine()).isEqualTo(message);
    assertThat(err()).contains("Usage: java -jar demo-catalog-service.jar scenario subscriber-kill");
  }

  @Test
  void multiLineMessagesArePrintedOnOneLine() {
    assertThat(DemoMain.oneLine("could not connect\n  to host\r\nx")).isEqualTo("could not connect to host x");
    assertThat(DemoMain.oneLine(null)).isEqualTo("(no message)");
  }
}
