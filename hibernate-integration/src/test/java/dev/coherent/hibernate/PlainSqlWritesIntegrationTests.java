package dev.coherent.hibernate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.coherent.db.CoherentSchema;
import dev.coherent.devservices.Database;
import dev.coherent.devservices.Services;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Writes made outside Hibernate (plain JDBC, as psql or a batch job would) reach both instances'
 * entity, natural-id, collection and query caches through coherent-db's change log, within the
 * reconcile bound, once the table is opted in with the statement the provider derives from the
 * metamodel. Hints play no part: a plain SQL write sends none.
 */
class PlainSqlWritesIntegrationTests {
  private static final Duration RECONCILE = Duration.ofMillis(500);
  private static Database db;
  private static SessionFactory a;
  private static SessionFactory b;

  @BeforeAll
  static void start() throws Exception {
    db = Services.postgres().createDatabase("hibernate_sql");
    CoherentSchema.migrate(db.dataSource()); // the change log exists before the runtimes start
    String tenant = "sql" + UUID.randomUUID().toString().substring(0, 8);
    Map<String, Object> first = settings("sql-a", tenant);
    first.put("hibernate.hbm2ddl.auto", "create");
    a = TwoInstancesIntegrationTests.build(first);
    b = TwoInstancesIntegrationTests.build(settings("sql-b", tenant));
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
      for (String statement : CoherentRegionFactory.trackingStatements(a)) {
        s.execute(statement);
      }
    }
  }

  private static Map<String, Object> settings(String instance, String tenant) {
    Map<String, Object> s = TwoInstancesIntegrationTests.settings(db, instance, tenant);
    s.put(CoherentCacheSettings.CHANGE_LOG, "true");
    s.put(CoherentCacheSettings.RECONCILE_INTERVAL, RECONCILE.toMillis() + "ms");
    s.put("hibernate.cache.use_query_cache", "true");
    return s;
  }

  @AfterAll
  static void stop() {
    b.close();
    a.close();
    db.close();
  }

  private static void sql(String statement) throws Exception {
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
      s.executeUpdate(statement);
    }
  }

  private static Long priceOn(SessionFactory sf, long id) {
    return sf.fromSession(s -> {
      Item item = s.find(Item.class, id);
      return item == null ? null : item.priceCents;
    });
  }

  @Test
  void theTrackingStatementsComeFromTheMetamodel() {
    assertThat(CoherentRegionFactory.trackingStatements(a)).containsExactly(
        "SELECT coherent_track('Item', 'hb:dev.coherent.hibernate.Item', 'id', 'version');",
        "SELECT coherent_track('Shelf', 'hb:dev.coherent.hibernate.Shelf', 'id', 'version');");
  }

  @Test
  void anUpdateAndADeleteMadeWithPlainSqlReachBothInstancesWithinTheBound() throws Exception {
    a.inTransaction(s -> {
      Shelf shelf = new Shelf(1L, "shelf");
      s.persist(shelf);
      s.persist(new Item(1L, "sku-1", "item", 100, shelf));
    });
    assertThat(priceOn(a, 1)).isEqualTo(100);
    assertThat(priceOn(b, 1)).isEqualTo(100); // both cached

    sql("UPDATE Item SET priceCents = 777 WHERE id = 1"); // the trigger raises its version

    await().atMost(RECONCILE.multipliedBy(6)).until(() -> priceOn(a, 1) == 777
        && priceOn(b, 1) == 777);
    // Hibernate sees the raised version too: its next update of the entity works.
    a.inTransaction(s -> s.find(Item.class, 1L).priceCents = 800);
    await().atMost(Duration.ofSeconds(5)).until(() -> priceOn(b, 1) == 800);

    sql("DELETE FROM Item WHERE id = 1");

    await().atMost(RECONCILE.multipliedBy(6)).until(() -> priceOn(a, 1) == null
        && priceOn(b, 1) == null);
    assertThat(List.of(priceOn(a, 1) == null, priceOn(b, 1) == null)).containsOnly(true);
  }

  private static java.util.Set<Long> itemsOf(SessionFactory sf, long shelf) {
    return sf.fromSession(s -> {
      java.util.Set<Long> ids = new java.util.TreeSet<>();
      s.find(Shelf.class, shelf).items.forEach(item -> ids.add(item.id));
      return ids;
    });
  }

  private static List<String> namesOn(SessionFactory sf, long shelf) {
    return sf.fromSession(s -> s.createSelectionQuery(
            "select i.name from Item i where i.shelf.id = :shelf order by i.id", String.class)
        .setParameter("shelf", shelf).setCacheable(true).getResultList());
  }

  private static Long idBySku(SessionFactory sf, String sku) {
    return sf.fromSession(s -> {
      Item item = s.byNaturalId(Item.class).using("sku", sku).load();
      return item == null ? null : item.id;
    });
  }

  @Test
  void plainSqlWritesReachCachedQueriesCollectionsAndNaturalIdsWithinTheBound() throws Exception {
    a.inTransaction(s -> {
      Shelf first = new Shelf(10L, "first");
      Shelf second = new Shelf(11L, "second");
      s.persist(first);
      s.persist(second);
      s.persist(new Item(101L, "sku-101", "a", 1, first));
      s.persist(new Item(102L, "sku-102", "b", 2, first));
    });
    for (SessionFactory sf : List.of(a, b)) { // cache all three kinds on both instances
      for (int i = 0; i < 2; i++) {
        assertThat(itemsOf(sf, 10)).containsExactly(101L, 102L);
        assertThat(namesOn(sf, 10)).containsExactly("a", "b");
        assertThat(idBySku(sf, "sku-101")).isEqualTo(101L);
      }
    }
    long queryHits = b.getStatistics().getQueryCacheHitCount();
    assertThat(queryHits).isPositive();

    // Moves an item to the other shelf, renames one, and changes a natural id: no Hibernate.
    sql("UPDATE Item SET shelf_id = 11 WHERE id = 102");
    sql("UPDATE Item SET name = 'renamed' WHERE id = 101");
    sql("UPDATE Item SET sku = 'sku-new' WHERE id = 101");

    await().atMost(RECONCILE.multipliedBy(6)).untilAsserted(() -> {
      for (SessionFactory sf : List.of(a, b)) {
        assertThat(namesOn(sf, 10)).containsExactly("renamed");
        assertThat(itemsOf(sf, 10)).containsExactly(101L);
        assertThat(itemsOf(sf, 11)).containsExactly(102L);
        assertThat(idBySku(sf, "sku-new")).isEqualTo(101L);
        assertThat(idBySku(sf, "sku-101")).isNull();
      }
    });
    // And the query cache serves again afterwards.
    await().atMost(Duration.ofSeconds(5)).until(() -> {
      namesOn(b, 10);
      return b.getStatistics().getQueryCacheHitCount() > queryHits;
    });
  }
}
