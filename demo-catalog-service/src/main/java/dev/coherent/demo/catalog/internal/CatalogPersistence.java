package dev.coherent.demo.catalog.internal;

import dev.coherent.core.CoherentRuntime;
import dev.coherent.core.NearCache;
import dev.coherent.demo.catalog.Category;
import dev.coherent.demo.catalog.Product;
import dev.coherent.hibernate.CoherentCacheSettings;
import dev.coherent.hibernate.CoherentRegionFactory;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;
import org.hibernate.SessionFactory;
import org.hibernate.boot.MetadataSources;
import org.hibernate.boot.registry.StandardServiceRegistry;
import org.hibernate.boot.registry.StandardServiceRegistryBuilder;
import org.hibernate.cfg.AvailableSettings;
import org.hibernate.engine.spi.SessionFactoryImplementor;

/**
 * The instance's Hibernate session factory: {@link Product} and {@link Category} over the
 * instance's pool, with Coherent as the second-level cache on the instance's own runtime
 * ({@code hibernate.cache.coherent.runtime}), so Hibernate's regions and the programmatic
 * listing namespace share one runtime, one set of meters and one change-log reconciler. The
 * schema is Flyway's (Hibernate validates nothing and creates nothing).
 *
 * <p>Thread-safe: the session factory is; sessions are opened per request.
 */
final class CatalogPersistence implements AutoCloseable {
  private final SessionFactory sessionFactory;

  CatalogPersistence(DataSource dataSource, CoherentRuntime runtime, ServedFrom servedFrom) {
    Map<String, Object> settings = new HashMap<>();
    settings.put(AvailableSettings.JAKARTA_NON_JTA_DATASOURCE, dataSource);
    settings.put(AvailableSettings.HBM2DDL_AUTO, "none");
    settings.put(AvailableSettings.CACHE_REGION_FACTORY, "coherent");
    settings.put(CoherentCacheSettings.RUNTIME, runtime);
    settings.put(AvailableSettings.GENERATE_STATISTICS, "true");
    settings.put(AvailableSettings.STATS_BUILDER, servedFrom);
    // Fewer startup lookups: the schema and the dialect's version are known.
    settings.put(AvailableSettings.SHOW_SQL, "false");
    StandardServiceRegistry registry =
        new StandardServiceRegistryBuilder().applySettings(settings).build();
    try {
      this.sessionFactory = new MetadataSources(registry)
          .addAnnotatedClasses(Product.class, Category.class)
          .buildMetadata()
          .buildSessionFactory();
    } catch (RuntimeException e) {
      StandardServiceRegistryBuilder.destroy(registry);
      throw e;
    }
  }

  SessionFactory sessionFactory() {
    return sessionFactory;
  }

  /** The Coherent namespace behind a region of this session factory. */
  NearCache<Object, Object> namespaceOf(String region) {
    CoherentRegionFactory factory =
        (CoherentRegionFactory) sessionFactory.unwrap(SessionFactoryImplementor.class).getCache()
            .getRegionFactory();
    return Objects.requireNonNull(factory.namespaceOf(region), () -> "no region " + region);
  }

  @Override
  public void close() {
    sessionFactory.close();
  }
}
