package dev.coherent.core.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What one namespace still owes Redis: invalidations that L1 already applied but L2 has not
 * received yet. Two kinds, because they are replayed differently:
 *
 * <ul>
 *   <li><b>writes</b>: this instance's own {@code put}/{@code invalidate} calls whose Redis call
 *       failed; replayed through {@code write.lua}, which publishes a hint as the write would have;
 *   <li><b>changes</b>: rows read from the PostgreSQL change log (plain SQL, batch jobs, writers
 *       that crashed after commit, and every other writer); written as L2 tombstones through
 *       {@code fill.lua}, never published (every instance reads the change log itself).
 * </ul>
 *
 * Per key only the highest version is kept. While a key is here, its version is a <b>floor</b> for
 * every load of that key on this instance: L2 may still hold something older, and L1 must not take
 * it ({@link #floor}). Together at most {@code capacity} keys are kept; one more replaces them all
 * with a pending epoch bump, which is correct for every key at once (a new epoch makes every old
 * L2 entry unreachable) and which the namespace honours by not reading L2 until it lands.
 *
 * <p>Thread-safety: callers of any thread add keys and read floors (concurrent maps merged with
 * {@code max}; the epoch-bump flag is atomic). Only the maintenance thread removes keys, and only
 * the exact version it wrote ({@code remove(key, version)}), so a newer version that arrived during
 * the write stays pending. Overflow may race with an add on another thread: the worst outcome is a
 * key kept beside the pending bump, which the replay after the bump writes harmlessly.
 */
final class PendingL2 {
  private final int capacity;
  private final ConcurrentHashMap<String, Long> writes = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Long> changes = new ConcurrentHashMap<>();
  private final AtomicBoolean epochBump = new AtomicBoolean();

  PendingL2(int capacity) {
    this.capacity = capacity;
  }

  /** The highest pending version of {@code key}, or -1 when nothing is pending for it. */
  long floor(String key) {
    if (writes.isEmpty() && changes.isEmpty()) {
      return -1; // the common case: two volatile reads, no hashing
    }
    Long write = writes.get(key);
    Long change = changes.get(key);
    return Math.max(write == null ? -1 : write, change == null ? -1 : change);
  }

  /** Remembers one of this instance's writes that did not reach Redis. */
  void write(String key, long version) {
    add(writes, key, version);
  }

  /** Remembers a change-log row whose tombstone L2 has not received yet. */
  void change(String key, long version) {
    add(changes, key, version);
  }

  private void add(ConcurrentHashMap<String, Long> map, String key, long version) {
    if (!map.containsKey(key) && writes.size() + changes.size() >= capacity) {
      overflow();
      return;
    }
    map.merge(key, version, Math::max);
  }

  /** Replaces every pending key by one epoch bump (each key's floor is then the bump itself). */
  void overflow() {
    epochBump.set(true);
    writes.clear();
    changes.clear();
  }

  boolean epochBumpPending() {
    return epochBump.get();
  }

  void requestEpochBump() {
    epochBump.set(true);
  }

  /**
   * The bump landed: it covers every key pending when it was taken ({@code covered}, a snapshot
   * taken before the bump), which are dropped; keys added since stay.
   */
  void epochBumped(Snapshot covered) {
    epochBump.set(false);
    covered.writes.forEach(writes::remove);
    covered.changes.forEach(changes::remove);
  }

  boolean isEmpty() {
    return !epochBump.get() && writes.isEmpty() && changes.isEmpty();
  }

  int size() {
    return writes.size() + changes.size();
  }

  /** A copy of what is pending now, for one replay (maintenance thread). */
  Snapshot snapshot() {
    return new Snapshot(new HashMap<>(writes), new HashMap<>(changes));
  }

  /** Drops {@code key} from the writes if {@code version} is still its pending version. */
  void wrote(String key, long version) {
    writes.remove(key, version);
  }

  /** Drops {@code key} from the changes if {@code version} is still its pending version. */
  void changed(String key, long version) {
    changes.remove(key, version);
  }

  /** A copy of the pending keys at one moment. */
  record Snapshot(Map<String, Long> writes, Map<String, Long> changes) {}
}
