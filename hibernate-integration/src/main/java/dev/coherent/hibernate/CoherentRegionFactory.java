package dev.coherent.hibernate;

import dev.coherent.core.CoherentRuntime;
import dev.coherent.core.NearCache;
import dev.coherent.core.UpdateTimestamps;
import dev.coherent.hibernate.internal.CoherentRegions;
import dev.coherent.hibernate.internal.CoherentTimestampsRegion;
import dev.coherent.hibernate.internal.ConnectionProviderDataSource;
import dev.coherent.hibernate.internal.SessionVersions;
import dev.coherent.hibernate.internal.Settings;
import java.util.Map;
import org.hibernate.boot.spi.SessionFactoryOptions;
import org.hibernate.cache.CacheException;
import org.hibernate.cache.cfg.spi.DomainDataRegionBuildingContext;
import org.hibernate.cache.cfg.spi.DomainDataRegionConfig;
import org.hibernate.cache.spi.CacheTransactionSynchronization;
import org.hibernate.cache.spi.DomainDataRegion;
import org.hibernate.cache.spi.QueryResultsRegion;
import org.hibernate.cache.spi.RegionFactory;
import org.hibernate.cache.spi.TimestampsRegion;
import org.hibernate.cache.spi.access.AccessType;
import org.hibernate.cache.spi.support.RegionNameQualifier;
import org.hibernate.engine.jdbc.connections.spi.ConnectionProvider;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.jspecify.annotations.Nullable;

/**
 * Coherent as Hibernate's second-level cache: {@code hibernate.cache.region.factory_class=coherent}
 * (or this class's name), and {@code hibernate.cache.coherent.redis_uri}. Every entity, collection,
 * natural-id and query-results region is a Coherent namespace: local-memory hits that stay
 * coherent across instances, with Redis as the shared tier; the update timestamps are the core's
 * shared {@code UpdateTimestamps}, read from Redis on every check. See docs/hibernate.md for the
 * settings, the access types and what is stale for how long under which fault.
 *
 * <p>It implements {@link RegionFactory} itself rather than extending Hibernate's {@code
 * AbstractRegionFactory}, whose {@code start} swallows a failure until the first region is built
 * ("Cache provider not started"): here an invalid setting fails the boot, naming the setting.
 *
 * <p>Thread-safety: Hibernate starts and stops it once, on one thread; regions are built during
 * the session factory's boot; the runtime and namespaces it hands out are thread-safe.
 */
public final class CoherentRegionFactory implements RegionFactory {
  /** The update timestamps' scope: every session factory of a tenant and key prefix shares it. */
  private static final String TIMESTAMPS_SCOPE = "hibernate";
  /** How long a write's tables stay invalidated if it never completes: 60 s in microseconds. */
  private static final long TIMEOUT_MICROS = 60_000_000L;
  private volatile @Nullable SessionFactoryOptions options;
  private volatile @Nullable CoherentRegions regions;
  private volatile @Nullable CoherentRuntime runtime;
  private volatile @Nullable UpdateTimestamps timestamps;
  private volatile boolean ownsRuntime;

  /** For Hibernate, which instantiates the factory named by its setting. */
  public CoherentRegionFactory() {}

  @Override
  public void start(SessionFactoryOptions settings, Map<String, Object> configValues) {
    if (settings.isDirectReferenceCacheEntriesEnabled()) {
      throw new CacheException("Coherent second-level cache: hibernate.cache.use_reference_entries"
          + "=true caches entity instances by reference, which cannot be shared between instances;"
          + " turn it off");
    }
    Settings parsed = Settings.parse(configValues);
    CoherentRuntime started = parsed.runtime(() -> new ConnectionProviderDataSource(
        settings.getServiceRegistry().requireService(ConnectionProvider.class)));
    UpdateTimestamps stamps = started.updateTimestamps(TIMESTAMPS_SCOPE);
    this.options = settings;
    this.runtime = started;
    this.timestamps = stamps;
    this.ownsRuntime = parsed.ownsRuntime();
    this.regions = new CoherentRegions(started, parsed,
        settings.isQueryCacheEnabled() ? stamps : null);
  }

  @Override
  public void stop() {
    CoherentRegions built = regions;
    if (built != null) {
      built.close();
    }
    CoherentRuntime started = runtime;
    if (started != null && ownsRuntime) {
      started.close();
    }
    runtime = null;
    regions = null;
    timestamps = null;
  }

  @Override
  public boolean isMinimalPutsEnabledByDefault() {
    return false;
  }

  @Override
  public AccessType getDefaultAccessType() {
    return AccessType.READ_WRITE;
  }

  @Override
  public String qualify(String regionName) {
    return RegionNameQualifier.INSTANCE.qualify(regionName, started());
  }

  /**
   * A lower bound of the clock every instance shares (Redis's, in microseconds; see the core's
   * {@code UpdateTimestamps}), read without a round trip: the query cache compares a result's
   * timestamp, taken here when its transaction began, with the tables' last updates, which Redis
   * stamps with that same clock; so a write that completed after the transaction began marks its
   * results stale whatever the instances' own clocks say. 0 before the factory starts.
   */
  @Override
  public long nextTimestamp() {
    UpdateTimestamps stamps = timestamps;
    return stamps == null ? 0 : stamps.now();
  }

  /** In {@link #nextTimestamp()}'s unit: 60 s. */
  @Override
  public long getTimeout() {
    return TIMEOUT_MICROS;
  }

  /** Hibernate's standard one, also carrying the versions of entities without a {@code @Version}. */
  @Override
  public CacheTransactionSynchronization createTransactionContext(
      SharedSessionContractImplementor session) {
    return new SessionVersions(this);
  }

  @Override
  public DomainDataRegion buildDomainDataRegion(DomainDataRegionConfig regionConfig,
      DomainDataRegionBuildingContext buildingContext) {
    started();
    return java.util.Objects.requireNonNull(regions, "regions")
        .build(regionConfig, this, buildingContext);
  }

  @Override
  public QueryResultsRegion buildQueryResultsRegion(String regionName,
      SessionFactoryImplementor sessionFactory) {
    started();
    return java.util.Objects.requireNonNull(regions, "regions")
        .buildQueryResults(regionName, qualify(regionName), this, sessionFactory);
  }

  @Override
  public TimestampsRegion buildTimestampsRegion(String regionName,
      SessionFactoryImplementor sessionFactory) {
    started();
    return new CoherentTimestampsRegion(regionName, this,
        java.util.Objects.requireNonNull(timestamps, "timestamps"));
  }

  /**
   * The statement that opts each cached entity's table in to coherent-db's change log, so that
   * writes made outside Hibernate reach every instance: {@code SELECT coherent_track('Item',
   * 'hb:com.example.Item', 'id', 'version');}, one per table, to put in a migration of the
   * application's (with {@link CoherentCacheSettings#CHANGE_LOG} on). Read from the session
   * factory's metamodel: the user maps nothing by hand.
   */
  public static java.util.List<String> trackingStatements(org.hibernate.SessionFactory factory) {
    return dev.coherent.hibernate.internal.Tracking.statements(factory);
  }

  /** The namespace of a region, for applications and tests (null before it is built). */
  public @Nullable NearCache<Object, Object> namespaceOf(String regionName) {
    CoherentRegions r = regions;
    return r == null ? null : r.namespaceOf(regionName);
  }

  private SessionFactoryOptions started() {
    SessionFactoryOptions o = options;
    if (o == null) {
      throw new IllegalStateException("the Coherent region factory is not started");
    }
    return o;
  }
}
