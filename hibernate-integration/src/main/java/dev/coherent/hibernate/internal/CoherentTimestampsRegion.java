package dev.coherent.hibernate.internal;

import dev.coherent.core.UpdateTimestamps;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.hibernate.cache.spi.RegionFactory;
import org.hibernate.cache.spi.TimestampsRegion;
import org.hibernate.engine.spi.SharedSessionContractImplementor;

/**
 * Hibernate's update-timestamps region over the core's shared {@link UpdateTimestamps}: every
 * instance reads every table's last update from Redis (never from a local copy), a table without
 * a timestamp reads as updated now, and while Redis does not answer every table reads as updated
 * after any transaction ({@link UpdateTimestamps#UNKNOWN}), so no cached query result is served.
 * The values Hibernate writes are stamped by Redis's clock (see {@code UpdateTimestamps}): its
 * "invalidated until now + timeout" before a write and "invalidated at now" after it, the last
 * one winning. Thread-safe (the shared timestamps are; the set of tables seen is concurrent).
 */
public final class CoherentTimestampsRegion extends DirectRegion implements TimestampsRegion {
  private final UpdateTimestamps timestamps;
  private final Set<String> seen = ConcurrentHashMap.newKeySet();

  public CoherentTimestampsRegion(String name, RegionFactory factory,
      UpdateTimestamps timestamps) {
    super(name, factory);
    this.timestamps = timestamps;
  }

  @Override
  public Object getFromCache(Object key, SharedSessionContractImplementor session) {
    String table = (String) key;
    seen.add(table);
    return timestamps.lastUpdate(table);
  }

  @Override
  public void putIntoCache(Object key, Object value, SharedSessionContractImplementor session) {
    String table = (String) key;
    seen.add(table);
    timestamps.update(table, Math.max(0, (Long) value));
  }

  /**
   * "Clear" cannot mean "forget": a missing timestamp already reads as updated now, and old
   * values must never come back. Every table this instance has seen is marked updated now (a
   * touch: a writer's "being written until" is kept).
   */
  @Override
  public void clear() {
    seen.forEach(table -> timestamps.touch(table, timestamps.now()));
  }
}
