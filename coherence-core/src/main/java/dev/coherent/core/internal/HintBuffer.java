package dev.coherent.core.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.ObjLongConsumer;

/**
 * Pending key invalidations of one namespace, coalesced by key (the highest version wins) and
 * bounded by a capacity of distinct keys. {@link #offer} never blocks and never grows the buffer
 * past its capacity: when full it refuses, and the caller applies the drop policy.
 *
 * <p>Keys wait in arrival order in a queue beside the map of versions, so a drain costs what is
 * pending, not the largest size the buffer ever reached (a map's table never shrinks; walking it
 * after a burst would cost the burst every time).
 *
 * <p>Thread-safety: one producer (the Pub/Sub event loop thread) and one drainer at a time (the
 * caller guarantees that). Every mapped key is queued: the producer enqueues a key when its
 * {@code compute} created the mapping; the drainer removes a mapping only if its version is the
 * one it applied, and re-queues the key when a newer version arrived meanwhile (a producer that
 * finds a mapping only raises it). {@link #clear} may run on any thread.
 */
final class HintBuffer {
  enum Offer {
    ADDED,
    COALESCED,
    FULL
  }

  private final int capacity;
  private final ConcurrentHashMap<String, Long> pending = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<String> order = new ConcurrentLinkedQueue<>();

  HintBuffer(int capacity) {
    this.capacity = capacity;
  }

  Offer offer(String key, long version) {
    boolean[] created = new boolean[1];
    if (!pending.containsKey(key) && pending.size() >= capacity) {
      return Offer.FULL;
    }
    pending.compute(key, (k, old) -> {
      if (old == null) {
        created[0] = true;
        return version;
      }
      return Math.max(old, version);
    });
    if (created[0]) {
      order.add(key);
      return Offer.ADDED;
    }
    return Offer.COALESCED;
  }

  /**
   * Hands every pending key to {@code apply} with its highest version and removes it, unless a
   * newer version was offered while it was applied: that key stays for the next drain.
   */
  int drain(ObjLongConsumer<String> apply) {
    int applied = 0;
    List<String> raised = new ArrayList<>();
    String key;
    while ((key = order.poll()) != null) {
      Long version = pending.get(key);
      if (version == null) {
        continue; // cleared meanwhile
      }
      apply.accept(key, version);
      applied++;
      if (!pending.remove(key, version)) {
        raised.add(key); // still mapped at a newer version: it must be in the queue again
      }
    }
    order.addAll(raised);
    return applied;
  }

  /** Empties the buffer; returns how many keys were dropped. */
  int clear() {
    int size = pending.size();
    pending.clear();
    order.clear();
    return size;
  }

  int size() {
    return pending.size();
  }

  boolean isEmpty() {
    return pending.isEmpty();
  }
}
