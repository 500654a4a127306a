package dev.coherent.core.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ObjLongConsumer;

/**
 * Pending key invalidations of one namespace, coalesced by key (the highest version wins) and
 * bounded by a capacity of distinct keys. {@link #offer} never blocks and never grows the buffer
 * past its capacity: when full it refuses, and the caller applies the drop policy.
 *
 * <p>Thread-safety: one producer (the Pub/Sub event loop thread) and one drainer at a time (the
 * caller guarantees that); the map is concurrent, so {@link #clear} may run on any thread.
 */
final class HintBuffer {
  enum Offer {
    ADDED,
    COALESCED,
    FULL
  }

  private final int capacity;
  private final ConcurrentHashMap<String, Long> pending = new ConcurrentHashMap<>();

  HintBuffer(int capacity) {
    this.capacity = capacity;
  }

  Offer offer(String key, long version) {
    Long previous = pending.get(key);
    if (previous != null) {
      pending.merge(key, version, Math::max);
      return Offer.COALESCED;
    }
    if (pending.size() >= capacity) {
      return Offer.FULL;
    }
    Long raced = pending.merge(key, version, Math::max);
    return raced == version ? Offer.ADDED : Offer.COALESCED;
  }

  /** Hands every pending key to {@code apply} and removes it, unless it was raised meanwhile. */
  int drain(ObjLongConsumer<String> apply) {
    int applied = 0;
    for (Map.Entry<String, Long> entry : pending.entrySet()) {
      String key = entry.getKey();
      long version = entry.getValue();
      apply.accept(key, version);
      applied++;
      // A newer version offered while we applied stays for the next drain.
      pending.remove(key, version);
    }
    return applied;
  }

  /** Empties the buffer; returns how many keys were dropped. */
  int clear() {
    int size = pending.size();
    pending.clear();
    return size;
  }

  int size() {
    return pending.size();
  }

  boolean isEmpty() {
    return pending.isEmpty();
  }
}
