package dev.coherent.hibernate.internal;

import dev.coherent.core.NearCache;
import java.time.Duration;
import org.hibernate.cache.internal.DefaultCacheKeysFactory;
import org.hibernate.cache.spi.DomainDataRegion;
import org.hibernate.cache.spi.access.AccessType;
import org.hibernate.cache.spi.access.CollectionDataAccess;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.persister.collection.CollectionPersister;
import org.jspecify.annotations.Nullable;

/**
 * A collection region's access. A collection has no version of its own (an inverse collection
 * changes without its owner's version): a {@link VersionlessAccess}. The cost of that safety:
 * after a change, the collection is read from the database until the evict's tombstone expires
 * ({@code tombstoneTtl}). Thread-safe (stateless).
 */
final class CollectionAccess extends VersionlessAccess implements CollectionDataAccess {

  CollectionAccess(DomainDataRegion region, AccessType accessType,
      NearCache<Object, Object> cache, Duration lockLifetime) {
    super(region, accessType, cache, lockLifetime);
  }

  @Override
  public Object generateCacheKey(Object id, CollectionPersister collectionDescriptor,
      SessionFactoryImplementor factory, @Nullable String tenantIdentifier) {
    return DefaultCacheKeysFactory.staticCreateCollectionKey(id, collectionDescriptor, factory,
        tenantIdentifier);
  }

  @Override
  public Object getCacheKeyId(Object cacheKey) {
    return DefaultCacheKeysFactory.staticGetCollectionId(cacheKey);
  }
}
