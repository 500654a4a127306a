package dev.coherent.demo;

import static dev.coherent.demo.SharedDemo.a;
import static dev.coherent.demo.SharedDemo.b;
import static dev.coherent.demo.SharedDemo.call;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.coherent.hibernate.CoherentRegionFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The catalog of both instances: products through Hibernate with Coherent as its second-level
 * cache, listings through the core API, writes through the API and with plain SQL.
 */
class CatalogIntegrationTests {
  /** The reconcile bound of the shared demo, with room for a busy CI machine. */
  private static final Duration BOUND = SharedDemo.INTERVAL.plusSeconds(4);

  @BeforeAll
  static void start() {
    SharedDemo.get();
  }

  private static HttpProbe.Answer product(URI base) throws Exception {
    return call("GET", base, null);
  }

  private static long version(URI uri) throws Exception {
    HttpProbe.Answer answer = product(uri);
    return answer.status == 404 ? -1 : answer.json.path("version").asLong();
  }

  private static long price(URI uri) throws Exception {
    return product(uri).json.path("priceCents").asLong();
  }

  private static void sql(String statement) throws SQLException {
    try (Connection c = SharedDemo.get().instanceA().context().dataSource().getConnection();
        Statement s = c.createStatement()) {
      s.executeUpdate(statement);
    }
  }

  @Test
  void aReadSaysWhereItWasServedFromAndByWhom() throws Exception {
    HttpProbe.Answer first = product(b("/products/101"));
    assertThat(first.status).isEqualTo(200);
    assertThat(first.header("Served-From")).isEqualTo("db");
    assertThat(first.header("Served-By")).isEqualTo(SharedDemo.get().instanceB().id());
    assertThat(first.header("ETag")).isEqualTo("\"" + first.json.path("version").asLong() + "\"");
    assertThat(first.json.path("id").asLong()).isEqualTo(101);
    assertThat(first.json.path("sku").asText()).isEqualTo("SKU-000101");
    HttpProbe.Answer again = product(b("/products/101"));
    assertThat(again.header("Served-From")).isEqualTo("l1");
    assertThat(again.json).isEqualTo(first.json);
    // Instance A has nothing in L1 but B's load filled Redis.
    HttpProbe.Answer fromA = product(a("/products/101"));
    assertThat(fromA.header("Served-From")).isEqualTo("l2");
    assertThat(fromA.json).isEqualTo(first.json);
    assertThat(product(a("/products/101")).header("Served-From")).isEqualTo("l1");
  }

  @Test
  void aPriceChangeOnOneInstanceIsServedByTheOther() throws Exception {
    long before = version(b("/products/7")); // B holds product 7 in L1
    HttpProbe.Answer patch = call("PATCH", a("/products/7/price"), "{\"priceCents\": 123456}");
    assertThat(patch.status).isEqualTo(200);
    assertThat(patch.json.path("priceCents").asLong()).isEqualTo(123456);
    assertThat(patch.json.path("version").asLong()).isEqualTo(before + 1);
    await().atMost(BOUND).until(() -> price(b("/products/7")) == 123456);
    assertThat(version(b("/products/7"))).isEqualTo(before + 1);
  }

  @Test
  void anUpdateMadeWithPlainSqlReachesBothInstances() throws Exception {
    long before = version(a("/products/9"));
    version(b("/products/9"));
    sql("UPDATE products SET price_cents = 777 WHERE id = 9");
    // No application code published anything: the reconcilers read the change log.
    await().atMost(BOUND).until(() ->
        price(a("/products/9")) == 777 && price(b("/products/9")) == 777);
    assertThat(version(b("/products/9"))).isEqualTo(before + 1);
    // Hibernate's next update of the row starts from the database's version, not a cached one.
    HttpProbe.Answer patch = call("PATCH", b("/products/9/price"), "{\"priceCents\": 778}");
    assertThat(patch.status).as(patch.text).isEqualTo(200);
    assertThat(patch.json.path("version").asLong()).isEqualTo(before + 2);
  }

  @Test
  void createReplaceAndDeleteAProduct() throws Exception {
    HttpProbe.Answer created = call("POST", a("/products"), "{\"sku\":\"SKU-T-1\",\"name\":\"Test"
        + " Lamp\",\"description\":\"made by a test\",\"priceCents\":1999,\"currency\":\"EUR\","
        + "\"categoryId\":13,\"stock\":4}");
    assertThat(created.status).as(created.text).isEqualTo(201);
    long id = created.json.path("id").asLong();
    assertThat(id).isGreaterThan(10_000);
    assertThat(created.header("Location")).isEqualTo("/products/" + id);
    long v0 = created.json.path("version").asLong();
    assertThat(product(b("/products/" + id)).json).isEqualTo(created.json);

    String replacement = "{\"sku\":\"SKU-T-1\",\"name\":\"Test Lamp II\",\"description\":\"d\","
        + "\"priceCents\":2999,\"currency\":\"USD\",\"categoryId\":14,\"stock\":0}";
    HttpProbe.Answer stale = HttpProbe.send("PUT", a("/products/" + id), replacement,
        Map.of("If-Match", "\"" + (v0 + 7) + "\""));
    assertThat(stale.status).isEqualTo(412);
    assertThat(stale.json.path("currentVersion").asLong()).isEqualTo(v0);
    HttpProbe.Answer replaced = HttpProbe.send("PUT", a("/products/" + id), replacement,
        Map.of("If-Match", "\"" + v0 + "\""));
    assertThat(replaced.status).as(replaced.text).isEqualTo(200);
    assertThat(replaced.json.path("name").asText()).isEqualTo("Test Lamp II");
    assertThat(replaced.json.path("categoryId").asLong()).isEqualTo(14);
    assertThat(replaced.json.path("version").asLong()).isEqualTo(v0 + 1);
    await().atMost(BOUND).until(() -> version(b("/products/" + id)) == v0 + 1);

    HttpProbe.Answer wrongVersion = HttpProbe.send("DELETE", a("/products/" + id), null,
        Map.of("If-Match", "\"" + v0 + "\""));
    assertThat(wrongVersion.status).isEqualTo(412);
    assertThat(call("DELETE", a("/products/" + id), null).status).isEqualTo(204);
    await().atMost(BOUND).until(() -> product(b("/products/" + id)).status == 404);
    assertThat(product(a("/products/" + id)).status).isEqualTo(404);
    assertThat(call("DELETE", a("/products/" + id), null).status).isEqualTo(404);
  }

  @Test
  void aTakenSkuIsAConflictNamingTheField() throws Exception {
    HttpProbe.Answer answer = call("POST", a("/products"), "{\"sku\":\"SKU-000001\",\"name\":\"x\","
        + "\"description\":\"\",\"priceCents\":1,\"currency\":\"EUR\",\"categoryId\":1,\"stock\":1}");
    assertThat(answer.status).isEqualTo(409);
    assertThat(answer.json.path("fields").get(0).path("field").asText()).isEqualTo("sku");
  }

  @Test
  void listingsArePagedAndFollowWritesThroughTheApiAndWithPlainSql() throws Exception {
    HttpProbe.Answer page = call("GET", b("/categories/3/products?page=2&size=5"), null);
    assertThat(page.status).isEqualTo(200);
    assertThat(page.json.path("category").asText()).isEqualTo("Kitchen");
    assertThat(page.json.path("total").asInt()).isEqualTo(500);
    assertThat(page.json.path("pages").asInt()).isEqualTo(100);
    assertThat(page.json.path("products")).hasSize(5);
    // Category 3 holds ids 3, 23, 43, ...: page 2 of 5 starts with the sixth, 103.
    assertThat(page.json.path("products").get(0).path("id").asLong()).isEqualTo(103);
    long listingVersion = page.json.path("listingVersion").asLong();

    assertThat(call("PATCH", a("/products/103/price"), "{\"priceCents\": 4242}").status)
        .isEqualTo(200);
    await().atMost(BOUND).until(() -> firstPrice(b("/categories/3/products?page=2&size=5")) == 4242);
    assertThat(call("GET", b("/categories/3/products?page=2&size=5"), null).json
        .path("listingVersion").asLong()).isGreaterThan(listingVersion);

    sql("UPDATE products SET price_cents = 4343 WHERE id = 103");
    await().atMost(BOUND).until(() -> firstPrice(b("/categories/3/products?page=2&size=5")) == 4343
        && firstPrice(a("/categories/3/products?page=2&size=5")) == 4343);

    HttpProbe.Answer beyond = call("GET", b("/categories/3/products?page=1000&size=5"), null);
    assertThat(beyond.status).isEqualTo(200);
    assertThat(beyond.json.path("products")).isEmpty();
  }

  private static long firstPrice(URI listing) throws Exception {
    return call("GET", listing, null).json.path("products").get(0).path("priceCents").asLong();
  }

  @Test
  void theMigrationTracksExactlyWhatTheRegionFactoryDerivesFromTheMetamodel() throws IOException {
    List<String> derived = CoherentRegionFactory.trackingStatements(
        SharedDemo.catalog(SharedDemo.get().instanceA()).sessionFactory());
    String migration;
    try (InputStream in = getClass().getResourceAsStream(
        "/db/demo-catalog/V4__hibernate_and_listings.sql")) {
      migration = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    Matcher m = Pattern.compile("SELECT coherent_track\\('(categories|products)'.*;").matcher(migration);
    List<String> inMigration = new java.util.ArrayList<>();
    while (m.find()) {
      inMigration.add(m.group());
    }
    assertThat(inMigration).containsExactlyElementsOf(derived);
  }

  @Test
  void metricsAreInThePrometheusFormat() throws Exception {
    product(a("/products/1"));
    HttpProbe.Answer metrics = call("GET", a("/metrics"), null);
    assertThat(metrics.status).isEqualTo(200);
    assertThat(metrics.header("Content-Type")).startsWith("text/plain");
    String instance = "instance=\"" + SharedDemo.get().instanceA().id() + "\"";
    assertThat(metrics.text)
        .contains("coherent_gets_total{" + instance + ",namespace=\"hb:catalog.product\"")
        .contains("coherent_reconcile_runs_total{" + instance + ",result=\"ok\"}")
        .contains("hibernate_second_level_cache_requests_total{entityManagerFactory=\"catalog\",")
        .contains("jvm_memory_used_bytes{")
        .contains("http_server_requests_seconds_count{" + instance
            + ",method=\"GET\",status=\"200\",uri=\"/products/{id}\"}");
  }

  @Test
  void theLivePageAndItsInstanceListAreServed() throws Exception {
    HttpProbe.Answer page = call("GET", a("/"), null);
    assertThat(page.status).isEqualTo(200);
    assertThat(page.text).contains("Change price on A").doesNotContain("https://");
    assertThat(call("GET", a("/live.js"), null).status).isEqualTo(200);
    HttpProbe.Answer instances = call("GET", b("/demo/instances"), null);
    assertThat(instances.json.findValuesAsText("url")).containsExactly(
        SharedDemo.get().instanceA().baseUri().toString(),
        SharedDemo.get().instanceB().baseUri().toString());
    // The page served by A reads B: B allows A's origin.
    HttpProbe.Answer cors = HttpProbe.send("GET", b("/products/1"), null,
        Map.of("Origin", SharedDemo.get().instanceA().baseUri().toString()));
    assertThat(cors.header("Access-Control-Allow-Origin"))
        .isEqualTo(SharedDemo.get().instanceA().baseUri().toString());
  }
}
