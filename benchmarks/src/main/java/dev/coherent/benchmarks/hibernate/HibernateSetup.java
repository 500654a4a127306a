package dev.coherent.benchmarks.hibernate;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.net.URI;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;
import org.hibernate.SessionFactory;
import org.hibernate.boot.MetadataSources;
import org.hibernate.boot.registry.StandardServiceRegistry;
import org.hibernate.boot.registry.StandardServiceRegistryBuilder;
import org.hibernate.cache.spi.RegionFactory;
import org.jspecify.annotations.Nullable;

/**
 * Session factories of the Hibernate group over one PostgreSQL database, one per second-level
 * cache: Coherent, hibernate-jcache on Caffeine's JCache (local only; two configurations), or
 * none; with or without the query cache. Every other setting is the same for the three:
 * Hibernate's statistics on (they prove the hits), session metrics logging off, a HikariCP pool
 * of 2 connections. Stateless; thread-safe.
 */
public final class HibernateSetup {
  static final String CAFFEINE_PROVIDER =
      "com.github.benmanes.caffeine.jcache.spi.CaffeineCachingProvider";
  /** Rows in the table. */
  public static final int ROWS = 1_000;
  /** The hot ids {@code 1..HOT_IDS}, cycled by the benchmark: all cached. */
  public static final int HOT_IDS = 100;

  /** The second-level cache of a session factory. */
  public enum Cache {
    /** Coherent, by its short name and a Redis URI. */
    COHERENT,
    /**
     * hibernate-jcache on Caffeine's JCache with the region configured as a Caffeine cache is by
     * default: entries held by reference. The local hit to match.
     */
    JCACHE,
    /**
     * hibernate-jcache on Caffeine's JCache with {@code missing_cache_strategy=create}: Hibernate
     * creates the region with a plain {@code MutableConfiguration}, whose JCache default is
     * store-by-value, so Caffeine copies every entry through Java serialization on each read.
     */
    JCACHE_CREATED,
    /** {@code hibernate.cache.use_second_level_cache=false}: every find is a {@code SELECT}. */
    NONE;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Where the database is; the JMH forks get it as system properties (see {@link #fromProperties}). */
  public record Db(String jdbcUrl, String user, String password) {
    static final String URL = "coherent.bench.hibernate.jdbc.url";
    static final String USER = "coherent.bench.hibernate.jdbc.user";
    static final String PASSWORD = "coherent.bench.hibernate.jdbc.password";

    /** {@code -D} options for a forked JVM. */
    public String[] jvmArgs() {
      return new String[] {"-D" + URL + "=" + jdbcUrl, "-D" + USER + "=" + user,
          "-D" + PASSWORD + "=" + password};
    }

    public static Db fromProperties() {
      String url = System.getProperty(URL);
      if (url == null) {
        throw new IllegalStateException("-D" + URL + " is not set: run the Hibernate group through"
            + " BenchmarkMain (--only hibernate), which starts PostgreSQL and seeds it");
      }
      return new Db(url, System.getProperty(USER, ""), System.getProperty(PASSWORD, ""));
    }
  }

  /** A session factory, the pool under it and the JCache manager given to it, if any. */
  public record Built(SessionFactory sessionFactory, HikariDataSource pool,
      @Nullable CacheManager cacheManager) implements AutoCloseable {
    @Override
    public void close() {
      try {
        sessionFactory.close();
      } finally {
        try {
          if (cacheManager != null) {
            cacheManager.close();
          }
        } finally {
          pool.close();
        }
      }
    }
  }

  private HibernateSetup() {}

  /**
   * A session factory with the given cache; {@code redisUrl} and {@code tenant} are used by
   * Coherent only. {@code createSchema} drops and creates the table ({@code hbm2ddl.auto=create}).
   * {@code queryCache} sets {@code hibernate.cache.use_query_cache=true} with a second-level cache
   * (with none there is no query cache: the setting stays false); jcache by reference then gets
   * its query-results and update-timestamps regions created by reference too.
   */
  public static Built build(Db db, Cache cache, String redisUrl, String tenant,
      boolean createSchema, boolean queryCache) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(db.jdbcUrl());
    config.setUsername(db.user());
    config.setPassword(db.password());
    config.setMaximumPoolSize(2);
    config.setMinimumIdle(1);
    config.setPoolName("bench-hibernate-" + cache.label());
    HikariDataSource pool = new HikariDataSource(config);

    @Nullable CacheManager cacheManager = null;
    Map<String, Object> s = new HashMap<>();
    s.put("hibernate.connection.datasource", pool);
    s.put("hibernate.generate_statistics", "true");
    s.put("hibernate.session.events.log", "false");
    s.put("hibernate.hbm2ddl.auto", createSchema ? "create" : "none");
    s.put("hibernate.cache.use_query_cache", Boolean.toString(queryCache && cache != Cache.NONE));
    switch (cache) {
      case COHERENT -> {
        s.put("hibernate.cache.use_second_level_cache", "true");
        s.put("hibernate.cache.region.factory_class", "coherent");
        s.put("hibernate.cache.coherent.redis_uri", redisUrl);
        s.put("hibernate.cache.coherent.tenant", tenant);
        s.put("hibernate.cache.coherent.instance_id", "bench-hibernate");
      }
      case JCACHE -> {
        // The region as a Caffeine cache is configured by default (store-by-value off), created
        // before Hibernate asks for it; Hibernate is handed the manager and finds the region.
        s.put("hibernate.cache.use_second_level_cache", "true");
        s.put("hibernate.cache.region.factory_class", "jcache");
        cacheManager = Caching.getCachingProvider(CAFFEINE_PROVIDER)
            .getCacheManager(URI.create("bench-hibernate-" + System.nanoTime()),
                HibernateSetup.class.getClassLoader());
        cacheManager.createCache(Product.class.getName(),
            new MutableConfiguration<>().setStoreByValue(false));
        if (queryCache) {
          cacheManager.createCache(RegionFactory.DEFAULT_QUERY_RESULTS_REGION_UNQUALIFIED_NAME,
              new MutableConfiguration<>().setStoreByValue(false));
          cacheManager.createCache(RegionFactory.DEFAULT_UPDATE_TIMESTAMPS_REGION_UNQUALIFIED_NAME,
              new MutableConfiguration<>().setStoreByValue(false));
        }
        s.put("hibernate.javax.cache.cache_manager", cacheManager);
        s.put("hibernate.javax.cache.missing_cache_strategy", "fail");
      }
      case JCACHE_CREATED -> {
        s.put("hibernate.cache.use_second_level_cache", "true");
        s.put("hibernate.cache.region.factory_class", "jcache");
        // Redisson, on this class path too, ships a JCache provider: name Caffeine's.
        s.put("hibernate.javax.cache.provider", CAFFEINE_PROVIDER);
        s.put("hibernate.javax.cache.missing_cache_strategy", "create");
      }
      case NONE -> s.put("hibernate.cache.use_second_level_cache", "false");
      default -> throw new IllegalArgumentException(cache.toString());
    }
    StandardServiceRegistry registry = null;
    try {
      registry = new StandardServiceRegistryBuilder().applySettings(s).build();
      SessionFactory sf = new MetadataSources(registry).addAnnotatedClass(Product.class)
          .buildMetadata().buildSessionFactory();
      return new Built(sf, pool, cacheManager);
    } catch (RuntimeException e) {
      if (registry != null) {
        StandardServiceRegistryBuilder.destroy(registry);
      }
      if (cacheManager != null) {
        cacheManager.close();
      }
      pool.close();
      throw e;
    }
  }

  /** Creates the table and inserts {@link #ROWS} products, ids 1 to ROWS, through Hibernate. */
  public static void seed(Db db) {
    try (Built b = build(db, Cache.NONE, "", "", true, false)) {
      b.sessionFactory().inTransaction(session -> {
        for (long id = 1; id <= ROWS; id++) {
          session.persist(new Product(id, "product " + id, 100 + id));
          if (id % 200 == 0) {
            session.flush();
            session.clear();
          }
        }
      });
    }
  }
}
