package dev.coherent.hibernate.internal;

import dev.coherent.core.CoherentRuntime;
import dev.coherent.core.NamespaceOptions;
import dev.coherent.core.NearCache;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.hibernate.cache.cfg.spi.DomainDataCachingConfig;
import org.hibernate.cache.cfg.spi.DomainDataRegionBuildingContext;
import org.hibernate.cache.cfg.spi.DomainDataRegionConfig;
import org.hibernate.cache.cfg.spi.EntityDataCachingConfig;
import org.hibernate.cache.spi.DomainDataRegion;
import org.hibernate.cache.spi.RegionFactory;
import org.jspecify.annotations.Nullable;

/**
 * The regions of one session factory: each gets the namespace {@link RegionNames#namespace} of
 * its qualified name, with the region's option overrides and a codec whose allow-list holds the
 * packages of the region's entities. Thread-safe (a concurrent map; Hibernate builds regions at
 * boot).
 */
public final class CoherentRegions {
  /** Key encoders, one instance each (getOrCreateNamespace compares encoders by identity). */
  private static final Function<Object, String> BARE = CacheKeys::bare;
  private static final Function<Object, String> WITH_ROLE = CacheKeys::withRole;
  private final CoherentRuntime runtime;
  private final Settings settings;
  private final Map<String, NearCache<Object, Object>> byRegion = new ConcurrentHashMap<>();

  public CoherentRegions(CoherentRuntime runtime, Settings settings) {
    this.runtime = runtime;
    this.settings = settings;
  }

  public DomainDataRegion build(DomainDataRegionConfig config, RegionFactory factory,
      DomainDataRegionBuildingContext context) {
    String region = config.getRegionName();
    NamespaceOptions options = settings.options(region);
    NearCache<Object, Object> cache = runtime.getOrCreateNamespace(RegionNames.namespace(region),
        new EntryCodec(packages(config), settings.serializationAllow()), options,
        kinds(config) == 1 ? BARE : WITH_ROLE, null);
    byRegion.put(region, cache);
    return new CoherentDomainDataRegion(config, factory, context, cache, options.tombstoneTtl());
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
