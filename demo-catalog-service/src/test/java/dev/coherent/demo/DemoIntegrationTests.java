package dev.coherent.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.coherent.demo.internal.CatalogDatabase;
import dev.coherent.devservices.RedisService;
import dev.coherent.devservices.Services;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The demo started in this JVM on free ports, over the services {@link Services} resolves. */
class DemoIntegrationTests {
  private static final ByteArrayOutputStream printed = new ByteArrayOutputStream();
  private static RunningDemo demo;

  @BeforeAll
  static void startDemo() {
    int portA = HttpProbe.freePort();
    int portB = HttpProbe.freePort(portA);
    DemoOptions options =
        DemoOptions.builder().portA(portA).portB(portB).runId("it01").build();
    demo = DemoApp.start(options, new PrintStream(printed, true, StandardCharsets.UTF_8), List.of());
  }

  @AfterAll
  static void stopDemo() {
    if (demo != null) {
      demo.close();
    }
  }

  @Test
  void bothInstancesAnswerHealthUp() throws Exception {
    String redisSource = Services.redis().source().name();
    String databaseSource = Services.postgres().source().name();
    for (CatalogInstance instance : demo.instances()) {
      HttpProbe.Answer answer = HttpProbe.get(instance.healthUri());
      assertThat(answer.status).as("HTTP status of %s", instance).isEqualTo(200);
      JsonNode json = answer.json;
      assertThat(json.path("instance").asText()).isEqualTo(instance.id());
      assertThat(json.path("port").asInt()).isEqualTo(instance.port());
      assertThat(json.path("redis").path("reachable").asBoolean()).isTrue();
      assertThat(json.path("redis").path("source").asText()).isEqualTo(redisSource);
      assertThat(json.path("redis").has("error")).isFalse();
      assertThat(json.path("database").path("reachable").asBoolean()).isTrue();
      assertThat(json.path("database").path("source").asText()).isEqualTo(databaseSource);
      assertThat(json.path("status").asText()).isEqualTo("UP");
    }
    assertThat(demo.instanceA().id()).isEqualTo("instance-a-it01");
    assertThat(demo.instanceB().id()).isEqualTo("instance-b-it01");
    assertThat(demo.instanceA().port()).isEqualTo(demo.options().portA());
    assertThat(demo.instanceB().port()).isEqualTo(demo.options().portB());
  }

  @Test
  void theDemoSchemaHasTenThousandProducts() throws Exception {
    for (CatalogInstance instance : demo.instances()) {
      try (Connection connection = instance.context().dataSource().getConnection();
          Statement statement = connection.createStatement();
          ResultSet rows = statement.executeQuery("SELECT count(*) FROM products")) {
        rows.next();
        assertThat(rows.getLong(1)).isEqualTo(10_000);
      }
    }
  }

  @Test
  void startupPrintsWhereServicesCameFromAndTheHealthUrls() {
    String output = printed.toString(StandardCharsets.UTF_8);
    assertThat(output)
        .contains("Coherent demo catalog service, run it01")
        .contains("Redis:       " + Services.redis().source() + " at redis://")
        .contains("PostgreSQL:  " + Services.postgres().source() + " at jdbc:postgresql://")
        .contains("Schema:      version ", ", 10000 products")
        .contains("instance-a-it01: http://localhost:" + demo.options().portA() + "/health")
        .contains("instance-b-it01: http://localhost:" + demo.options().portB() + "/health")
        .contains("Ready in ", "each instance reconciles every 5s.");
  }

  @Test
  void healthIsDownWithin1500msWhileRedisDoesNotAnswerAndUpAgainAfter() throws Exception {
    RedisService redis = Services.redis();
    // CLIENT PAUSE holds every client's commands: PING hangs rather than failing fast, which is
    // the case the deadline exists for. It works on configured servers too (no restart needed).
    redis.pause(Duration.ofSeconds(3));
    HttpProbe.Answer answer = HttpProbe.get(demo.instanceA().healthUri());
    assertThat(answer.status).isEqualTo(503);
    assertThat(answer.json.path("status").asText()).isEqualTo("DOWN");
    assertThat(answer.json.path("redis").path("reachable").asBoolean()).isFalse();
    assertThat(answer.json.path("redis").path("error").asText()).isEqualTo("no answer within 1000 ms");
    assertThat(answer.json.path("database").path("reachable").asBoolean()).isTrue();
    assertThat(answer.took).isLessThan(Duration.ofMillis(1500));

    await()
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> HttpProbe.isUp(demo.instanceA().healthUri()));
  }

  @Test
  void aPortInUseFailsWithOneLineNamingPortAndFlag() throws Exception {
    try (ServerSocket busy = new ServerSocket()) {
      busy.bind(new InetSocketAddress(0));
      int port = busy.getLocalPort();
      int other = HttpProbe.freePort(port);

      DemoOptions onA = DemoOptions.builder().portA(port).portB(other).build();
      assertThatThrownBy(() -> DemoApp.start(onA, nullStream(), List.of()))
          .isInstanceOf(DemoStartupException.class)
          .hasMessage("port " + port + " (--port-a) is already in use; choose another with --port-a");
      DemoOptions onB = DemoOptions.builder().portA(other).portB(port).build();
      assertThatThrownBy(() -> DemoApp.start(onB, nullStream(), List.of()))
          .isInstanceOf(DemoStartupException.class)
          .hasMessage("port " + port + " (--port-b) is already in use; choose another with --port-b");

      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int code =
          DemoMain.run(
              new String[] {"demo", "--port-a", String.valueOf(port), "--port-b", String.valueOf(other)},
              nullStream(),
              new PrintStream(err, true, StandardCharsets.UTF_8));
      assertThat(code).isEqualTo(DemoMain.EXIT_FAILURE);
      assertThat(err.toString(StandardCharsets.UTF_8))
          .isEqualTo("error: port " + port + " (--port-a) is already in use; choose another with --port-a"
              + System.lineSeparator());
    }
  }

  @Test
  void aPortTakenByTheRunningDemoIsRefusedToo() {
    int other = HttpProbe.freePort(demo.options().portA(), demo.options().portB());
    DemoOptions clash = DemoOptions.builder().portA(other).portB(demo.options().portB()).build();
    assertThatThrownBy(() -> DemoApp.start(clash, nullStream(), List.of()))
        .hasMessage("port " + demo.options().portB()
            + " (--port-b) is already in use; choose another with --port-b");
  }

  @Test
  void aPortTakenBetweenTheCheckAndJettysBindIsReportedTheSameWayAndCleanedUp() throws Exception {
    // DemoApp checks ports before starting anything; this is the race where the port is taken
    // after that check, so the failure comes from Jetty's bind inside Javalin.start().
    try (ServerSocket busy = new ServerSocket()) {
      busy.bind(new InetSocketAddress(0));
      int port = busy.getLocalPort();
      assertThatThrownBy(
              () ->
                  CatalogInstance.start(
                      "instance-x-it01", port, DemoOptions.PORT_B_FLAG, Duration.ofSeconds(5),
                      Services.redis(), CatalogDatabase.prepare(Services.postgres()),
                      DemoOptions.create(), List.of(java.net.URI.create("http://localhost:" + port)),
                      List.of()))
          .isInstanceOf(DemoStartupException.class)
          .hasMessage("port " + port + " (--port-b) is already in use; choose another with --port-b");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  Thread.getAllStackTraces().keySet().stream()
                      .noneMatch(t -> t.getName().startsWith("instance-x-it01")));
    }
  }

  private static PrintStream nullStream() {
    return new PrintStream(java.io.OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
  }
}
