package dev.coherent.hibernate.internal;

import dev.coherent.core.NearCache;
import java.time.Duration;
import org.hibernate.cache.spi.DomainDataRegion;
import org.hibernate.cache.spi.access.AccessType;
import org.hibernate.cache.spi.access.SoftLock;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.jspecify.annotations.Nullable;

/**
 * The access of what has no version of its own (collections, natural ids): loads fill at version
 * 0 and every change is an {@code evict} on every instance, when Hibernate locks the key and
 * again when it unlocks it (loads between the SQL and the commit read the old rows); a repeated
 * evict rewrites the first one's tombstone, it does not stack. Thread-safe (stateless).
 */
abstract class VersionlessAccess extends CoherentAccess {

  VersionlessAccess(DomainDataRegion region, AccessType accessType,
      NearCache<Object, Object> cache, Duration lockLifetime) {
    super(region, accessType, cache, lockLifetime);
  }

  @Override
  public boolean putFromLoad(SharedSessionContractImplementor session, Object key, Object value,
      @Nullable Object version) {
    return cache.fill(key, value, 0); // an owner's version, if any, does not version this
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
    if (getAccessType() != AccessType.READ_ONLY) {
      cache.evict(key);
    }
  }
}
