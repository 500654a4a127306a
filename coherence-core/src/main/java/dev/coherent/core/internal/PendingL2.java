package dev.coherent.core.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

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
 * it ({@link #floor}). Each kind has its own bound ({@code writeCapacity} and {@code
 * changeCapacity} keys); one more replaces them all with a pending epoch bump, which is correct
 * for every key at once (a new epoch makes every old L2 entry unreachable) and which the namespace
 * honours by not reading L2 until it lands.
 *
 * <p>Thread-safety: callers of any thread add keys and read floors (concurrent maps merged with
 * {@code max}). An overflow (any thread) first requests the bump, then clears the maps, so a reader
 * that finds a key gone also finds the bump pending. Bumps are counted: {@link #bumpRequests} and
 * {@link #epochBumped} compare request numbers, so a bump that lands never clears a request made
 * after it was taken. Apart from overflow, only the maintenance thread removes keys, and only the
 * exact version it wrote ({@code remove(key, version)}), so a newer version that arrived during the
 * write stays pending. An overflow racing with an add may leave that key beside the pending bump;
 * the replay after the bump writes it harmlessly. Writes under way ({@link #hold}/{@link #release})
 * are added and removed by the writing thread itself (exact version), and only ever read as floors.
 */
final class PendingL2 {
  private final int writeCapacity;
  private final int changeCapacity;
  private final ConcurrentHashMap<String, Long> writes = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Long> changes = new ConcurrentHashMap<>();
  /**
   * Versions of this instance's writes whose Redis call is under way: floors only, never replayed
   * (the caller's own call writes them, or remembers them as {@link #write}s when it fails), so
   * not bounded here: at most one chunk per writing thread.
   */
  private final ConcurrentHashMap<String, Long> inFlight = new ConcurrentHashMap<>();
  /** How many epoch bumps were requested, and the request number the last landed bump covered. */
  private final AtomicLong bumpsRequested = new AtomicLong();
  private final AtomicLong bumpsCovered = new AtomicLong();

  PendingL2(int writeCapacity, int changeCapacity) {
    this.writeCapacity = writeCapacity;
    this.changeCapacity = changeCapacity;
  }

  /** The highest pending version of {@code key}, or -1 when nothing is pending for it. */
  long floor(String key) {
    if (writes.isEmpty() && changes.isEmpty() && inFlight.isEmpty()) {
      return -1; // the common case: a few volatile reads, no hashing
    }
    Long write = writes.get(key);
    Long change = changes.get(key);
    Long flying = inFlight.get(key);
    return Math.max(Math.max(write == null ? -1 : write, change == null ? -1 : change),
        flying == null ? -1 : flying);
  }

  /** Floors {@code key} at {@code version} while this instance's own write of it is under way. */
  void hold(String key, long version) {
    inFlight.merge(key, version, Math::max);
  }

  /** The write of {@code key} at {@code version} is done (written, or remembered as a write). */
  void release(String key, long version) {
    inFlight.remove(key, version);
  }

  /** Remembers one of this instance's writes that did not reach Redis. */
  void write(String key, long version) {
    add(writes, writeCapacity, key, version);
  }

  /** Remembers a change-log row whose tombstone L2 has not received yet. */
  void change(String key, long version) {
    add(changes, changeCapacity, key, version);
  }

  private void add(ConcurrentHashMap<String, Long> map, int capacity, String key, long version) {
    if (!map.containsKey(key) && map.size() >= capacity) {
      overflow();
      return;
    }
    map.merge(key, version, Math::max);
  }

  /** Replaces every pending key by one epoch bump (each key's floor is then the bump itself). */
  void overflow() {
    requestEpochBump(); // first: whoever misses a cleared key sees the bump pending
    writes.clear();
    changes.clear();
  }

  boolean epochBumpPending() {
    return bumpsCovered.get() < bumpsRequested.get();
  }

  void requestEpochBump() {
    bumpsRequested.incrementAndGet();
  }

  /** The number a bump taken now covers; pass it to {@link #epochBumped} once it landed. */
  long bumpRequests() {
    return bumpsRequested.get();
  }

  /**
   * A bump taken when {@link #bumpRequests} was {@code requests} landed: it covers those requests
   * and every key pending when it was taken ({@code covered}, a snapshot taken before it), which
   * are dropped; keys and requests added since stay.
   */
  void epochBumped(long requests, Snapshot covered) {
    bumpsCovered.accumulateAndGet(requests, Math::max);
    covered.writes.forEach(writes::remove);
    covered.changes.forEach(changes::remove);
  }

  boolean isEmpty() {
    return !epochBumpPending() && writes.isEmpty() && changes.isEmpty();
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
