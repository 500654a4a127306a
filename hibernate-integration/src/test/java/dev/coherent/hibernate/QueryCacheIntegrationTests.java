package dev.coherent.hibernate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.coherent.devservices.Database;
import dev.coherent.devservices.RedisService;
import dev.coherent.devservices.Services;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.hibernate.SessionFactory;
import org.hibernate.cache.spi.CacheImplementor;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.stat.Statistics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The query cache on two instances: results live in each instance's L1 (and Redis) and are
 * checked against the tables' update timestamps, which every instance reads from Redis. So a write
 * on one instance makes the other's cached result stale at once, with or without hints; nothing
 * cached is served while Redis is down; {@code evictQueryRegions()} empties every instance.
 */
class QueryCacheIntegrationTests {
  private static Database db;
  private static SessionFactory a;
  private static SessionFactory b;
  private static long nextShelf = 1;
  private final RedisService redis = Services.redis();
  private long shelf;

  static Map<String, Object> settings(Database db, String instance, String tenant) {
    Map<String, Object> s = TwoInstancesIntegrationTests.settings(db, instance, tenant);
    s.put("hibernate.cache.use_query_cache", "true");
    return s;
  }

  @BeforeAll
  static void start() {
    db = Services.postgres().createDatabase("hibernate_query");
    String tenant = "hq" + UUID.randomUUID().toString().substring(0, 8);
    Map<String, Object> first = settings(db, "query-a", tenant);
    first.put("hibernate.hbm2ddl.auto", "create");
    a = TwoInstancesIntegrationTests.build(first);
    b = TwoInstancesIntegrationTests.build(settings(db, "query-b", tenant));
  }

  @AfterAll
  static void stop() {
    b.close();
    a.close();
    db.close();
  }

  @BeforeEach
  void aShelfOfTwoItems() {
    shelf = nextShelf++;
    a.inTransaction(s -> {
      Shelf created = new Shelf(shelf, "shelf " + shelf);
      s.persist(created);
      s.persist(new Item(shelf * 100 + 1, "sku-" + shelf + "-1", "one", 100, created));
      s.persist(new Item(shelf * 100 + 2, "sku-" + shelf + "-2", "two", 200, created));
    });
  }

  @AfterEach
  void redisIsBack() {
    if (!redis.isReachable()) {
      redis.start();
    }
  }

  /** The cached query: names of the shelf's items, in id order. */
  private List<String> names(SessionFactory sf) {
    return sf.fromSession(s -> s.createSelectionQuery(
            "select i.name from Item i where i.shelf.id = :shelf order by i.id", String.class)
        .setParameter("shelf", shelf).setCacheable(true).getResultList());
  }

  /**
   * Waits until a transaction beginning now is later than the Item table's last update: a result
   * computed sooner (within the clock estimate's margin, about a millisecond) is not served.
   */
  private static void settled(SessionFactory sf) {
    CacheImplementor cache = sf.unwrap(SessionFactoryImplementor.class).getCache();
    await().atMost(Duration.ofSeconds(10)).until(() -> { // unknown (Redis just back) never settles
      long now = cache.getRegionFactory().nextTimestamp();
      return now > (Long) cache.getTimestampsCache().getRegion().getFromCache("Item", null);
    });
  }

  private static long hits(SessionFactory sf) {
    return sf.getStatistics().getQueryCacheHitCount();
  }

  @Test
  void aResultIsCachedThenAnUpdateOfItsTableMakesItStale() {
    Statistics stats = a.getStatistics();
    settled(a);
    stats.clear();
    assertThat(names(a)).containsExactly("one", "two");
    assertThat(names(a)).containsExactly("one", "two");
    assertThat(stats.getQueryCacheMissCount()).isEqualTo(1);
    assertThat(stats.getQueryCachePutCount()).isEqualTo(1);
    assertThat(stats.getQueryCacheHitCount()).isEqualTo(1);
    a.inTransaction(s -> s.find(Item.class, shelf * 100 + 1).name = "uno");
    assertThat(names(a)).containsExactly("uno", "two");
    assertThat(stats.getQueryCacheHitCount()).isEqualTo(1);
    // The result right after the update may have come within the clock margin (not served);
    // once settled, the next result is cached and the one after is a hit.
    settled(a);
    assertThat(names(a)).containsExactly("uno", "two");
    long hits = stats.getQueryCacheHitCount();
    assertThat(names(a)).containsExactly("uno", "two");
    assertThat(stats.getQueryCacheHitCount()).isEqualTo(hits + 1);
  }

  /** The same names through a native query that names the table it reads. */
  private List<String> nativeNames(SessionFactory sf) {
    return sf.fromSession(s -> s.createNativeQuery(
            "select name from Item where shelf_id = :shelf order by id", String.class)
        .addSynchronizedQuerySpace("Item").setParameter("shelf", shelf).setCacheable(true)
        .getResultList());
  }

  @Test
  void anHqlResultCachedByAIsAHitOnBAndANativeOneIsRightOnBothAndAHitOnA() {
    settled(a);
    assertThat(names(a)).containsExactly("one", "two"); // a runs them and caches them
    assertThat(nativeNames(a)).containsExactly("one", "two");
    long hitsOnA = hits(a);
    assertThat(nativeNames(a)).containsExactly("one", "two");
    assertThat(hits(a)).isEqualTo(hitsOnA + 1);
    long hits = hits(b);
    assertThat(names(b)).containsExactly("one", "two"); // b finds it in Redis
    assertThat(hits(b)).isEqualTo(hits + 1);
    // A native result carries a's column types, which b cannot use: b runs the query, quietly.
    assertThat(nativeNames(b)).containsExactly("one", "two");
    // And a write on a makes both stale on b.
    a.inTransaction(s -> s.find(Item.class, shelf * 100 + 2).name = "zwo");
    assertThat(names(b)).containsExactly("one", "zwo");
    assertThat(nativeNames(b)).containsExactly("one", "zwo");
  }

  @Test
  void anInsertOnAMakesBsCachedResultStaleAtOnceEvenWithEveryHintLost() {
    settled(b);
    assertThat(names(b)).containsExactly("one", "two");
    assertThat(names(b)).containsExactly("one", "two");
    long hitsBefore = hits(b);
    redis.killPubSubClients(); // no hint needed: the timestamps are read from Redis
    a.inTransaction(s -> s.persist(new Item(shelf * 100 + 3, "sku-" + shelf + "-3", "three",
        300, s.find(Shelf.class, shelf))));
    assertThat(names(b)).containsExactly("one", "two", "three");
    assertThat(hits(b)).isEqualTo(hitsBefore);
    a.inTransaction(s -> s.remove(s.find(Item.class, shelf * 100 + 1)));
    assertThat(names(b)).containsExactly("two", "three");
  }

  @Test
  void aBulkUpdateOnAMakesBsCachedResultStale() {
    assertThat(names(b)).containsExactly("one", "two");
    a.inTransaction(s -> s.createMutationQuery("update Item i set i.name = upper(i.name)"
        + " where i.shelf.id = :shelf").setParameter("shelf", shelf).executeUpdate());
    assertThat(names(b)).containsExactly("ONE", "TWO");
  }

  @Test
  void evictQueryRegionsOnAEmptiesB() {
    settled(b);
    assertThat(names(b)).containsExactly("one", "two");
    assertThat(names(b)).containsExactly("one", "two");
    // Nothing changed in the database: only the eviction on A can make B miss (within a hint).
    long missesBefore = b.getStatistics().getQueryCacheMissCount();
    a.getCache().evictQueryRegions();
    await().atMost(Duration.ofSeconds(5)).until(() -> {
      assertThat(names(b)).containsExactly("one", "two");
      return b.getStatistics().getQueryCacheMissCount() > missesBefore;
    });
  }

  @Test
  void whileRedisIsDownNothingCachedIsServedAndCachingResumesAfter() {
    assumeTrue(redis.canStopAndStart(), "needs a Redis this JVM can stop and start");
    settled(b);
    assertThat(names(b)).containsExactly("one", "two");
    assertThat(names(b)).containsExactly("one", "two");
    long hitsBefore = hits(b);
    redis.stop();
    a.inTransaction(s -> s.find(Item.class, shelf * 100 + 2).name = "dos");
    for (int i = 0; i < 3; i++) {
      assertThat(names(b)).containsExactly("one", "dos");
      assertThat(names(a)).containsExactly("one", "dos");
    }
    assertThat(hits(b)).isEqualTo(hitsBefore);
    redis.start();
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      assertThat(names(b)).containsExactly("one", "dos");
      return hits(b) > hitsBefore;
    });
    // Right after the restart, every write on A is seen by B's next query (no update held back).
    for (String name : List.of("deux", "zwei", "due")) {
      a.inTransaction(s -> s.find(Item.class, shelf * 100 + 2).name = name);
      assertThat(names(b)).containsExactly("one", name);
      assertThat(names(b)).containsExactly("one", name);
    }
  }
}
