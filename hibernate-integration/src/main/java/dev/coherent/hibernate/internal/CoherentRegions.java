package dev.coherent.hibernate.internal;

import dev.coherent.core.CoherentRuntime;
import dev.coherent.core.NamespaceOptions;
import dev.coherent.core.NearCache;
import dev.coherent.core.UpdateTimestamps;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.hibernate.cache.cfg.spi.DomainDataCachingConfig;
import org.hibernate.cache.cfg.spi.DomainDataRegionBuildingContext;
import org.hibernate.cache.cfg.spi.DomainDataRegionConfig;
import org.hibernate.cache.cfg.spi.EntityDataCachingConfig;
import org.hibernate.cache.spi.DomainDataRegion;
import org.hibernate.cache.spi.QueryResultsRegion;
import org.hibernate.cache.spi.RegionFactory;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.jspecify.annotations.Nullable;

/**
 * The regions of one session factory: each gets the namespace {@link RegionNames#namespace} of
 * its qualified name, with the region's option overrides and a codec whose allow-list holds the
 * packages of the region's entities; query-results regions likewise. The first region built
 * registers {@link SqlWrites} with the session factory. Thread-safe (concurrent map and set, an
 * atomic flag; Hibernate builds regions at boot).
 */
public final class CoherentRegions {
  /** Key encoders, one instance each (getOrCreateNamespace compares encoders by identity). */
  private static final Function<Object, String> BARE = CacheKeys::bare;
  private static final Function<Object, String> WITH_ROLE = CacheKeys::withRole;
  private static final Function<Object, String> QUERY = CacheKeys::query;
  private final CoherentRuntime runtime;
  private final Settings settings;
  private final @Nullable UpdateTimestamps timestamps;
  private final Map<String, NearCache<Object, Object>> byRegion = new ConcurrentHashMap<>();
  /** The packages of every entity region's entities: what a query result may hold. */
  private final Set<String> allPackages = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean observing = new AtomicBoolean();
  private volatile @Nullable SqlWrites sqlWrites;

  /** {@code timestamps}: the shared update timestamps when the query cache is on, else null. */
  public CoherentRegions(CoherentRuntime runtime, Settings settings,
      @Nullable UpdateTimestamps timestamps) {
    this.runtime = runtime;
    this.settings = settings;
    this.timestamps = timestamps;
  }

  public DomainDataRegion build(DomainDataRegionConfig config, RegionFactory factory,
      DomainDataRegionBuildingContext context) {
    observe(context.getSessionFactory());
    String region = config.getRegionName();
    NamespaceOptions options = settings.options(region);
    Set<String> packages = packages(config);
    allPackages.addAll(packages);
    NearCache<Object, Object> cache = runtime.getOrCreateNamespace(RegionNames.namespace(region),
        new EntryCodec(packages, settings.serializationAllow()), options,
        kinds(config) == 1 ? BARE : WITH_ROLE, null);
    byRegion.put(region, cache);
    return new CoherentDomainDataRegion(config, factory, context, cache, options.tombstoneTtl());
  }

  /**
   * A query-results region ({@code name} as Hibernate gives it, {@code qualified} with the region
   * prefix). Its values may hold any entity's ids and values: its codec allows the packages of
   * every entity region, read at the first decode (after the boot has built them all).
   */
  public QueryResultsRegion buildQueryResults(String name, String qualified,
      RegionFactory factory, SessionFactoryImplementor sessionFactory) {
    observe(sessionFactory);
    NearCache<Object, Object> cache = runtime.getOrCreateNamespace(
        RegionNames.namespace(qualified),
        new EntryCodec(() -> Set.copyOf(allPackages), settings.serializationAllow(), true),
        settings.options(qualified), QUERY, null);
    byRegion.put(name, cache);
    return new CoherentQueryResultsRegion(name, factory, cache);
  }

  /** Follows writes made outside Hibernate once the metamodel exists (see {@link SqlWrites}). */
  private void observe(SessionFactoryImplementor sessionFactory) {
    if (observing.compareAndSet(false, true)) {
      SqlWrites writes = new SqlWrites(this, timestamps);
      sqlWrites = writes;
      sessionFactory.addObserver(writes);
    }
  }

  /** Stops following writes made outside Hibernate (the factory stops). */
  public void close() {
    SqlWrites writes = sqlWrites;
    if (writes != null) {
      writes.close();
    }
  }

  /** How many entity hierarchies, collections and natural ids share the region. */
  private static int kinds(DomainDataRegionConfig config) {
    return config.getEntityCaching().size() + config.getCollectionCaching().size()
        + config.getNaturalIdCaching().size();
  }

  public @Nullable NearCache<Object, Object> namespaceOf(String region) {
    return byRegion.get(region);
  }

  /**
   * The packages of the entities whose state the region holds (for the codec's allow-list), from
   * their entity names (a class's name unless an entity name was given; a name without a package
   * adds nothing). Read from the region's configuration: the metamodel does not exist yet while
   * regions are built.
   */
  private static Set<String> packages(DomainDataRegionConfig config) {
    Set<String> packages = new TreeSet<>();
    for (EntityDataCachingConfig c : config.getEntityCaching()) {
      c.getCachedTypes().forEach(role -> add(packages, role.getFullPath()));
      add(packages, c.getNavigableRole().getFullPath());
    }
    for (DomainDataCachingConfig c : config.getNaturalIdCaching()) {
      add(packages, c.getNavigableRole().getFullPath());
    }
    for (DomainDataCachingConfig c : config.getCollectionCaching()) {
      String role = c.getNavigableRole().getFullPath(); // <entity name>.<attribute>
      int dot = role.lastIndexOf('.');
      if (dot > 0) {
        add(packages, role.substring(0, dot));
      }
    }
    return packages;
  }

  private static void add(Set<String> packages, String entityName) {
    int dot = entityName.lastIndexOf('.');
    if (dot > 0) {
      packages.add(entityName.substring(0, dot));
    }
  }
}
