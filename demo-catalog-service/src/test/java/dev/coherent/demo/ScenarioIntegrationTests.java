package dev.coherent.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.coherent.demo.internal.DemoStateFile;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The scenario command end to end, short (outage 8 s, reconcile interval 1 s): every mode of
 * subscriber-kill against a running demo found through its state file, as a user runs it beside
 * {@code demo}; propagation on instances it starts itself. The JSON report is what is asserted.
 */
class ScenarioIntegrationTests {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> KILL_KEYS = List.of("scenario", "mode", "reconcileIntervalMs",
      "boundMs", "outageMs", "products", "writesViaApi", "writesViaSql", "deletes", "readsFromB",
      "staleReads", "maxStalenessMs", "p50StalenessMs", "p99StalenessMs", "staleReadsBeyondBound",
      "finalConsistent", "finalMismatches", "finalMismatchDetails", "convergedAfterMs",
      "hintsReceivedByB",
      "subscriberKills", "pass");

  private static RunningDemo demo;

  @TempDir
  Path reports;

  @BeforeAll
  static void startDemo() throws Exception {
    int portA = HttpProbe.freePort();
    int portB = HttpProbe.freePort(portA);
    demo = DemoApp.start(DemoOptions.builder().portA(portA).portB(portB).runId("scn")
            .reconcileInterval(Duration.ofSeconds(1)).build(),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        DemoApp.DEFAULT_MODULES);
    DemoStateFile.write(portA, demo.state());
  }

  @AfterAll
  static void stopDemo() {
    if (demo != null) {
      DemoStateFile.delete(demo.options().portA());
      demo.close();
    }
  }

  private record Run(int exit, String printed, JsonNode report) {}

  private Run run(String name, String... args) throws Exception {
    Path report = reports.resolve(name + ".json");
    List<String> line = new ArrayList<>(List.of(args));
    line.addAll(List.of("--report", report.toString()));
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
    int exit = DemoMain.run(line.toArray(String[]::new), out, out);
    String text = printed.toString(StandardCharsets.UTF_8);
    System.out.println(text); // the table, in the test's output file
    assertThat(report).as(text).exists();
    return new Run(exit, text, JSON.readTree(Files.readString(report)));
  }

  @ParameterizedTest(name = "mode {0}")
  @ValueSource(strings = {"kill", "down", "deaf"})
  void everyModeStaysWithinTheBoundAndEndsConsistent(String mode) throws Exception {
    Run run = run("kill-" + mode, "scenario", "subscriber-kill", "--mode", mode, "--outage", "8s",
        "--port-a", Integer.toString(demo.options().portA()), "--products", "100",
        "--api-writes", "60", "--sql-writes", "30", "--deletes", "10");
    JsonNode r = run.report();
    assertThat(run.printed()).contains("Using the running demo at " + demo.instanceA().baseUri());
    List<String> keys = new ArrayList<>();
    r.fieldNames().forEachRemaining(keys::add);
    assertThat(keys).containsExactlyElementsOf(KILL_KEYS);
    assertThat(r.path("mode").asText()).isEqualTo(mode);
    assertThat(r.path("reconcileIntervalMs").asLong()).isEqualTo(1000);
    assertThat(r.path("boundMs").asLong()).isEqualTo(2000);
    assertThat(r.path("outageMs").asLong()).isGreaterThanOrEqualTo(8000);
    assertThat(r.path("writesViaApi").asInt()).isEqualTo(60);
    assertThat(r.path("writesViaSql").asInt()).isEqualTo(30);
    assertThat(r.path("deletes").asInt()).isEqualTo(10);
    assertThat(r.path("readsFromB").asLong()).isGreaterThan(100);
    // Hints were lost, so b served older versions for a while: the scenario measured something.
    assertThat(r.path("staleReads").asLong()).isPositive();
    assertThat(r.path("maxStalenessMs").asDouble()).isPositive()
        .isLessThanOrEqualTo(r.path("boundMs").asDouble());
    assertThat(r.path("p99StalenessMs").asDouble())
        .isLessThanOrEqualTo(r.path("maxStalenessMs").asDouble());
    assertThat(r.path("staleReadsBeyondBound").asLong()).isZero();
    assertThat(r.path("finalConsistent").asBoolean()).isTrue();
    assertThat(r.path("finalMismatches").asInt()).isZero();
    if (mode.equals("kill")) {
      assertThat(r.path("subscriberKills").asLong()).isPositive();
    } else {
      assertThat(r.path("subscriberKills").asLong()).isZero();
    }
    assertThat(r.path("pass").asBoolean()).isTrue();
    assertThat(run.exit()).as(run.printed()).isZero();
    assertThat(run.printed()).contains("PASS");
  }

  @Test
  void propagationOnInstancesTheScenarioStartsItself() throws Exception {
    int portA = HttpProbe.freePort(demo.options().portA(), demo.options().portB());
    int portB = HttpProbe.freePort(portA, demo.options().portA(), demo.options().portB());
    Run run = run("propagation", "scenario", "propagation", "--writes", "50",
        "--port-a", Integer.toString(portA), "--port-b", Integer.toString(portB),
        "--reconcile-interval", "1s");
    assertThat(run.printed()).contains("No demo is running on port " + portA);
    JsonNode r = run.report();
    assertThat(r.path("scenario").asText()).isEqualTo("propagation");
    assertThat(r.path("writes").asInt()).isEqualTo(50);
    assertThat(r.path("notVisibleWithinBound").asInt()).isZero();
    assertThat(r.path("p50Ms").asDouble()).isLessThanOrEqualTo(r.path("p99Ms").asDouble());
    assertThat(r.path("p99Ms").asDouble()).isLessThanOrEqualTo(r.path("maxMs").asDouble())
        .isLessThan(r.path("boundMs").asDouble());
    assertThat(r.path("p50FromRequestMs").asDouble()).isPositive();
    assertThat(r.path("pass").asBoolean()).isTrue();
    assertThat(run.exit()).isZero();
  }
}
