package dev.coherent.hibernate.internal;

import dev.coherent.core.NearCache;
import java.time.Duration;
import org.hibernate.cache.spi.DomainDataRegion;
import org.hibernate.cache.spi.access.AccessType;
import org.hibernate.cache.spi.access.SoftLock;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.jspecify.annotations.Nullable;

/**
 * The access of a mutable entity without a {@code @Version} ({@code READ_WRITE} or {@code
 * NONSTRICT_READ_WRITE}), versioned by the change log's per-key counter ({@link RowVersions}),
 * which the tracking trigger raises by one under the row's lock at every insert, update and
 * delete, in the writer's transaction. Where a versioned entity's access takes the version from
 * Hibernate, this one reads it in the session's transaction:
 *
 * <ul>
 *   <li>on a miss, <em>before</em> Hibernate loads the row, so the load's {@code putFromLoad}
 *       fills at a version no newer than the state it read (an older label can only cost a miss;
 *       a newer one could cache a stale state over the write that made it stale). A load that no
 *       miss preceded in the session (an entity read by a query) is not cached;
 *   <li>for a {@code READ_WRITE} soft lock, before the SQL: the tombstone is one above it;
 *   <li>after the session's own insert or update SQL, before the commit, while the row's lock
 *       makes it this write's version: {@code afterInsert}/{@code afterUpdate}, after the commit,
 *       put or invalidate at it as for a versioned entity.
 * </ul>
 *
 * Until the table is tracked (see {@link RowVersions#tracked}) the entity is not cached: reads
 * miss, loads are not filled and writes evict. Thread-safety: stateless but for the thread-safe
 * {@link RowVersions}; per-session versions live in the session's {@link SessionVersions}.
 */
final class UnversionedEntityAccess extends EntityAccess {
  private final RowVersions versions;

  UnversionedEntityAccess(DomainDataRegion region, AccessType accessType,
      NearCache<Object, Object> cache, Duration lockLifetime, RowVersions versions) {
    super(region, accessType, cache, lockLifetime);
    this.versions = versions;
  }

  @Override
  public @Nullable Object get(SharedSessionContractImplementor session, Object key) {
    if (!versions.tracked(session)) {
      return null;
    }
    Object cached = cache.getIfPresent(key);
    if (cached == null) {
      remember(session, key); // before Hibernate reads the row
    }
    return cached;
  }

  @Override
  public boolean putFromLoad(SharedSessionContractImplementor session, Object key, Object value,
      @Nullable Object version) {
    Long before = taken(session, key);
    return before != null && cache.fill(key, value, before);
  }

  @Override
  public @Nullable SoftLock lockItem(SharedSessionContractImplementor session, Object key,
      @Nullable Object version) {
    if (getAccessType() != AccessType.READ_WRITE) {
      return null;
    }
    long current = versions.tracked(session) ? versions.current(session, key) : -1;
    if (current >= 0) {
      cache.invalidate(key, current + 1, lockLifetime);
    } else {
      cache.evict(key);
    }
    return LOCKED;
  }

  @Override
  public boolean insert(SharedSessionContractImplementor session, Object key, Object value,
      @Nullable Object version) {
    remember(session, key); // after the INSERT, before the commit: this write's version
    return false;
  }

  @Override
  public boolean afterInsert(SharedSessionContractImplementor session, Object key, Object value,
      @Nullable Object version) {
    Long written = taken(session, key);
    if (getAccessType() == AccessType.NONSTRICT_READ_WRITE || written == null) {
      return false;
    }
    cache.put(key, value, written);
    return true;
  }

  @Override
  public boolean update(SharedSessionContractImplementor session, Object key, Object value,
      @Nullable Object currentVersion, @Nullable Object previousVersion) {
    super.update(session, key, value, currentVersion, previousVersion); // refuses READ_ONLY
    remember(session, key); // after the UPDATE, before the commit: this write's version
    return false;
  }

  @Override
  public boolean afterUpdate(SharedSessionContractImplementor session, Object key, Object value,
      @Nullable Object currentVersion, @Nullable Object previousVersion, @Nullable SoftLock lock) {
    Long written = taken(session, key);
    if (written == null) {
      cache.evict(key); // untracked, or a composite id: nothing is known, nothing is kept
      return false;
    }
    if (getAccessType() == AccessType.NONSTRICT_READ_WRITE) {
      cache.invalidate(key, written);
      return false;
    }
    cache.put(key, value, written);
    return true;
  }

  private void remember(SharedSessionContractImplementor session, Object key) {
    SessionVersions sessionVersions = SessionVersions.of(session);
    if (sessionVersions != null && versions.tracked(session)) {
      long current = versions.current(session, key);
      if (current >= 0) {
        sessionVersions.remember(key, current);
      }
    }
  }

  private static @Nullable Long taken(SharedSessionContractImplementor session, Object key) {
    SessionVersions sessionVersions = SessionVersions.of(session);
    return sessionVersions == null ? null : sessionVersions.take(key);
  }
}
