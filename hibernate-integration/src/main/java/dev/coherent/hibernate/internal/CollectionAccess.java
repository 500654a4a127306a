package dev.coherent.hibernate.internal;

import dev.coherent.core.NearCache;
import java.time.Duration;
import org.hibernate.cache.internal.DefaultCacheKeysFactory;
import org.hibernate.cache.spi.DomainDataRegion;
import org.hibernate.cache.spi.access.AccessType;
import org.hibernate.cache.spi.access.CollectionDataAccess;
import org.hibernate.cache.spi.access.SoftLock;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.persister.collection.CollectionPersister;
import org.jspecify.annotations.Nullable;

/**
 * A collection region's access. A collection has no version of its own (an inverse collection
 * changes without its owner's version), so loads fill at version 0 and every change is an
 * {@code evict} on every instance: at lock time, at the SQL, and again after the commit. The cost
 * of that safety: after a change, the collection is read from the database until the evict's
 * tombstone expires ({@code tombstoneTtl}). Thread-safe (stateless).
 */
final class CollectionAccess extends CoherentAccess implements CollectionDataAccess {

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

  @Override
  public boolean putFromLoad(SharedSessionContractImplementor session, Object key, Object value,
      @Nullable Object version) {
    return cache.fill(key, value, 0); // the owner's version does not version the collection
  }

  @Override
  public @Nullable SoftLock lockItem(SharedSessionContractImplementor session, Object key,
      @Nullable Object version) {
    cache.evict(key);
    return LOCKED;
  }

  @Override
  public void unlockItem(SharedSessionContractImplementor session, Object key,
      @Nullable SoftLock lock) {
    cache.evict(key); // loads between the SQL and the commit read the old rows
  }
}
