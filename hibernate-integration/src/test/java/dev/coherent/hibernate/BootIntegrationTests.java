package dev.coherent.hibernate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coherent.devservices.Database;
import dev.coherent.devservices.Services;
import java.util.Map;
import org.hibernate.SessionFactory;
import org.hibernate.boot.MetadataSources;
import org.hibernate.boot.registry.StandardServiceRegistry;
import org.hibernate.boot.registry.StandardServiceRegistryBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What fails the boot, and how it says so: the setting, the value, and what is valid. */
class BootIntegrationTests {
  private static Database db;

  @BeforeAll
  static void start() {
    db = Services.postgres().createDatabase("hibernate_boot");
  }

  @AfterAll
  static void stop() {
    db.close();
  }

  private static SessionFactory build(Map<String, Object> settings, Class<?>... entities) {
    StandardServiceRegistry registry =
        new StandardServiceRegistryBuilder().applySettings(settings).build();
    try {
      MetadataSources sources = new MetadataSources(registry);
      for (Class<?> entity : entities) {
        sources.addAnnotatedClass(entity);
      }
      return sources.buildMetadata().buildSessionFactory();
    } catch (RuntimeException e) {
      StandardServiceRegistryBuilder.destroy(registry);
      throw e;
    }
  }

  private static Map<String, Object> settings() {
    Map<String, Object> s = TwoInstancesIntegrationTests.settings(db, "boot", "boot");
    s.put("hibernate.hbm2ddl.auto", "create");
    return s;
  }

  @Test
  void theProviderIsFoundByItsShortNameAndNeedsNothingElseButTheRedisUri() {
    try (SessionFactory sf = build(settings(), Item.class, Shelf.class)) {
      assertThat(sf.getSessionFactoryOptions().getServiceRegistry()
          .getService(org.hibernate.cache.spi.RegionFactory.class))
          .isInstanceOf(CoherentRegionFactory.class);
    }
  }

  @Test
  void anInvalidValueNamesTheSettingTheValueAndWhatIsValid() {
    Map<String, Object> s = settings();
    String key = CoherentCacheSettings.REGION_PREFIX + Item.class.getName() + ".l1_ttl";
    s.put(key, "5 minutes");
    s.put(CoherentCacheSettings.REGION_PREFIX + Item.class.getName() + ".ttl_jitter", "0.9");
    s.put(CoherentCacheSettings.TENANT, "a:b");

    assertThatThrownBy(() -> build(s, Item.class, Shelf.class))
        .hasStackTraceContaining(key + ": '5 minutes' is not a duration; use e.g. 250ms, 30s, 5m,"
            + " 2h or PT5M")
        .hasStackTraceContaining("ttl_jitter: ttlJitter must be a fraction from 0 to 0.5 but was 0.9")
        .hasStackTraceContaining(CoherentCacheSettings.TENANT + ": tenant 'a:b' must be");
  }

  @Test
  void clusterSettingsAreCheckedAndNamed() {
    Map<String, Object> both = settings();
    both.put(CoherentCacheSettings.REDIS_CLUSTER, "redis://127.0.0.1:7000");
    assertThatThrownBy(() -> build(both, Item.class, Shelf.class))
        .hasStackTraceContaining(CoherentCacheSettings.REDIS_URI + " and "
            + CoherentCacheSettings.REDIS_CLUSTER + " are both set");

    Map<String, Object> hintsAlone = settings();
    hintsAlone.put(CoherentCacheSettings.CLUSTER_HINTS, "classic");
    assertThatThrownBy(() -> build(hintsAlone, Item.class, Shelf.class))
        .hasStackTraceContaining(CoherentCacheSettings.CLUSTER_HINTS + " applies only with "
            + CoherentCacheSettings.REDIS_CLUSTER);

    Map<String, Object> badHints = settings();
    badHints.remove(CoherentCacheSettings.REDIS_URI);
    badHints.put(CoherentCacheSettings.REDIS_CLUSTER, "redis://127.0.0.1:7000, not a uri");
    badHints.put(CoherentCacheSettings.CLUSTER_HINTS, "loud");
    assertThatThrownBy(() -> build(badHints, Item.class, Shelf.class))
        .hasStackTraceContaining(CoherentCacheSettings.CLUSTER_HINTS + ": 'loud' must be sharded"
            + " or classic")
        .hasStackTraceContaining(CoherentCacheSettings.REDIS_CLUSTER + ": redisCluster seed"
            + " 'not a uri'");
  }

  @Test
  void regionOverridesAreCheckedTogetherAndNamed() {
    Map<String, Object> s = settings();
    s.put(CoherentCacheSettings.REGION_PREFIX + Item.class.getName() + ".l1_ttl", "2h");

    assertThatThrownBy(() -> build(s, Item.class, Shelf.class))
        .hasStackTraceContaining(CoherentCacheSettings.REGION_PREFIX + Item.class.getName()
            + ".*: ");
  }

  @Test
  void anUnknownSettingIsRefusedWithTheListOfKnownOnes() {
    Map<String, Object> s = settings();
    s.put("hibernate.cache.coherent.redis_url", "redis://localhost:6379");

    assertThatThrownBy(() -> build(s, Item.class, Shelf.class))
        .hasStackTraceContaining("unknown setting hibernate.cache.coherent.redis_url; the settings"
            + " are [")
        .hasStackTraceContaining(CoherentCacheSettings.REDIS_URI);
  }

  @Test
  void withoutARedisUriTheBootSaysWhichSettingIsMissing() {
    Map<String, Object> s = settings();
    s.remove(CoherentCacheSettings.REDIS_URI);

    assertThatThrownBy(() -> build(s, Item.class, Shelf.class))
        .hasStackTraceContaining(CoherentCacheSettings.REDIS_URI + " is required");
  }

  @Test
  void anUnreachableRedisFailsTheBootNamingIt() {
    Map<String, Object> s = settings();
    s.put(CoherentCacheSettings.REDIS_URI, "redis://127.0.0.1:1");

    assertThatThrownBy(() -> build(s, Item.class, Shelf.class))
        .hasStackTraceContaining("Coherent cannot connect to Redis at redis://127.0.0.1:1");
  }

  @Test
  void transactionalAccessIsRefusedWithWhatToUseInstead() {
    assertThatThrownBy(() -> build(settings(), Transactional.class))
        .hasStackTraceContaining("asks for TRANSACTIONAL access")
        .hasStackTraceContaining("use READ_WRITE");
  }

  @Test
  void referenceEntriesAreRefusedSayingWhy() {
    Map<String, Object> s = settings();
    s.put("hibernate.cache.use_reference_entries", "true");
    assertThatThrownBy(() -> build(s, Item.class, Shelf.class))
        .hasStackTraceContaining("hibernate.cache.use_reference_entries=true caches entity"
            + " instances by reference, which cannot be shared between instances");
  }

  @Test
  void entitiesSharingARegionGetACommentInsteadOfATrackingStatement() {
    try (SessionFactory sf = build(settings(), SharedRegionA.class, SharedRegionB.class,
        Item.class, Shelf.class)) {
      assertThat(CoherentRegionFactory.trackingStatements(sf)).contains(
          "-- dev.coherent.hibernate.SharedRegionA: shares region shared with other cached data,"
              + " whose keys carry the role; give it a region of its own to track it",
          "SELECT coherent_track('Shelf', 'hb:dev.coherent.hibernate.Shelf', 'id', 'version');")
          .noneMatch(statement -> statement.startsWith("SELECT") && statement.contains("Shared"));
    }
  }
}
