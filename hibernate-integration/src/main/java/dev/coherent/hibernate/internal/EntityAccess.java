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
 * An entity region's access. With {@code READ_WRITE}, after an insert or an update commits, the
 * new state is {@code put} at its version (published to every instance); {@code
 * NONSTRICT_READ_WRITE} invalidates the older versions after the commit and caches the new state
 * on the next load, and a read-only entity refuses updates, as Hibernate's own accesses do (so
 * statistics match theirs). A rollback leaves the cache as it is. Entities without a {@code
 * @Version} use {@link UnversionedEntityAccess}. Thread-safe (stateless).
 */
class EntityAccess extends CoherentAccess implements EntityDataAccess {

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
    if (getAccessType() == AccessType.NONSTRICT_READ_WRITE) {
      return false; // as Hibernate's: cached on the first load, not on insert
    }
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
    return false; // nothing before the commit: until then the cached state is the database's
  }

  @Override
  public boolean afterUpdate(SharedSessionContractImplementor session, Object key, Object value,
      @Nullable Object currentVersion, @Nullable Object previousVersion, @Nullable SoftLock lock) {
    if (getAccessType() == AccessType.READ_ONLY) {
      throw new UnsupportedOperationException("Can't update a read-only entity (region "
          + getRegion().getName() + ")");
    }
    if (getAccessType() == AccessType.NONSTRICT_READ_WRITE) {
      // Every older state is stale everywhere; the next load caches this one (as Hibernate's).
      cache.invalidate(key, version(currentVersion));
      return false;
    }
    cache.put(key, value, version(currentVersion));
    return true;
  }

  @Override
  public void unlockItem(SharedSessionContractImplementor session, Object key,
      @Nullable SoftLock lock) {
    // A rollback changed nothing: what is cached is still the database's. A delete evicted in
    // remove(); a READ_WRITE soft lock is replaced by the commit or expires.
  }

  @Override
  public void remove(SharedSessionContractImplementor session, Object key) {
    if (getAccessType() != AccessType.READ_WRITE) {
      cache.evict(key); // READ_WRITE's tombstone was written by lockItem, at the right version
    }
  }
}
