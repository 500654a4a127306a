package dev.coherent.hibernate.internal;

import dev.coherent.core.NearCache;
import java.time.Duration;
import org.hibernate.cache.internal.DefaultCacheKeysFactory;
import org.hibernate.cache.spi.DomainDataRegion;
import org.hibernate.cache.spi.access.AccessType;
import org.hibernate.cache.spi.access.EntityDataAccess;
import org.hibernate.cache.spi.access.SoftLock;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.persister.entity.EntityPersister;
import org.jspecify.annotations.Nullable;

/**
 * An entity region's access: after an insert or an update commits, the new state is {@code put}
 * at its version (published to every instance); a read-only entity refuses updates as Hibernate's
 * own read-only access does. Thread-safe (stateless).
 */
final class EntityAccess extends CoherentAccess implements EntityDataAccess {

  EntityAccess(DomainDataRegion region, AccessType accessType, NearCache<Object, Object> cache,
      Duration lockLifetime) {
    super(region, accessType, cache, lockLifetime);
  }

  @Override
  public Object generateCacheKey(Object id, EntityPersister rootEntityDescriptor,
      SessionFactoryImplementor factory, @Nullable String tenantIdentifier) {
    return DefaultCacheKeysFactory.staticCreateEntityKey(id, rootEntityDescriptor, factory,
        tenantIdentifier);
  }

  @Override
  public Object getCacheKeyId(Object cacheKey) {
    return DefaultCacheKeysFactory.staticGetEntityId(cacheKey);
  }

  @Override
  public boolean insert(SharedSessionContractImplementor session, Object key, Object value,
      @Nullable Object version) {
    return false; // not before the commit
  }

  @Override
  public boolean afterInsert(SharedSessionContractImplementor session, Object key, Object value,
      @Nullable Object version) {
    cache.put(key, value, version(version));
    return true;
  }

  @Override
  public boolean update(SharedSessionContractImplementor session, Object key, Object value,
      @Nullable Object currentVersion, @Nullable Object previousVersion) {
    if (getAccessType() == AccessType.READ_ONLY) {
      throw new UnsupportedOperationException("Can't update a read-only entity (region "
          + getRegion().getName() + ")");
    }
    return false; // not before the commit
  }

  @Override
  public boolean afterUpdate(SharedSessionContractImplementor session, Object key, Object value,
      @Nullable Object currentVersion, @Nullable Object previousVersion, @Nullable SoftLock lock) {
    if (getAccessType() == AccessType.READ_ONLY) {
      throw new UnsupportedOperationException("Can't update a read-only entity (region "
          + getRegion().getName() + ")");
    }
    cache.put(key, value, version(currentVersion));
    return true;
  }

  @Override
  public void remove(SharedSessionContractImplementor session, Object key) {
    if (getAccessType() != AccessType.READ_WRITE) {
      cache.evict(key); // READ_WRITE's tombstone was written by lockItem, at the right version
    }
  }
}
