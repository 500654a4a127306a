package dev.coherent.hibernate.internal;

import dev.coherent.core.NearCache;
import org.hibernate.cache.spi.QueryKey;
import org.hibernate.cache.spi.QueryResultsRegion;
import org.hibernate.cache.spi.RegionFactory;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.jspecify.annotations.Nullable;

/**
 * A query-results region over a Coherent namespace (L1, shared through Redis). Hibernate checks
 * each result it gets against the update timestamps of the tables the query read, so a result
 * served here is never older than the last completed write to those tables, whichever instance
 * cached it. A result is stored at the version of its own timestamp (the transaction's start, on
 * the shared clock), so a newer result replaces an older one, here and in the other instances'
 * L1 (the put's hint), and never the reverse. The session's
 * tenant is part of the key: Hibernate 7's {@link QueryKey} does not hold it, and two tenants'
 * identical queries must not share a result. {@link #clear} ({@code evictQueryRegions()}) empties
 * the region on every instance (an epoch bump). Thread-safe (the namespace is).
 */
public final class CoherentQueryResultsRegion extends DirectRegion implements QueryResultsRegion {
  private final NearCache<Object, Object> cache;

  public CoherentQueryResultsRegion(String name, RegionFactory factory,
      NearCache<Object, Object> cache) {
    super(name, factory);
    this.cache = cache;
  }

  @Override
  public @Nullable Object getFromCache(Object key, SharedSessionContractImplementor session) {
    Object item = cache.getIfPresent(CacheKeys.QueryCacheKey.of(session, (QueryKey) key));
    return item == EntryCodec.NOT_SHARED ? null : item;
  }

  @Override
  public void putIntoCache(Object key, Object value, SharedSessionContractImplementor session) {
    // Hibernate's CacheItem carries the same timestamp; the item itself does not expose it. A put,
    // not a fill: a fill keeps the older result L1 already holds, which is stale by now.
    long timestamp = session.getCacheTransactionSynchronization().getCachingTimestamp();
    cache.put(CacheKeys.QueryCacheKey.of(session, (QueryKey) key), value, Math.max(0, timestamp));
  }

  @Override
  public void clear() {
    cache.invalidateAll();
  }
}
