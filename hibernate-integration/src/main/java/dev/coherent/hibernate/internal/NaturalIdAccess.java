package dev.coherent.hibernate.internal;

import dev.coherent.core.NearCache;
import java.time.Duration;
import org.hibernate.cache.internal.DefaultCacheKeysFactory;
import org.hibernate.cache.spi.DomainDataRegion;
import org.hibernate.cache.spi.access.AccessType;
import org.hibernate.cache.spi.access.NaturalIdDataAccess;
import org.hibernate.cache.spi.access.SoftLock;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.persister.entity.EntityPersister;
import org.jspecify.annotations.Nullable;

/**
 * A natural-id region's access: natural id -> entity id, without a version. Loads fill at
 * version 0; a change evicts the old and the new natural id on every instance (as collections
 * do); after a commit the new mapping is filled. Thread-safe (stateless).
 */
final class NaturalIdAccess extends VersionlessAccess implements NaturalIdDataAccess {

  NaturalIdAccess(DomainDataRegion region, AccessType accessType,
      NearCache<Object, Object> cache, Duration lockLifetime) {
    super(region, accessType, cache, lockLifetime);
  }

  @Override
  public Object generateCacheKey(Object naturalIdValues, EntityPersister rootEntityDescriptor,
      SharedSessionContractImplementor session) {
    return DefaultCacheKeysFactory.staticCreateNaturalIdKey(naturalIdValues, rootEntityDescriptor,
        session);
  }

  @Override
  public Object getNaturalIdValues(Object cacheKey) {
    return DefaultCacheKeysFactory.staticGetNaturalIdValues(cacheKey);
  }

  @Override
  public boolean insert(SharedSessionContractImplementor session, Object key, Object value) {
    return false;
  }

  @Override
  public boolean afterInsert(SharedSessionContractImplementor session, Object key, Object value) {
    return cache.fill(key, value, 0);
  }

  @Override
  public boolean update(SharedSessionContractImplementor session, Object key, Object value) {
    return false;
  }

  @Override
  public boolean afterUpdate(SharedSessionContractImplementor session, Object key, Object value,
      @Nullable SoftLock lock) {
    cache.evict(key);
    return false;
  }
}
