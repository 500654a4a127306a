package dev.coherent.hibernate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.coherent.devservices.Database;
import dev.coherent.devservices.Services;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.hibernate.SessionFactory;
import org.hibernate.stat.Statistics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The provider on a Redis Cluster by configuration alone ({@code
 * hibernate.cache.coherent.redis_cluster}): two session factories share entity, collection and
 * query caches through the cluster's shards, and an update on one reaches the other. Skipped,
 * saying why, without a {@code redis-server} 7 to start a cluster from.
 */
class ClusterIntegrationTests {
  private static Database db;
  private static SessionFactory a;
  private static SessionFactory b;

  private static Map<String, Object> settings(String instance, String tenant) {
    Map<String, Object> s = TwoInstancesIntegrationTests.settings(db, instance, tenant);
    s.remove(CoherentCacheSettings.REDIS_URI);
    s.put(CoherentCacheSettings.REDIS_CLUSTER,
        String.join(",", Services.redisCluster().seedUrls()));
    s.put("hibernate.cache.use_query_cache", "true");
    return s;
  }

  @BeforeAll
  static void start() {
    String reason = Services.redisClusterUnavailable();
    assumeTrue(reason == null, () -> "Redis Cluster tests skipped: " + reason);
    db = Services.postgres().createDatabase("hibernate_cluster");
    String tenant = "hc" + UUID.randomUUID().toString().substring(0, 8);
    Map<String, Object> first = settings("cluster-a", tenant);
    first.put("hibernate.hbm2ddl.auto", "create");
    a = TwoInstancesIntegrationTests.build(first);
    b = TwoInstancesIntegrationTests.build(settings("cluster-b", tenant));
  }

  @AfterAll
  static void stop() {
    if (b != null) {
      b.close();
    }
    if (a != null) {
      a.close();
    }
    if (db != null) {
      db.close();
    }
  }

  private static long priceOn(SessionFactory sf, long id) {
    return sf.fromSession(s -> s.find(Item.class, id).priceCents);
  }

  private static List<String> names(SessionFactory sf) {
    return sf.fromSession(s -> s.createSelectionQuery(
            "select i.name from Item i where i.shelf.id = 1 order by i.id", String.class)
        .setCacheable(true).getResultList());
  }

  @Test
  void entitiesAndQueriesAreSharedAndAnUpdateOnAReachesB() {
    a.inTransaction(s -> {
      Shelf shelf = new Shelf(1L, "shelf");
      s.persist(shelf);
      s.persist(new Item(1L, "sku-1", "one", 100, shelf));
    });
    assertThat(priceOn(a, 1)).isEqualTo(100);
    Statistics stats = b.getStatistics();
    stats.clear();
    assertThat(priceOn(b, 1)).isEqualTo(100); // from the cluster, filled by a
    assertThat(stats.getDomainDataRegionStatistics(Item.class.getName()).getHitCount()).isEqualTo(1);
    assertThat(stats.getDomainDataRegionStatistics(Item.class.getName()).getMissCount()).isZero();
    assertThat(names(b)).containsExactly("one");

    a.inTransaction(s -> {
      Item item = s.find(Item.class, 1L);
      item.priceCents = 250;
      item.name = "uno";
    });
    await().atMost(Duration.ofSeconds(5)).until(() -> priceOn(b, 1) == 250);
    assertThat(names(b)).containsExactly("uno"); // the timestamps live on the cluster too
  }
}
