package dev.coherent.hibernate.internal;

import dev.coherent.core.NearCache;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.hibernate.cache.CacheException;
import org.hibernate.cache.spi.DomainDataRegion;
import org.hibernate.cache.spi.access.AccessType;
import org.hibernate.cache.spi.access.CachedDomainDataAccess;
import org.hibernate.cache.spi.access.SoftLock;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.jspecify.annotations.Nullable;

/**
 * What every access of a region does through Coherent's versioned API instead of Hibernate's
 * JVM-local soft locks: reads are {@code getIfPresent}, loads are {@code fill} at the row's
 * version (version-CAS refuses an older one on every instance), and what makes a cached copy
 * stale is an invalidation every instance sees, written to Redis before the call returns.
 *
 * <ul>
 *   <li>With a version (an entity's {@code @Version}), {@code lockItem} before the SQL is
 *       {@code invalidate(key, version + 1, tombstoneTtl)}, a soft lock every instance honours:
 *       every load of the old row, here or on another instance, is refused from then on; the
 *       committed state at that version replaces the tombstone ({@code afterUpdate}, or the next
 *       load), and after a rollback it expires after {@code tombstoneTtl}.
 *   <li>Without one (collections, natural ids), what changes the data is an {@code evict} (one
 *       above every cached version), and loads fill at version 0.
 * </ul>
 *
 * <p>Thread-safety: stateless apart from the thread-safe namespace; Hibernate calls it from any
 * session's thread.
 */
abstract class CoherentAccess implements CachedDomainDataAccess {
  /** What {@code lockItem} and {@code lockRegion} hand back: the work was done at lock time. */
  static final SoftLock LOCKED = new SoftLock() {
    @Override
    public String toString() {
      return "coherent-lock";
    }
  };

  private final DomainDataRegion region;
  private final AccessType accessType;
  final NearCache<Object, Object> cache;
  /** How long a soft lock's tombstone lives in Redis when no commit replaces it (a rollback). */
  final Duration lockLifetime;

  CoherentAccess(DomainDataRegion region, AccessType accessType, NearCache<Object, Object> cache,
      Duration lockLifetime) {
    if (accessType == AccessType.TRANSACTIONAL) {
      throw new CacheException("Coherent second-level cache: region " + region.getName()
          + " asks for TRANSACTIONAL access, which needs a JTA-enlisted cache; use READ_WRITE"
          + " (coherent across instances with Coherent), NONSTRICT_READ_WRITE or READ_ONLY");
    }
    this.region = region;
    this.accessType = accessType;
    this.cache = cache;
    this.lockLifetime = lockLifetime;
  }

  @Override
  public DomainDataRegion getRegion() {
    return region;
  }

  @Override
  public AccessType getAccessType() {
    return accessType;
  }

  @Override
  public @Nullable Object get(SharedSessionContractImplementor session, Object key) {
    return cache.getIfPresent(key);
  }

  @Override
  public boolean putFromLoad(SharedSessionContractImplementor session, Object key, Object value,
      @Nullable Object version) {
    return cache.fill(key, value, version(version));
  }

  @Override
  public boolean putFromLoad(SharedSessionContractImplementor session, Object key, Object value,
      @Nullable Object version, boolean minimalPutOverride) {
    if (minimalPutOverride && contains(key)) {
      return false;
    }
    return putFromLoad(session, key, value, version);
  }

  @Override
  public @Nullable SoftLock lockItem(SharedSessionContractImplementor session, Object key,
      @Nullable Object version) {
    if (accessType != AccessType.READ_WRITE) {
      return null;
    }
    if (version != null) {
      long v = version(version);
      cache.invalidate(key, v == Long.MAX_VALUE ? v : v + 1, lockLifetime);
    } else {
      cache.evict(key);
    }
    return LOCKED;
  }

  @Override
  public void unlockItem(SharedSessionContractImplementor session, Object key,
      @Nullable SoftLock lock) {
    // READ_WRITE wrote its tombstone at lock time; NONSTRICT_READ_WRITE removes on completion.
    if (accessType == AccessType.NONSTRICT_READ_WRITE) {
      cache.evict(key);
    }
  }

  @Override
  public void remove(SharedSessionContractImplementor session, Object key) {
    cache.evict(key);
  }

  @Override
  public void removeAll(SharedSessionContractImplementor session) {
    cache.invalidateAll();
  }

  @Override
  public boolean contains(Object key) {
    return cache.getIfPresent(key) != null;
  }

  @Override
  public SoftLock lockRegion() {
    cache.invalidateAll();
    return LOCKED;
  }

  @Override
  public void unlockRegion(SoftLock lock) {
    // A bulk statement's rows are committed now: what was loaded meanwhile goes too.
    cache.invalidateAll();
  }

  @Override
  public void evict(Object key) {
    cache.evict(key);
  }

  @Override
  public void evictAll() {
    cache.invalidateAll();
  }

  /** A Hibernate version as a Coherent version: numbers as they are, timestamps in milliseconds. */
  static long version(@Nullable Object version) {
    if (version == null) {
      return 0;
    }
    long v;
    if (version instanceof Number n) {
      v = n.longValue();
    } else if (version instanceof Date d) {
      v = d.getTime();
    } else if (version instanceof Instant i) {
      v = i.toEpochMilli();
    } else {
      throw new CacheException("Coherent second-level cache: a @Version of type "
          + version.getClass().getName() + " is not supported; use an integer or a timestamp");
    }
    if (v < 0) {
      throw new CacheException("Coherent second-level cache: version " + v + " is negative;"
          + " versions must be at least 0");
    }
    return v;
  }
}
