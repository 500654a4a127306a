package dev.coherent.core.internal;

import com.github.benmanes.caffeine.cache.Expiry;

/** Each entry lives for the lifetime it was created with; reads and updates do not extend it. */
final class EntryExpiry<V> implements Expiry<String, L1Entry<V>> {
  @Override
  public long expireAfterCreate(String key, L1Entry<V> entry, long currentTime) {
    return entry.ttlNanos;
  }

  @Override
  public long expireAfterUpdate(
      String key, L1Entry<V> entry, long currentTime, long currentDuration) {
    return entry.ttlNanos;
  }

  @Override
  public long expireAfterRead(
      String key, L1Entry<V> entry, long currentTime, long currentDuration) {
    return currentDuration;
  }
}
