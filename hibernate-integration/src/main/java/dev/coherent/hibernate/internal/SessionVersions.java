package dev.coherent.hibernate.internal;

import java.util.HashMap;
import java.util.Map;
import org.hibernate.cache.spi.RegionFactory;
import org.hibernate.cache.spi.StandardCacheTransactionSynchronization;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.jspecify.annotations.Nullable;

/**
 * A session's cache synchronization (Hibernate creates one per session through the region
 * factory), carrying what {@link UnversionedEntityAccess} read from the change log for the
 * session's entities without a {@code @Version}: the version read before a load (for the load's
 * {@code putFromLoad}) or right after the session's own write (for {@code afterInsert} and
 * {@code afterUpdate}, which run after the commit). Confined to its session's thread, as the
 * session is; entries are removed when used.
 */
public final class SessionVersions extends StandardCacheTransactionSynchronization {
  /** Made at the first version remembered: most sessions have no entity without a version. */
  private @Nullable Map<Object, Long> versions;

  public SessionVersions(RegionFactory regionFactory) {
    super(regionFactory);
  }

  /** The session's instance, or null for a session built by another factory's rules. */
  static @Nullable SessionVersions of(SharedSessionContractImplementor session) {
    return session.getCacheTransactionSynchronization() instanceof SessionVersions v ? v : null;
  }

  void remember(Object cacheKey, long version) {
    if (versions == null) {
      versions = new HashMap<>();
    }
    versions.put(cacheKey, version);
  }

  /** The version remembered for the key, removed; null if none. */
  @Nullable Long take(Object cacheKey) {
    return versions == null ? null : versions.remove(cacheKey);
  }
}
