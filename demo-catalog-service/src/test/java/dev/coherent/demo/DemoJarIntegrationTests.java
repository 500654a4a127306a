package dev.coherent.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shaded jar as users run it: {@code java -jar target/demo-catalog-service.jar ...} in its own
 * process. Failsafe runs after {@code package}, so the jar exists. Output goes to files under
 * {@code target/demo-jar-it/} for diagnosis.
 */
class DemoJarIntegrationTests {
  private static final Path JAR = Path.of("target", "demo-catalog-service.jar");
  private static final Path LOGS = Path.of("target", "demo-jar-it");
  private static final String JAVA =
      Path.of(System.getProperty("java.home"), "bin", "java").toString();

  @BeforeAll
  static void jarWasBuilt() throws IOException {
    assertThat(JAR).as("the shaded jar (built by 'package' before Failsafe runs)").isRegularFile();
    Files.createDirectories(LOGS);
  }

  /** A finished run of the jar. */
  private static final class Run {
    final int exitCode;
    final String out;
    final String err;

    Run(int exitCode, String out, String err) {
      this.exitCode = exitCode;
      this.out = out;
      this.err = err;
    }
  }

  private static Process launch(String name, Map<String, String> env, String... args)
      throws IOException {
    List<String> command = new ArrayList<>(List.of(JAVA, "-jar", JAR.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().putAll(env);
    builder.redirectOutput(LOGS.resolve(name + ".out").toFile());
    builder.redirectError(LOGS.resolve(name + ".err").toFile());
    return builder.start();
  }

  private static Run runToEnd(String name, Map<String, String> env, String... args)
      throws IOException, InterruptedException {
    Process process = launch(name, env, args);
    boolean exited = process.waitFor(60, TimeUnit.SECONDS);
    if (!exited) {
      process.destroyForcibly();
    }
    assertThat(exited).as("'%s' exited within 60 s", String.join(" ", args)).isTrue();
    return new Run(process.exitValue(), read(name + ".out"), read(name + ".err"));
  }

  private static String read(String file) throws IOException {
    return Files.readString(LOGS.resolve(file), StandardCharsets.UTF_8);
  }

  @Test
  void demoServesBothInstancesAndStopsOnSigterm() throws Exception {
    int portA = HttpProbe.freePort();
    int portB = HttpProbe.freePort(portA);
    long start = System.nanoTime();
    Process process =
        launch("demo", Map.of(), "demo", "--port-a", String.valueOf(portA), "--port-b",
            String.valueOf(portB), "--reconcile-interval", "2s");
    try {
      URI healthA = URI.create("http://localhost:" + portA + "/health");
      URI healthB = URI.create("http://localhost:" + portB + "/health");
      // The first start of embedded PostgreSQL unpacks its binaries (3-6 s); leave ample room.
      await()
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofMillis(100))
          .failFast("the demo process exited", () -> !process.isAlive())
          .until(() -> HttpProbe.isUp(healthA) && HttpProbe.isUp(healthB));
      Duration healthy = Duration.ofNanos(System.nanoTime() - start);
      System.out.println("demo jar: both instances healthy " + healthy.toMillis() + " ms after launch");
      Files.writeString(LOGS.resolve("startup-ms.txt"), healthy.toMillis() + "\n");

      assertThat(HttpProbe.get(healthA).json.path("instance").asText()).startsWith("instance-a-");
      assertThat(HttpProbe.get(healthB).json.path("port").asInt()).isEqualTo(portB);
      // The banner's last lines are printed after both instances answer: wait for them.
      await().atMost(Duration.ofSeconds(30))
          .failFast("the demo process exited", () -> !process.isAlive())
          .until(() -> read("demo.out").contains("Press Ctrl-C to stop."));
      assertThat(read("demo.out"))
          .contains("Redis:", "PostgreSQL:", "10000 products",
              "http://localhost:" + portA + "/health", "http://localhost:" + portB + "/health",
              "each instance reconciles every 2s", "Press Ctrl-C to stop.",
              "Live page:   http://localhost:" + portA + "/#token=", "Admin token: ",
              "Three things to try:");
      // The live page is served by the jar (from its resources, no CDN).
      HttpProbe.Answer page = HttpProbe.send("GET", URI.create("http://localhost:" + portA + "/"),
          null, Map.of());
      assertThat(page.status).isEqualTo(200);
      assertThat(page.text).contains("<script src=\"/live.js\"></script>").doesNotContain("https://");

      long stop = System.nanoTime();
      process.destroy(); // SIGTERM: the shutdown hooks run
      assertThat(process.waitFor(20, TimeUnit.SECONDS)).as("exited within 20 s of SIGTERM").isTrue();
      System.out.println("demo jar: exited " + Duration.ofNanos(System.nanoTime() - stop).toMillis()
          + " ms after SIGTERM with code " + process.exitValue());
      assertThat(read("demo.out")).contains("Stopped.");
      assertThat(HttpProbe.isUp(healthA)).isFalse();
      assertThat(HttpProbe.isUp(healthB)).isFalse();
    } finally {
      process.destroyForcibly();
    }
  }

  @Test
  void helpExitsZero() throws Exception {
    Run run = runToEnd("help", Map.of(), "--help");
    assertThat(run.exitCode).isZero();
    assertThat(run.out).contains("Usage: java -jar demo-catalog-service.jar <subcommand>", "demo ");
  }

  @Test
  void unknownFlagExitsTwoWithOneLineAndUsage() throws Exception {
    Run run = runToEnd("unknown-flag", Map.of(), "demo", "--colour", "red");
    assertThat(run.exitCode).isEqualTo(2);
    assertThat(run.err.lines().findFirst())
        .hasValue("error: unknown flag '--colour' for 'demo'; valid flags: --port-a, --port-b,"
            + " --reconcile-interval, --admin-token, --help");
    assertThat(run.err).contains("Usage: java -jar demo-catalog-service.jar demo [flags]");
  }

  @Test
  void badRedisUrlExitsOneWithOneLineAndNoStackTrace() throws Exception {
    int portA = HttpProbe.freePort();
    int portB = HttpProbe.freePort(portA);
    Run run =
        runToEnd("bad-redis-url", Map.of("COHERENT_REDIS_URL", "localhost:6379"), "demo",
            "--port-a", String.valueOf(portA), "--port-b", String.valueOf(portB));
    assertThat(run.exitCode).isEqualTo(1);
    assertThat(run.err.lines()).hasSize(1);
    assertThat(run.err)
        .startsWith("error: COHERENT_REDIS_URL='localhost:6379' is not a Redis URL")
        .doesNotContain("Exception", "\tat ");
  }

  @Test
  void portInUseExitsOneWithOneLine() throws Exception {
    try (ServerSocket busy = new ServerSocket()) {
      busy.bind(new InetSocketAddress(0));
      int port = busy.getLocalPort();
      Run run =
          runToEnd("port-in-use", Map.of(), "demo", "--port-a", String.valueOf(HttpProbe.freePort(port)),
              "--port-b", String.valueOf(port));
      assertThat(run.exitCode).isEqualTo(1);
      assertThat(run.err)
          .isEqualTo("error: port " + port + " (--port-b) is already in use; choose another with --port-b"
              + System.lineSeparator());
    }
  }

}
