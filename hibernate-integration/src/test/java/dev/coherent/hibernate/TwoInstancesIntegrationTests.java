package dev.coherent.hibernate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.coherent.core.CoherentRuntime;
import dev.coherent.devservices.Database;
import dev.coherent.devservices.Services;
import jakarta.persistence.OptimisticLockException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.hibernate.Session;
import org.hibernate.SessionFactory;
import org.hibernate.StaleObjectStateException;
import org.hibernate.boot.MetadataSources;
import org.hibernate.boot.registry.StandardServiceRegistry;
import org.hibernate.boot.registry.StandardServiceRegistryBuilder;
import org.hibernate.stat.Statistics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two session factories on one PostgreSQL and one Redis: two instances of a service, each with
 * Coherent as its second-level cache (selected by its short name, {@code coherent}).
 */
class TwoInstancesIntegrationTests {
  private static Database db;
  private static SessionFactory a;
  private static SessionFactory b;
  private static String tenant;
  private static long nextId = 1;

  static Map<String, Object> settings(Database db, String instance, String tenant) {
    Map<String, Object> s = new HashMap<>();
    s.put("jakarta.persistence.jdbc.url", db.jdbcUrl());
    s.put("jakarta.persistence.jdbc.user", db.user());
    s.put("jakarta.persistence.jdbc.password", db.password());
    s.put("hibernate.cache.region.factory_class", "coherent");
    s.put("hibernate.generate_statistics", "true");
    s.put(CoherentCacheSettings.REDIS_URI, Services.redis().url());
    s.put(CoherentCacheSettings.INSTANCE_ID, instance);
    s.put(CoherentCacheSettings.TENANT, tenant);
    return s;
  }

  static SessionFactory build(Map<String, Object> settings) {
    StandardServiceRegistry registry =
        new StandardServiceRegistryBuilder().applySettings(settings).build();
    try {
      return new MetadataSources(registry).addAnnotatedClasses(Item.class, Shelf.class)
          .buildMetadata().buildSessionFactory();
    } catch (RuntimeException e) {
      StandardServiceRegistryBuilder.destroy(registry);
      throw e;
    }
  }

  @BeforeAll
  static void start() {
    db = Services.postgres().createDatabase("hibernate_two");
    tenant = "hb" + UUID.randomUUID().toString().substring(0, 8);
    Map<String, Object> first = settings(db, "instance-a", tenant);
    first.put("hibernate.hbm2ddl.auto", "create");
    a = build(first);
    b = build(settings(db, "instance-b", tenant));
  }

  @AfterAll
  static void stop() {
    if (b != null) {
      b.close();
    }
    if (a != null) {
      a.close();
    }
    db.close();
  }

  private static synchronized long newId() {
    return nextId++;
  }

  private static <T> T inTx(SessionFactory sf, Function<Session, T> work) {
    return sf.fromTransaction(work);
  }

  private static long createItem(long priceCents) {
    long id = newId();
    inTx(a, s -> {
      Shelf shelf = new Shelf(id, "shelf " + id);
      s.persist(shelf);
      s.persist(new Item(id, "sku-" + id, "item " + id, priceCents, shelf));
      return null;
    });
    return id;
  }

  private static long priceOn(SessionFactory sf, long id) {
    return sf.fromSession(s -> s.find(Item.class, id).priceCents);
  }

  private static long priceInDatabase(long id) throws Exception {
    try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT priceCents FROM Item WHERE id = " + id)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Second-level cache hits of the Item region (a find also loads the item's shelf). */
  private static long itemHits(SessionFactory sf) {
    return sf.getStatistics().getDomainDataRegionStatistics(Item.class.getName()).getHitCount();
  }

  @Test
  void loadingAnEntityTwiceIsOneMissOnePutAndThenAHit() {
    long id = createItem(100);
    a.getCache().evictAllRegions();
    Statistics stats = a.getStatistics();
    stats.clear();

    assertThat(priceOn(a, id)).isEqualTo(100);
    assertThat(priceOn(a, id)).isEqualTo(100);

    String region = Item.class.getName();
    var regionStats = stats.getDomainDataRegionStatistics(region);
    assertThat(regionStats.getMissCount()).isEqualTo(1);
    assertThat(regionStats.getPutCount()).isEqualTo(1);
    assertThat(regionStats.getHitCount()).isEqualTo(1);
  }

  @Test
  void anInstanceServesAnotherInstancesUpdateWithinTheHintLatency() {
    long id = createItem(100);
    assertThat(priceOn(b, id)).isEqualTo(100); // cached on b

    inTx(a, s -> {
      s.find(Item.class, id).priceCents = 250;
      return null;
    });

    await().atMost(Duration.ofSeconds(5)).until(() -> priceOn(b, id) == 250);
    b.getStatistics().clear();
    assertThat(priceOn(b, id)).isEqualTo(250);
    assertThat(itemHits(b)).as("and it is cached").isEqualTo(1);
  }

  @Test
  void withEveryHintLostAnUpdateReachesTheOtherInstanceWithinTheReconcileBound() {
    // A third instance on an application-built runtime (hibernate.cache.coherent.runtime) that
    // drops every hint it receives, as if Pub/Sub lost them all.
    try (CoherentRuntime deaf = CoherentRuntime.builder().redisUri(Services.redis().url())
            .tenant(tenant).instanceId("instance-deaf").hintFilter(hint -> false)
            .reconcileInterval(Duration.ofMillis(500)).build()) {
      Map<String, Object> s = settings(db, "unused", tenant);
      s.remove(CoherentCacheSettings.REDIS_URI);
      s.remove(CoherentCacheSettings.INSTANCE_ID);
      s.remove(CoherentCacheSettings.TENANT);
      s.put(CoherentCacheSettings.RUNTIME, deaf);
      try (SessionFactory c = build(s)) {
        long id = createItem(100);
        assertThat(priceOn(c, id)).isEqualTo(100);

        inTx(a, x -> {
          x.find(Item.class, id).priceCents = 300;
          return null;
        });

        // Redis's sequence moved past what c received: its next reconcile tick flushes L1.
        await().atMost(Duration.ofSeconds(5)).until(() -> priceOn(c, id) == 300);
      }
      assertThat(deaf.namespaces()).as("the application's runtime is not closed by Hibernate")
          .isNotEmpty();
    }
  }

  @Test
  void withTheSubscribersKilledAnUpdateStillReachesTheOtherInstance() {
    long id = createItem(100);
    assertThat(priceOn(b, id)).isEqualTo(100);

    Services.redis().killPubSubClients(); // CLIENT KILL TYPE pubsub: hints published now are lost
    inTx(a, s -> {
      s.find(Item.class, id).priceCents = 150;
      return null;
    });

    // The resubscription (or the next tick's sequence check) reconciles: a flush without a
    // change log, after which b reads the new row.
    await().atMost(Duration.ofSeconds(10)).until(() -> priceOn(b, id) == 150);
  }

  @Test
  void withRedisStoppedSessionsKeepWorkingFromTheDatabaseAndCachingResumesAfter() {
    var redis = Services.redis();
    org.junit.jupiter.api.Assumptions.assumeTrue(redis.canStopAndStart(),
        "needs a Redis this JVM can stop and start");
    long id = createItem(100);
    assertThat(priceOn(a, id)).isEqualTo(100);
    assertThat(priceOn(b, id)).isEqualTo(100);
    redis.stop();
    try {
      inTx(a, s -> { // the soft lock and the put cannot reach Redis: remembered, never thrown
        s.find(Item.class, id).priceCents = 200;
        return null;
      });
      assertThat(priceOn(a, id)).isEqualTo(200);
      // b keeps answering (from what it cached before, or the database): nothing is thrown.
      // Without a change log nothing can tell it about a's write until Redis is back.
      assertThat(priceOn(b, id)).isIn(100L, 200L);
      long fresh = createItem(300); // a new row: read from the database, L1 only meanwhile
      assertThat(priceOn(b, fresh)).isEqualTo(300);
    } finally {
      redis.start();
    }
    // The writer replays its soft lock and put; b's resubscription reconciles.
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      priceOn(b, id);
      b.getStatistics().clear();
      assertThat(priceOn(b, id)).isEqualTo(200);
      assertThat(itemHits(b)).as("cached again").isEqualTo(1);
    });
  }

  @Test
  void aDeleteOnOneInstanceIsGoneOnTheOther() {
    long id = createItem(100);
    assertThat(priceOn(b, id)).isEqualTo(100);

    inTx(a, s -> {
      s.remove(s.find(Item.class, id));
      return null;
    });

    await().atMost(Duration.ofSeconds(5))
        .until(() -> b.fromSession(s -> s.find(Item.class, id)) == null);
  }

  @Test
  void aRolledBackUpdateLeavesNoTrace() throws Exception {
    long id = createItem(100);
    assertThat(priceOn(a, id)).isEqualTo(100);
    assertThat(priceOn(b, id)).isEqualTo(100);

    try (Session s = a.openSession()) {
      s.beginTransaction();
      s.find(Item.class, id).priceCents = 999;
      s.flush();
      s.getTransaction().rollback();
    }

    assertThat(priceInDatabase(id)).isEqualTo(100);
    assertThat(priceOn(a, id)).isEqualTo(100);
    assertThat(priceOn(b, id)).isEqualTo(100);
  }

  @Test
  void evictAllRegionsOnOneInstanceEmptiesTheOther() {
    long id = createItem(100);
    assertThat(priceOn(b, id)).isEqualTo(100);
    b.getStatistics().clear();
    assertThat(priceOn(b, id)).isEqualTo(100);
    assertThat(itemHits(b)).isEqualTo(1);

    a.getCache().evictAllRegions();

    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      b.getStatistics().clear();
      priceOn(b, id);
      assertThat(b.getStatistics().getDomainDataRegionStatistics(Item.class.getName())
          .getMissCount()).isEqualTo(1);
    });
  }

  @Test
  void aCollectionChangedOnOneInstanceIsReloadedOnTheOther() {
    long id = createItem(100);
    Function<SessionFactory, Integer> itemsOnShelf =
        sf -> sf.fromSession(s -> s.find(Shelf.class, id).items.size());
    assertThat(itemsOnShelf.apply(b)).isEqualTo(1); // the collection is cached on b

    long second = newId();
    inTx(a, s -> {
      Shelf shelf = s.find(Shelf.class, id);
      Item item = new Item(second, "sku-" + second, "item " + second, 5, shelf);
      s.persist(item);
      shelf.items.add(item);
      shelf.label = "two items"; // the owner changes too (the inverse side alone would not)
      return null;
    });

    await().atMost(Duration.ofSeconds(5)).until(() -> itemsOnShelf.apply(b) == 2);
  }

  @Test
  void aNaturalIdLookupIsCachedAndFollowsTheEntity() {
    long id = createItem(100);
    Function<SessionFactory, Long> bySku = sf -> sf.fromSession(
        s -> s.bySimpleNaturalId(Item.class).load("sku-" + id).id);
    assertThat(bySku.apply(b)).isEqualTo(id);
    b.getStatistics().clear();
    assertThat(bySku.apply(b)).isEqualTo(id);
    assertThat(b.getStatistics().getNaturalIdCacheHitCount()).isEqualTo(1);
  }

  @Test
  void concurrentOptimisticUpdatesFromBothInstancesLoseNothingAndLeaveEveryCacheEqualToTheDatabase()
      throws Exception {
    long id = createItem(0);
    int perInstance = 40;
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Integer>> writers = new ArrayList<>();
      for (SessionFactory sf : List.of(a, b, a, b)) {
        writers.add(pool.submit(() -> {
          int done = 0;
          while (done < perInstance / 2) {
            try {
              inTx(sf, s -> {
                s.find(Item.class, id).priceCents += 1;
                return null;
              });
              done++;
            } catch (OptimisticLockException | StaleObjectStateException e) {
              // another instance won this round: read again and retry
            } catch (RuntimeException e) {
              if (!(e.getCause() instanceof StaleObjectStateException)) {
                throw e;
              }
            }
          }
          return done;
        }));
      }
      for (Future<Integer> w : writers) {
        assertThat(w.get(120, TimeUnit.SECONDS)).isEqualTo(perInstance / 2);
      }
    } finally {
      pool.shutdownNow();
    }

    long expected = 2L * perInstance;
    assertThat(priceInDatabase(id)).as("no lost update").isEqualTo(expected);
    await().atMost(Duration.ofSeconds(5)).until(() -> priceOn(a, id) == expected
        && priceOn(b, id) == expected);
  }
}
