package dev.coherent.hibernate.internal;

import dev.coherent.core.NearCache;
import java.time.Duration;
import org.hibernate.cache.cfg.spi.CollectionDataCachingConfig;
import org.hibernate.cache.cfg.spi.DomainDataRegionBuildingContext;
import org.hibernate.cache.cfg.spi.DomainDataRegionConfig;
import org.hibernate.cache.cfg.spi.EntityDataCachingConfig;
import org.hibernate.cache.cfg.spi.NaturalIdDataCachingConfig;
import org.hibernate.cache.internal.DefaultCacheKeysFactory;
import org.hibernate.cache.spi.RegionFactory;
import org.hibernate.cache.spi.access.AccessType;
import org.hibernate.cache.spi.access.CollectionDataAccess;
import org.hibernate.cache.spi.access.EntityDataAccess;
import org.hibernate.cache.spi.access.NaturalIdDataAccess;
import org.hibernate.cache.spi.support.AbstractDomainDataRegion;

/**
 * One Hibernate domain-data region (entities, collections and natural ids that share a region
 * name) over one Coherent namespace. Its accesses are Coherent's own ({@link EntityAccess},
 * {@link CollectionAccess}, {@link NaturalIdAccess}), not Hibernate's storage-level templates:
 * they need the versions Hibernate passes to an access, which a storage never sees. Thread-safe
 * (immutable after construction).
 */
final class CoherentDomainDataRegion extends AbstractDomainDataRegion {
  private final NearCache<Object, Object> cache;
  private final Duration lockLifetime;

  CoherentDomainDataRegion(DomainDataRegionConfig config, RegionFactory factory,
      DomainDataRegionBuildingContext context, NearCache<Object, Object> cache,
      Duration lockLifetime) {
    super(config, factory, DefaultCacheKeysFactory.INSTANCE, context);
    this.cache = cache; // before completeInstantiation, which builds the accesses
    this.lockLifetime = lockLifetime;
    completeInstantiation(config, context);
  }

  @Override
  protected EntityDataAccess generateEntityAccess(EntityDataCachingConfig config) {
    if (!config.isVersioned() && config.isMutable() && config.getAccessType() != AccessType.READ_ONLY) {
      // Versions from the change log's per-key counter (the table must be tracked without one).
      return new UnversionedEntityAccess(this, config.getAccessType(), cache, lockLifetime,
          new RowVersions(config.getNavigableRole().getFullPath(), RegionNames.namespace(getName())));
    }
    return new EntityAccess(this, config.getAccessType(), cache, lockLifetime);
  }

  @Override
  protected CollectionDataAccess generateCollectionAccess(CollectionDataCachingConfig config) {
    return new CollectionAccess(this, config.getAccessType(), cache, lockLifetime);
  }

  @Override
  protected NaturalIdDataAccess generateNaturalIdAccess(NaturalIdDataCachingConfig config) {
    return new NaturalIdAccess(this, config.getAccessType(), cache, lockLifetime);
  }
}
