package dev.coherent.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The "subscriber killed" scenario, run in-process for a few seconds. */
class ScenarioIntegrationTests {

  @Test
  void theScenarioKillsTheSubscriberAndStaysWithinTheBound() throws Exception {
    int portA = HttpProbe.freePort();
    int portB = HttpProbe.freePort(portA);
    DemoOptions options = DemoOptions.builder().portA(portA).portB(portB).runId("scn1")
        .reconcileInterval(Duration.ofMillis(500)).build();
    try (RunningDemo demo = DemoApp.start(options, new PrintStream(new ByteArrayOutputStream(),
        true, StandardCharsets.UTF_8), DemoApp.DEFAULT_MODULES)) {
      ScenarioCommand.Result result =
          ScenarioCommand.run(demo, Duration.ofSeconds(4), new PrintStream(new ByteArrayOutputStream()));
      assertThat(result.writes()).isGreaterThan(20);
      assertThat(result.reads()).isGreaterThan(20);
      assertThat(result.kills()).isGreaterThan(5);
      // Hints were lost (b did not receive one per write) and b reconciled on resubscription.
      assertThat(result.meter("coherent.hints.received")).isLessThan(result.writes());
      assertThat(result.meter("coherent.reconcile.requests,reason=resubscribed")).isGreaterThan(0);
      assertThat(result.worstMillis())
          .isLessThanOrEqualTo(options.reconcileInterval().plus(ScenarioCommand.POLL_ALLOWANCE).toMillis());
    }
  }

  @Test
  void theCommandLinePrintsTheVerdict() throws Exception {
    int portA = HttpProbe.freePort();
    int portB = HttpProbe.freePort(portA);
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
    int exit = DemoMain.run(new String[] {"scenario", "--duration", "3s", "--reconcile-interval",
        "500ms", "--port-a", Integer.toString(portA), "--port-b", Integer.toString(portB)}, out, out);
    String text = printed.toString(StandardCharsets.UTF_8);
    assertThat(exit).as(text).isZero();
    assertThat(text).contains("worst staleness on b:").contains("bound (interval + poll):    1500 ms")
        .contains("PASS");
  }
}
