package dev.coherent.core.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.coherent.core.NamespaceOptions;
import dev.coherent.core.Versioned;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * L1 of one namespace: a Caffeine map of {@link L1Entry} objects and the namespace's {@link
 * L1Entry.Stamp}. The only code that changes the map, so the L1 half of the fill race is here:
 *
 * <ul>
 *   <li>A load puts a {@link EntryKind#LOADING} entry in L1 before it starts ({@link #claim});
 *       concurrent readers of the key join its future (request coalescing). An invalidation that
 *       arrives meanwhile replaces it with a tombstone, and the load installs its result only by
 *       replacing its own LOADING entry ({@link #install}), so the older result never lands.
 *   <li>Every install and every {@link #put} reads the key's {@link PendingL2} floor inside the
 *       key's atomic {@code compute}, and a change-log change is made pending before its L1
 *       tombstone: so either the install sees the floor or the tombstone sees the installed entry.
 *   <li>An entry is served only while its stamp (epoch and local generation) is the current one; a
 *       flush or an epoch change invalidates everything in O(1).
 * </ul>
 *
 * <p>Thread-safety: any thread. Every change to a key goes through Caffeine's atomic {@code
 * compute}/{@code replace}/{@code putIfAbsent}/{@code remove(k, v)}. {@code stamp} is volatile and
 * changes only under this object's lock ({@link #adoptEpoch}, {@link #nextGeneration}); {@code
 * closed} is volatile. {@code lastSweepNanos} is the maintenance thread's.
 */
final class L1Store<V> {
  private static final Logger log = LoggerFactory.getLogger(L1Store.class);
  /** How often {@link #sweepIfDue} sweeps expired entries out of L1 (they are never served). */
  private static final long SWEEP_PERIOD_NANOS = 5_000_000_000L;

  private final String name;
  private final NamespaceOptions options;
  private final Lifetimes lifetimes;
  private final NamespaceMetrics metrics;
  private final PendingL2 pending;
  private final Cache<String, L1Entry<V>> cache;
  private final ConcurrentMap<String, L1Entry<V>> map;
  /** The clock of entry deadlines, read on every hit ({@link RuntimeContext#l1Ticker()}). */
  private final Ticker l1Clock;
  /** {@code metrics.l1Hits}, held here so that a hit follows one reference less. */
  private final LongAdder l1Hits;

  /** The current epoch and local generation; a new object on every change. */
  private volatile L1Entry.Stamp stamp = L1Entry.Stamp.first();
  private volatile boolean closed;
  /** Ticker time of the last sweep of expired entries. Maintenance thread only. */
  private long lastSweepNanos;

  L1Store(String name, NamespaceOptions options, Lifetimes lifetimes, NamespaceMetrics metrics,
      PendingL2 pending, Ticker l1Clock, long now) {
    this.name = name;
    this.options = options;
    this.lifetimes = lifetimes;
    this.metrics = metrics;
    this.pending = pending;
    this.l1Clock = l1Clock;
    this.l1Hits = metrics.l1Hits;
    this.lastSweepNanos = now;
    this.cache = Caffeine.newBuilder()
        // Loads in flight weigh nothing, so the size bound never evicts one: that would break
        // request coalescing and lose the load's floor (AsyncCache does the same for incomplete
        // futures).
        .maximumWeight(options.l1MaximumSize())
        .weigher((String k, L1Entry<V> e) -> e.isLoading() ? 0 : 1)
        // Runs only when the size bound evicts, never on a read.
        .evictionListener((String k, L1Entry<V> e, RemovalCause cause) -> {
          if (cause.wasEvicted() && e != null && e.answers) {
            metrics.evictions.increment();
          }
        })
        .build();
    this.map = cache.asMap();
  }

  L1Entry.Stamp stamp() {
    return stamp;
  }

  long size() {
    return cache.estimatedSize();
  }

  // -------------------------------------------------------------------------------------- reads

  /** The servable entry of {@code k}, counting the hit or the miss; null on a miss. */
  @Nullable L1Entry<V> hit(String k) {
    L1Entry<V> entry = map.get(k);
    if (entry != null && servable(entry)) {
      l1Hits.increment();
      return entry;
    }
    metrics.l1Misses.increment();
    return null;
  }

  /**
   * Whether L1 may answer with this entry: a value or a cached "not found" (not a tombstone or a
   * load in flight), stamped with the current stamp, and before its deadline (a "not found"
   * without negative caching has no lifetime; it only answers its own load's callers). This is
   * the whole cost of a hit beyond Caffeine's lookup: three fields of the entry and two volatile
   * reads (the stamp and the {@link CoarseTicker}'s time), no other object.
   */
  boolean servable(L1Entry<V> entry) {
    return entry.answers && entry.stamp == stamp && l1Clock.read() - entry.deadlineNanos < 0;
  }

  /**
   * Whether a joined load started before a call made under {@code call} under a stamp that is no
   * longer current: it began before a flush, an invalidateAll or an epoch change the caller
   * already saw, so the caller must not take its result (the load's own callers may: they asked
   * before). Compared by serial, not by epoch: an epoch can come back, a serial cannot.
   */
  boolean predates(L1Entry<V> entry, L1Entry.Stamp call) {
    return !servable(entry) && entry.stamp.serial < call.serial;
  }

  /**
   * Claims {@code k} for a load: an owned claim (a LOADING entry of this caller is in L1, floored
   * by what L1 and {@link PendingL2} knew), or a load in flight or servable entry to take. A
   * {@code probe} (a cache-only read) joins any load in flight; a load with a loader takes over a
   * probe's key instead of joining it (the probe may end with nothing to give).
   */
  <K> Claim<K, V> claim(String k, K key, boolean probe) {
    checkOpen();
    for (; ; ) {
      // What L2 has not received yet floors the load even when L1 holds nothing for the key.
      long owed = pending.floor(k);
      L1Entry<V> existing = map.get(k);
      if (existing == null) {
        L1Entry<V> mine = L1Entry.loading(owed, stamp, false, probe);
        existing = map.putIfAbsent(k, mine);
        if (existing == null) {
          return owned(k, key, mine, owed, owed);
        }
      }
      if (existing.isLoading() && (probe || !existing.probe)) {
        return new Claim<>(k, key, null, Objects.requireNonNull(existing.load, "load"), -1, -1);
      }
      if (servable(existing)) {
        return new Claim<>(k, key, null, CompletableFuture.completedFuture(existing), -1, -1);
      }
      long floor = Math.max(existing.version, owed);
      boolean hinted = existing.hinted && existing.version > owed;
      L1Entry<V> mine = L1Entry.loading(floor, stamp, hinted, probe);
      if (map.replace(k, existing, mine)) {
        return owned(k, key, mine, floor, hinted ? owed : floor);
      }
    }
  }

  private static <K, V> Claim<K, V> owned(String k, K key, L1Entry<V> placeholder, long floor,
      long confirmed) {
    return new Claim<>(k, key, placeholder, Objects.requireNonNull(placeholder.load, "load"),
        floor, confirmed);
  }

  /**
   * Installs the claim's result unless its LOADING entry was replaced since, and unless a version
   * L2 has not received yet (read under the key's lock) is above it: then a tombstone at that
   * version, which still answers the load's callers with what it read. A probe's result that is
   * not an entry to keep ({@code null}: L2 did not have the key) leaves its floor ({@link
   * #release}).
   */
  void install(Claim<?, V> claim) {
    L1Entry<V> mine = Objects.requireNonNull(claim.placeholder, "placeholder");
    L1Entry<V> result = claim.result;
    if (result == null) {
      release(claim);
      return;
    }
    map.computeIfPresent(claim.k, (key, current) -> {
      if (current != mine) {
        return current;
      }
      long owed = pending.floor(key);
      return result.answers && result.version < owed
          ? refused(owed, answer(result), result.stamp) : result;
    });
  }

  /** Releases the claim ({@link #release}) and fails the load's callers. */
  void fail(Claim<?, V> claim, Throwable error) {
    release(claim);
    claim.future.completeExceptionally(error);
  }

  /**
   * Ends a claim that installs nothing: its LOADING entry (if still there) becomes a tombstone at
   * the claim's floor, marked as a hint's word where only a hint vouched for it, so that a failed
   * or empty load never lowers what L1 knew (the entry it replaced may have been a tombstone);
   * without a floor it is removed.
   */
  private void release(Claim<?, V> claim) {
    L1Entry<V> mine = Objects.requireNonNull(claim.placeholder, "placeholder");
    if (claim.floor < 0) {
      map.remove(claim.k, mine);
    } else if (claim.floor > claim.confirmed) {
      map.replace(claim.k, mine, L1Entry.hintTombstone(claim.floor, mine.stamp,
          deadline(options.tombstoneTtl().toNanos())));
    } else {
      map.replace(claim.k, mine, refused(claim.floor, null, mine.stamp));
    }
  }

  // ------------------------------------------------------------------------------------- writes

  /**
   * Installs a value written at {@code version} unless L1 or {@link PendingL2} knows a newer one
   * (then keeps, or places, that floor). Returns the entry it would install; the caller compares
   * it with what L2 decides ({@link #refuse}) or takes it back ({@link #remove}).
   */
  L1Entry<V> put(String k, V value, long version, boolean degraded) {
    L1Entry<V> fresh = entry(EntryKind.VALUE, version, stamp, value, degraded);
    map.compute(k, (ignored, current) -> {
      long owed = pending.floor(k); // under the key's lock, as loads install
      if (version < owed) {
        // A newer version is known (read from the change log, or written here) and L2 has not
        // received it yet: keep that floor instead of this older value.
        return current != null && current.version >= owed ? current : tombstone(owed);
      }
      // A load in flight counts with its floor: a put below what this instance was told about
      // must not replace it.
      if (current != null && (current.version > version
          || (current.version == version && current.kind == EntryKind.VALUE
              && servable(current)))) {
        return current;
      }
      return fresh;
    });
    return fresh;
  }

  /** L2 holds a version above {@code entry}'s: a floor above it replaces it (if still there). */
  void refuse(String k, L1Entry<V> entry) {
    map.replace(k, entry, tombstone(entry.version + 1));
  }

  void remove(String k, L1Entry<V> entry) {
    map.remove(k, entry);
  }

  /**
   * Tombstones {@code k} below {@code version} if L1 holds or is loading anything older. A load in
   * flight whose floor is already at or above {@code version} is left to finish: it installs
   * nothing below its floor. An entry whose floor only a hint vouches for (a tombstone, or a load
   * that may yet take an answer below it) gives way even at or above this version: a floor nobody
   * confirmed must not hide one that is confirmed. A genuine higher floor is in L2.
   */
  void applyInvalidation(String k, long version) {
    map.computeIfPresent(k, (ignored, current) ->
        current.version >= version && !current.hinted ? current : tombstone(version));
  }

  /** As {@link #applyInvalidation}, for a key and version that only a Pub/Sub hint vouches for. */
  void applyHint(String k, long version) {
    map.computeIfPresent(k, (ignored, current) -> current.version >= version ? current
        : L1Entry.hintTombstone(version, stamp, deadline(options.tombstoneTtl().toNanos())));
  }

  /** The highest version L1 knows for {@code k} (a value's, a floor's), -1 when it has none. */
  long versionOf(String k) {
    L1Entry<V> entry = map.get(k);
    return entry == null ? -1 : entry.version;
  }

  /** Whether L1 holds a tombstone of {@code k} at exactly {@code version}. */
  boolean tombstoneAt(String k, long version) {
    L1Entry<V> entry = map.get(k);
    return entry != null && entry.kind == EntryKind.TOMBSTONE && entry.version == version;
  }

  // ------------------------------------------------------------------------------ entry factory

  /**
   * A tombstone at {@code floor} that answers the callers of the load that started under {@code
   * start} with {@code answer}; callers who joined after a later flush read again ({@link
   * #predates}).
   */
  L1Entry<V> refused(long floor, @Nullable Versioned<V> answer, L1Entry.Stamp start) {
    return new L1Entry<>(EntryKind.TOMBSTONE, floor, start, null,
        deadline(options.tombstoneTtl().toNanos()), answer);
  }

  /** An entry read under {@code start}; {@code degraded} clamps its lifetime. */
  L1Entry<V> entry(EntryKind kind, long version, L1Entry.Stamp start, @Nullable V value,
      boolean degraded) {
    return new L1Entry<>(kind, version, start, value, deadline(lifetimes.l1Nanos(kind, degraded)),
        null);
  }

  L1Entry<V> tombstone(long version) {
    return refused(version, null, stamp);
  }

  /**
   * Now plus {@code ttlNanos} on the L1 clock, saturating; a ttl of 0 is already past (the L1
   * clock never goes back, so such an entry is never served).
   */
  private long deadline(long ttlNanos) {
    long now = l1Clock.read();
    long deadline = now + ttlNanos;
    return deadline < now ? Long.MAX_VALUE : deadline;
  }

  // ------------------------------------------------------------------------ stamps and flushes

  /** The epoch Redis has when the namespace starts (not counted as a change). */
  synchronized void startAt(long epoch) {
    stamp = stamp.withEpoch(epoch);
  }

  void adoptEpoch(long newEpoch, String why) {
    if (newEpoch != stamp.epoch) {
      synchronized (this) {
        L1Entry.Stamp current = stamp;
        if (newEpoch != current.epoch) {
          log.debug("namespace {}: epoch {} -> {} ({})", name, current.epoch, newEpoch, why);
          stamp = current.withEpoch(newEpoch);
          metrics.epochChanges.increment();
        }
      }
    }
  }

  /** Moves to a new local generation: every entry stamped before is no longer served. */
  void nextGeneration() {
    synchronized (this) {
      stamp = stamp.nextGeneration();
    }
  }

  /** Removes entries of older generations on {@code executor}: they are never served anyway. */
  void clearOlderGenerationsLater(Executor executor) {
    long current = stamp.generation;
    executor.execute(() -> map.values().removeIf(e -> e.answers && e.stamp.generation < current));
  }

  /** Sweeps expired entries every few seconds of {@code now} (maintenance thread). */
  void sweepIfDue(long now) {
    if (now - lastSweepNanos >= SWEEP_PERIOD_NANOS) {
      lastSweepNanos = now;
      sweepExpired(l1Clock.read());
    }
  }

  /**
   * Removes entries past their deadline. They are never served anyway; this only frees memory
   * (Caffeine's size bound caps it meanwhile). A tombstone goes too: its floor has expired.
   */
  void sweepExpired(long now) {
    for (Map.Entry<String, L1Entry<V>> e : map.entrySet()) {
      L1Entry<V> entry = e.getValue();
      if (!entry.isLoading() && now - entry.deadlineNanos >= 0 && map.remove(e.getKey(), entry)
          && entry.answers) {
        metrics.evictions.increment(); // an expired value or not-found; tombstones not counted
      }
    }
  }

  /**
   * Up to {@code size} servable entries picked uniformly (reservoir sampling over at most 64 times
   * as many), as (key, entry) pairs.
   */
  List<Map.Entry<String, L1Entry<V>>> sample(int size, DoubleSupplier random) {
    List<Map.Entry<String, L1Entry<V>>> sample = new ArrayList<>(size);
    int seen = 0;
    for (Map.Entry<String, L1Entry<V>> e : map.entrySet()) {
      L1Entry<V> entry = e.getValue();
      if (!servable(entry)) {
        continue;
      }
      seen++;
      if (sample.size() < size) {
        sample.add(Map.entry(e.getKey(), entry));
      } else {
        int slot = (int) (random.getAsDouble() * seen);
        if (slot < size) {
          sample.set(slot, Map.entry(e.getKey(), entry));
        }
      }
      if (seen >= 64 * size) {
        break; // bounded work per tick
      }
    }
    return sample;
  }

  // ------------------------------------------------------------------------------------ closing

  /**
   * Nothing cached is served any more, later claims and puts fail with {@link ClosedException},
   * and callers waiting on a load that has not finished get it instead of waiting for a loader
   * thread that may never run it.
   */
  void close() {
    closed = true;
    for (Map.Entry<String, L1Entry<V>> e : map.entrySet()) {
      L1Entry<V> entry = e.getValue();
      if (entry.isLoading() && map.remove(e.getKey(), entry)) {
        Objects.requireNonNull(entry.load, "load").completeExceptionally(closedException());
      }
    }
    // Last: whatever a put or load that started before `closed` was set installs meanwhile
    // carries an older stamp; one that reads the new stamp also sees `closed` and installs nothing.
    nextGeneration();
  }

  boolean closed() {
    return closed;
  }

  void checkOpen() {
    if (closed) {
      throw closedException();
    }
  }

  IllegalStateException closedException() {
    return new ClosedException("namespace " + name + " belongs to a closed runtime");
  }

  /** Thrown to callers as is (a load failure is wrapped in a {@code CacheLoadException}). */
  static final class ClosedException extends IllegalStateException {
    ClosedException(String message) {
      super(message);
    }
  }

  // ------------------------------------------------------------------------------------ answers

  /** What an entry answers its load's callers: a refused load's read, else its own value. */
  static <V> @Nullable Versioned<V> answer(L1Entry<V> entry) {
    if (entry.answer != null) {
      return entry.answer.value() == null ? null : entry.answer;
    }
    return versioned(entry);
  }

  static <V> @Nullable Versioned<V> versioned(L1Entry<V> entry) {
    return entry.value == null ? null : new Versioned<>(entry.value, entry.version);
  }
}
