package dev.coherent.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The catalog endpoints of both instances, served through Coherent. */
class CatalogIntegrationTests {
  private static RunningDemo demo;

  @BeforeAll
  static void startDemo() {
    int portA = HttpProbe.freePort();
    int portB = HttpProbe.freePort(portA);
    DemoOptions options = DemoOptions.builder().portA(portA).portB(portB).runId("cat1")
        .reconcileInterval(Duration.ofMillis(500)).build();
    demo = DemoApp.start(options, new PrintStream(new ByteArrayOutputStream(), true,
        StandardCharsets.UTF_8), DemoApp.DEFAULT_MODULES);
  }

  @AfterAll
  static void stopDemo() {
    if (demo != null) {
      demo.close();
    }
  }

  private static URI uri(CatalogInstance instance, String path) {
    return URI.create("http://localhost:" + instance.port() + path);
  }

  private static long price(CatalogInstance instance, long id) throws Exception {
    HttpProbe.Answer answer = HttpProbe.get(uri(instance, "/products/" + id));
    assertThat(answer.status).isEqualTo(200);
    return answer.json.path("product").path("priceCents").asLong();
  }

  @Test
  void bothInstancesServeTheSameProduct() throws Exception {
    HttpProbe.Answer a = HttpProbe.get(uri(demo.instanceA(), "/products/42"));
    HttpProbe.Answer b = HttpProbe.get(uri(demo.instanceB(), "/products/42"));
    assertThat(a.status).isEqualTo(200);
    assertThat(a.json.path("product")).isEqualTo(b.json.path("product"));
    assertThat(a.json.path("product").path("id").asLong()).isEqualTo(42);
    assertThat(a.json.path("servedBy").asText()).isEqualTo(demo.instanceA().id());
    assertThat(b.json.path("servedBy").asText()).isEqualTo(demo.instanceB().id());
  }

  @Test
  void aPriceChangeOnOneInstanceIsServedByTheOther() throws Exception {
    price(demo.instanceB(), 7); // B caches product 7
    HttpProbe.Answer put = HttpProbe.put(uri(demo.instanceA(), "/products/7/price"),
        "{\"priceCents\": 123456}");
    assertThat(put.status).isEqualTo(200);
    assertThat(put.json.path("product").path("priceCents").asLong()).isEqualTo(123456);
    await().atMost(Duration.ofSeconds(5)).until(() -> price(demo.instanceB(), 7) == 123456);
  }

  @Test
  void anUpdateMadeWithPlainSqlReachesBothInstances() throws Exception {
    price(demo.instanceA(), 9);
    price(demo.instanceB(), 9);
    try (Connection c = demo.instanceA().context().dataSource().getConnection();
        Statement s = c.createStatement()) {
      s.executeUpdate("UPDATE products SET price_cents = 777 WHERE id = 9");
    }
    // No application code published anything: the reconciler reads the change log.
    await().atMost(Duration.ofSeconds(10)).until(() ->
        price(demo.instanceA(), 9) == 777 && price(demo.instanceB(), 9) == 777);
  }

  @Test
  void badRequestsGetMessagesNamingTheValue() throws Exception {
    HttpProbe.Answer badId = HttpProbe.get(uri(demo.instanceA(), "/products/abc"));
    assertThat(badId.status).isEqualTo(400);
    assertThat(badId.json.path("error").asText()).contains("'abc'");
    HttpProbe.Answer missing = HttpProbe.get(uri(demo.instanceA(), "/products/99999999"));
    assertThat(missing.status).isEqualTo(404);
    HttpProbe.Answer negative = HttpProbe.put(uri(demo.instanceA(), "/products/1/price"),
        "{\"priceCents\": -5}");
    assertThat(negative.status).isEqualTo(400);
    assertThat(negative.json.path("error").asText()).contains("-5");
    HttpProbe.Answer stats = HttpProbe.get(uri(demo.instanceA(), "/cache/stats"));
    assertThat(stats.status).isEqualTo(200);
    assertThat(stats.json.path("meters").has("coherent.reconcile.runs,result=ok")).isTrue();
  }
}
