package dev.coherent.core.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.coherent.core.CacheLoadException;
import dev.coherent.core.Codec;
import dev.coherent.core.Hint;
import dev.coherent.core.NamespaceOptions;
import dev.coherent.core.NearCache;
import dev.coherent.core.Versioned;
import dev.coherent.core.VersionedLoader;
import io.lettuce.core.RedisException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One namespace: L1 (a Caffeine {@link Cache} of {@link L1Entry} objects), L2 (Redis via
 * {@link RedisL2}) and the hint machinery. See docs/architecture.md for the rules; in short:
 *
 * <ul>
 *   <li>A load puts a {@link L1Entry.Kind#LOADING} entry in L1 before it starts; concurrent readers
 *       of the key join its future (request coalescing). An invalidation that arrives meanwhile
 *       replaces it with a tombstone, and the load installs its result only by replacing its own
 *       LOADING entry, so the older result never lands (the L1 half of the fill race). The L2
 *       half: fills carry the version they read and Redis refuses them below a tombstone.
 *   <li>An entry is served only while its {@link L1Entry.Stamp} (epoch and local generation) is
 *       the namespace's current one; it is stamped when its load starts, so a flush or epoch
 *       change invalidates in O(1).
 *   <li>Redis failures never reach callers: reads load from the source with a clamped L1 TTL;
 *       writes, and changes read from the change log, are kept in {@link PendingL2} (their
 *       versions floor every load meanwhile) and written to Redis by the maintenance thread, or
 *       turned into an epoch bump when too many are pending.
 * </ul>
 *
 * <p>Thread-safety: L1 is Caffeine's concurrent map and every change to a key goes through its
 * atomic {@code compute}/{@code replace}/{@code putIfAbsent}. {@code stamp} is volatile and only
 * changes under the instance lock ({@link #adoptEpoch}, {@link #nextGeneration}); {@code
 * lastSequence} and the flags are atomics. Hints are parsed on the Pub/Sub event loop thread (never blocking: a bounded
 * {@link HintBuffer}) and applied by one drain task at a time on the maintenance executor.
 * {@link PendingL2} is concurrent; it is written to Redis, and the L2 synchronisation point
 * recorded ({@code syncedRecorded}), only on the maintenance thread. A load installs its result,
 * and a put its value, in one atomic {@code compute} that also reads the key's pending floor, and
 * a change-log change is made pending before its L1 tombstone: so either the install sees the
 * floor or the tombstone sees the installed entry. {@code polledThrough} is volatile and set by
 * the reconciler thread; {@code l2CaughtUp} is volatile, cleared by the caller creating the
 * namespace or by the maintenance thread ({@code replayFrom}), and set by the reconciler thread.
 */
public final class NamespaceCache<K, V> implements NearCache<K, V> {
  private static final Logger log = LoggerFactory.getLogger(NamespaceCache.class);
  private static final int MAX_KEY_LENGTH = 1024;
  /** How often {@link #maintain} sweeps expired entries out of L1 (they are never served). */
  private static final long SWEEP_PERIOD_NANOS = 5_000_000_000L;
  /** A read retries this often when the load it joined predates a flush it saw; then it takes it. */
  private static final int MAX_STALE_JOIN_RETRIES = 3;

  private final String name;
  private final NamespaceOptions options;
  private final Codec<V> codec;
  private final Function<? super K, String> keyEncoder;
  private final @Nullable VersionedLoader<? super K, V> defaultLoader;
  private final RuntimeContext ctx;
  private final RedisL2 l2;
  private final HintCodec hints;
  private final Jitter jitter;
  private final NamespaceMetrics metrics;
  private final Cache<String, L1Entry<V>> l1;
  private final ConcurrentMap<String, L1Entry<V>> map;
  private final HintBuffer buffer;
  private final EpochRateLimiter epochLimiter;
  /** The clock of entry deadlines, read on every hit ({@link RuntimeContext#l1Ticker()}). */
  private final Ticker l1Clock;
  /** {@code metrics.l1Hits}, held here so that a hit follows one reference less. */
  private final LongAdder l1Hits;

  /** The current epoch and local generation; a new object on every change (see {@link L1Entry.Stamp}). */
  private volatile L1Entry.Stamp stamp = L1Entry.Stamp.first();
  private final AtomicLong lastSequence = new AtomicLong(-1);
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private final AtomicBoolean reconcileRequested = new AtomicBoolean();
  private final AtomicBoolean subscribedOnce = new AtomicBoolean();
  private final AtomicBoolean reconcileQueued = new AtomicBoolean();
  private volatile boolean redisDown;
  private volatile boolean closed;
  private volatile boolean subscriberDown;
  /** Invalidations L1 applied that L2 has not received yet; their versions floor every load. */
  private final PendingL2 pending;
  private final AtomicBoolean syncQueued = new AtomicBoolean();
  private final AtomicBoolean epochCheckQueued = new AtomicBoolean();
  /** The highest hinted epoch not yet checked against Redis; Long.MIN_VALUE when none. */
  private final AtomicLong hintedEpoch = new AtomicLong(Long.MIN_VALUE);
  /** The highest unverifiable hinted epoch a reconcile was requested for. Maintenance thread only. */
  private long unverifiedEpochReconciled = Long.MIN_VALUE;
  /**
   * False while this instance may not trust L2 for what the change log says (see
   * {@link #catchingUp}): loads skip the L2 read and claim no L2 synchronisation point.
   */
  private volatile boolean l2CaughtUp = true;
  /**
   * The change-log transaction horizon this instance has read through: every row of a transaction
   * below it has been applied to L1 and handed to {@link #pending}. Set by the reconciler thread.
   */
  private volatile long polledThrough = -1;
  /**
   * The highest synchronisation point this instance knows Redis had: read in {@link #start} (on
   * the creating thread, before the namespace is published), then raised by this instance.
   * Maintenance thread only after start.
   */
  private long syncedRecorded = -1;
  private volatile ReconcileAction reconciler;
  /** Redis's sequence at the previous state check; -1 before the first. Maintenance thread only. */
  private long sequenceAtLastCheck = -1;
  /** Ticker time of the last sweep of expired L1 entries. Maintenance thread only. */
  private long lastSweepNanos;

  /** What a reconcile does; the default flushes L1 and resynchronises epoch and sequence. */
  @FunctionalInterface
  public interface ReconcileAction {
    void reconcile(NamespaceCache<?, ?> namespace, String reason);

    /**
     * L2 lost what it had been given since change-log transaction {@code from}: replay the
     * change log from there (with a change log; without one there is nothing to replay).
     */
    default void replayFrom(NamespaceCache<?, ?> namespace, long from) {}
  }

  public NamespaceCache(
      String name,
      NamespaceOptions options,
      Codec<V> codec,
      Function<? super K, String> keyEncoder,
      @Nullable VersionedLoader<? super K, V> defaultLoader,
      RuntimeContext ctx,
      HintCodec hints) {
    this.name = name;
    this.options = options;
    this.codec = codec;
    this.keyEncoder = keyEncoder;
    this.defaultLoader = defaultLoader;
    this.ctx = ctx;
    this.hints = hints;
    this.l2 = new RedisL2(ctx.redis(), ctx.keyPrefix(), ctx.tenant(), name, ctx.channel(name));
    this.jitter = new Jitter(ctx.random());
    this.metrics = new NamespaceMetrics(ctx.meters(), name);
    this.l1 =
        Caffeine.newBuilder()
            // Loads in flight weigh nothing, so the size bound never evicts one: that would break
            // request coalescing and lose the load's floor (AsyncCache does the same for
            // incomplete futures).
            .maximumWeight(options.l1MaximumSize())
            .weigher((String k, L1Entry<V> e) -> e.isLoading() ? 0 : 1)
            // Runs only when the size bound evicts, never on a read.
            .evictionListener((String k, L1Entry<V> e, RemovalCause cause) -> {
              if (cause.wasEvicted() && e != null && e.answers) {
                metrics.evictions.increment();
              }
            })
            .build();
    this.map = l1.asMap();
    this.buffer = new HintBuffer(options.hintBufferCapacity());
    // Changes come from every writer of the namespace, and in bursts (batch jobs): a roomier bound
    // than for this instance's own writes, so that a healthy Redis never needs the epoch bump.
    this.pending = new PendingL2(options.hintBufferCapacity(),
        (int) Math.min(Integer.MAX_VALUE, 10L * options.hintBufferCapacity()));
    this.epochLimiter = new EpochRateLimiter(options.epochHintsPerSecond(), ctx.ticker());
    this.reconciler = NamespaceCache::flushAndResync;
    this.l1Clock = ctx.l1Ticker();
    this.l1Hits = metrics.l1Hits;
    this.lastSweepNanos = ctx.ticker().read();
    metrics.gauge("coherent.l1.size", l1, Cache::estimatedSize);
    metrics.gauge("coherent.hints.pending", buffer, HintBuffer::size);
    metrics.gauge("coherent.l2.pending", pending, PendingL2::size);
    metrics.bindCacheConventions(() -> l1.estimatedSize());
  }

  /**
   * Reads the namespace's epoch and sequence from Redis; called once before the cache is used.
   * Returns the namespace's L2 synchronisation point ({@link RedisL2#synced}), -1 if it has none.
   */
  public long start() {
    RedisL2.Outcome state = l2.state(initialEpoch());
    synchronized (this) {
      stamp = stamp.withEpoch(state.epoch());
    }
    lastSequence.set(state.sequence());
    long synced = options.l2Enabled() ? l2.synced(-1) : -1;
    syncedRecorded = synced; // what Redis had: a lower point later means it lost writes
    return synced;
  }

  public String channel() {
    return l2.channel();
  }

  public void reconciler(ReconcileAction reconciler) {
    this.reconciler = Objects.requireNonNull(reconciler, "reconciler");
  }

  @Override
  public String name() {
    return name;
  }

  public NamespaceOptions options() {
    return options;
  }

  // ------------------------------------------------------------------------------------- reads

  @Override
  public @Nullable V get(K key) {
    return get(key, requireLoader());
  }

  @Override
  public @Nullable V get(K key, VersionedLoader<? super K, V> loader) {
    String k = lookupKey(key);
    L1Entry<V> hit = l1Hit(k);
    if (hit != null) {
      return hit.value; // the hot path: no allocation
    }
    checkKey(key, k);
    return valueOf(answer(join(k, loadFresh(k, key, loader, stamp, 0))));
  }

  @Override
  public @Nullable Versioned<V> getVersioned(K key) {
    return getVersioned(key, requireLoader());
  }

  @Override
  public @Nullable Versioned<V> getVersioned(K key, VersionedLoader<? super K, V> loader) {
    String k = lookupKey(key);
    L1Entry<V> hit = l1Hit(k);
    if (hit != null) {
      return versioned(hit);
    }
    checkKey(key, k);
    return answer(join(k, loadFresh(k, key, loader, stamp, 0)));
  }

  /** The servable L1 entry of {@code k}, counting the hit or the miss; null on a miss. */
  private @Nullable L1Entry<V> l1Hit(String k) {
    L1Entry<V> entry = map.get(k);
    if (entry != null && servable(entry)) {
      l1Hits.increment();
      return entry;
    }
    metrics.l1Misses.increment();
    return null;
  }

  /**
   * Whether a joined load started before this call under a stamp that is no longer current: it
   * began before a flush, an invalidateAll or an epoch change the caller already saw, so the
   * caller must not take its result (the load's own callers may: they asked before). Compared by
   * serial, not by epoch: an epoch can come back (Redis reporting an older one), a serial cannot.
   */
  private boolean predates(L1Entry<V> entry, L1Entry.Stamp call) {
    return !servable(entry) && entry.stamp.serial < call.serial;
  }

  private CompletableFuture<L1Entry<V>> loadFresh(String k, K key,
      VersionedLoader<? super K, V> loader, L1Entry.Stamp call, int retry) {
    return claimAndLoad(k, key, loader).thenCompose(entry ->
        retry < MAX_STALE_JOIN_RETRIES && predates(entry, call)
            ? loadFresh(k, key, loader, call, retry + 1)
            : CompletableFuture.completedFuture(entry));
  }

  @Override
  public CompletableFuture<@Nullable V> getAsync(K key) {
    VersionedLoader<? super K, V> loader = requireLoader();
    String k = lookupKey(key);
    L1Entry<V> hit = l1Hit(k);
    if (hit != null) {
      return CompletableFuture.completedFuture(hit.value);
    }
    checkKey(key, k);
    return loadFresh(k, key, loader, stamp, 0)
        .handle(
            (entry, error) -> {
              if (error != null) {
                throw loadFailure(k, error);
              }
              return valueOf(answer(entry));
            });
  }

  @Override
  public Map<K, V> getAll(Collection<? extends K> keys) {
    VersionedLoader<? super K, V> loader = requireLoader();
    L1Entry.Stamp call = stamp;
    Map<K, V> result = new LinkedHashMap<>();
    Map<K, String> misses = new LinkedHashMap<>();
    for (K key : new LinkedHashSet<K>(keys)) {
      String k = lookupKey(key);
      L1Entry<V> hit = l1Hit(k);
      if (hit != null) {
        if (hit.value != null) {
          result.put(key, hit.value);
        }
        continue;
      }
      misses.put(key, k);
    }
    // Every key is checked before any is claimed: a claim that is never loaded would leave its
    // load-in-flight entry in L1 for every later reader of that key to wait on.
    misses.forEach(this::checkKey);
    Map<K, Claim<K, V>> waiting = new LinkedHashMap<>();
    List<Claim<K, V>> owned = new ArrayList<>();
    try {
      for (Map.Entry<K, String> miss : misses.entrySet()) {
        Claim<K, V> claim = claim(miss.getValue(), miss.getKey());
        if (claim.owned()) {
          owned.add(claim);
        }
        waiting.put(miss.getKey(), claim);
      }
    } catch (RuntimeException e) { // the runtime closed meanwhile: release what was claimed
      for (Claim<K, V> claim : owned) {
        claim.fail(map, e);
      }
      throw e;
    }
    if (!owned.isEmpty()) {
      // The caller's thread does the batch: it would only wait for it otherwise.
      loadBatch(owned, loader);
    }
    for (Map.Entry<K, Claim<K, V>> e : waiting.entrySet()) {
      L1Entry<V> entry = join(e.getValue().k, e.getValue().future);
      Versioned<V> v = predates(entry, call)
          ? getVersioned(e.getKey(), loader) // joined a load from before a flush: read again
          : answer(entry);
      if (v != null && v.value() != null) {
        result.put(e.getKey(), v.value());
      }
    }
    return result;
  }

  /**
   * Whether L1 may answer with this entry: a value or a cached "not found" (not a tombstone or a
   * load in flight), stamped with the namespace's current stamp, and before its deadline (a "not
   * found" without negative caching has no lifetime; it only answers its own load's callers).
   * This is the whole cost of a hit beyond Caffeine's lookup: three fields of the entry and two
   * volatile reads (the namespace's stamp and the {@link CoarseTicker}'s time), no other object.
   */
  private boolean servable(L1Entry<V> entry) {
    return entry.answers
        && entry.stamp == stamp
        && l1Clock.read() - entry.deadlineNanos < 0;
  }

  /** A key this caller must load ({@code owned}) or a load already under way to join. */
  private static final class Claim<K, V> {
    final String k;
    final K key;
    /** For an owned claim, the LOADING entry it placed in L1; the load installs over it only. */
    final @Nullable L1Entry<V> placeholder;
    final CompletableFuture<L1Entry<V>> future;
    /** The lowest version this load may install: what L1 knew about the key before. */
    long floor;
    /**
     * The part of {@link #floor} that L1, L2, the change log or this instance's own writes vouch
     * for; the rest came from a Pub/Sub hint only ({@link L1Entry#hinted}).
     */
    long confirmed;

    Claim(String k, K key, @Nullable L1Entry<V> placeholder,
        CompletableFuture<L1Entry<V>> future, long floor, long confirmed) {
      this.k = k;
      this.key = key;
      this.placeholder = placeholder;
      this.future = future;
      this.floor = floor;
      this.confirmed = confirmed;
    }

    /** Raises the floor with a version that a tier vouches for. */
    void confirm(long version) {
      floor = Math.max(floor, version);
      confirmed = Math.max(confirmed, version);
    }

    boolean owned() {
      return placeholder != null;
    }

    /**
     * Installs the load's result unless its LOADING entry was replaced since, and unless a version
     * L2 has not received yet ({@code owed}, read under the key's lock) is above it: then a
     * tombstone at that version, which still answers the load's callers with what it read.
     */
    void install(ConcurrentMap<String, L1Entry<V>> map, L1Entry<V> result, PendingL2 pending,
        java.util.function.LongFunction<L1Entry<V>> floorAt) {
      L1Entry<V> mine = Objects.requireNonNull(placeholder, "placeholder");
      map.computeIfPresent(k, (key, current) -> {
        if (current != mine) {
          return current;
        }
        long owed = pending.floor(key);
        return result.answers && result.version < owed ? floorAt.apply(owed) : result;
      });
    }

    /** Removes the LOADING entry (if still there) and fails the load's callers. */
    void fail(ConcurrentMap<String, L1Entry<V>> map, Throwable error) {
      map.remove(k, Objects.requireNonNull(placeholder, "placeholder"));
      future.completeExceptionally(error);
    }
  }

  private Claim<K, V> claim(String k, K key) {
    checkOpen();
    for (; ; ) {
      // What L2 has not received yet floors the load even when L1 holds nothing for the key.
      long owed = pending.floor(k);
      L1Entry<V> existing = map.get(k);
      if (existing == null) {
        L1Entry<V> mine = L1Entry.loading(owed, stamp, false);
        existing = map.putIfAbsent(k, mine);
        if (existing == null) {
          return owned(k, key, mine, owed, owed);
        }
      }
      if (existing.isLoading()) {
        return new Claim<>(k, key, null, Objects.requireNonNull(existing.load, "load"), -1, -1);
      }
      if (servable(existing)) {
        return new Claim<>(k, key, null, CompletableFuture.completedFuture(existing), -1, -1);
      }
      long floor = Math.max(existing.version, owed);
      boolean hinted = existing.hinted && existing.version > owed;
      L1Entry<V> mine = L1Entry.loading(floor, stamp, hinted);
      if (map.replace(k, existing, mine)) {
        return owned(k, key, mine, floor, hinted ? owed : floor);
      }
    }
  }

  private Claim<K, V> owned(String k, K key, L1Entry<V> placeholder, long floor,
      long confirmed) {
    return new Claim<>(k, key, placeholder, Objects.requireNonNull(placeholder.load, "load"),
        floor, confirmed);
  }

  private CompletableFuture<L1Entry<V>> claimAndLoad(
      String k, K key, VersionedLoader<? super K, V> loader) {
    Claim<K, V> claim = claim(k, key);
    if (claim.owned()) {
      try {
        ctx.loadExecutor().execute(() -> loadBatch(List.of(claim), loader));
      } catch (Throwable rejected) { // also an Error, e.g. no native thread for the pool
        claim.fail(map, rejected);
        if (rejected instanceof Error error) {
          throw error;
        }
      }
    }
    return claim.future;
  }

  /**
   * Loads claimed keys: L2 in one script call, then the source for what is missing (one
   * {@code loadAll}), then one fill script, then installs and completes each claim. Never throws:
   * a failure removes the claims' LOADING entries and completes their futures exceptionally.
   */
  private void loadBatch(List<Claim<K, V>> claims, VersionedLoader<? super K, V> loader) {
    try {
      Map<Claim<K, V>, L1Entry<V>> done = new HashMap<>();
      L1Entry.Stamp start = stamp;
      // While an invalidateAll() has not reached Redis, L2 still holds the old epoch's entries:
      // read from the source and fill nothing, as when Redis is down.
      boolean bumpPending = pending.epochBumpPending();
      boolean degraded = redisDown || subscriberDown || bumpPending;
      List<Claim<K, V>> missing = claims;
      String leaseKey = null;
      // Until its change-log catch-up ran, this instance does not know which L2 entries are older
      // than the log: it loads from the source (and may fill, under version-CAS).
      if (options.l2Enabled() && !bumpPending && l2CaughtUp) {
        try {
          List<byte @Nullable []> stored = new ArrayList<>();
          RedisL2.Outcome read = l2.read(start.epoch, initialEpoch(), keysOf(claims), stored);
          if (!read.epochMatched()) {
            adoptEpoch(read.epoch(), "l2_read");
            start = stamp;
            stored.clear();
            read = l2.read(start.epoch, initialEpoch(), keysOf(claims), stored);
          }
          redisRecovered();
          if (read.epochMatched()) {
            missing = new ArrayList<>();
            for (int i = 0; i < claims.size(); i++) {
              Claim<K, V> claim = claims.get(i);
              L1Entry<V> hit =
                  fromL2(stored.get(i), claim, start, degraded);
              if (hit != null) {
                metrics.l2Hits.increment();
                done.put(claim, hit);
              } else {
                metrics.l2Misses.increment();
                missing.add(claim);
              }
            }
          }
          if (missing.size() == 1 && claims.size() == 1 && options.leaseEnabled()) {
            Claim<K, V> claim = missing.get(0);
            L1Entry<V> waited = awaitLease(claim, start, degraded);
            if (waited != null) {
              done.put(claim, waited);
              missing = List.of();
            } else {
              leaseKey = claim.k;
            }
          }
        } catch (RedisException e) {
          redisFailed("read", e);
          degraded = true;
        }
      }
      try {
        if (!missing.isEmpty()) {
          loadFromSource(missing, loader, start, degraded, done);
        }
      } finally {
        if (leaseKey != null) {
          releaseLease(leaseKey);
        }
      }
      if (closed) {
        throw closedException(); // the catch below fails every claim
      }
      // Every result is in L1 before any caller is answered: a caller's callback that runs on this
      // thread and reads another key of the batch then finds it, instead of joining a load that
      // only this thread could finish.
      for (Claim<K, V> claim : claims) {
        L1Entry<V> result = Objects.requireNonNull(done.get(claim), "loaded entry");
        // A change read by a poll that ran during this load: the poll's own L1 tombstone only
        // meets entries already installed, so the install checks what is pending instead.
        claim.install(map, result, pending, owed -> refused(owed, answer(result), result.stamp));
      }
      for (Claim<K, V> claim : claims) {
        claim.future.complete(done.get(claim));
      }
    } catch (Throwable t) {
      for (Claim<K, V> claim : claims) {
        claim.fail(map, t);
      }
    }
  }

  private @Nullable L1Entry<V> fromL2(byte @Nullable [] bytes, Claim<K, V> claim,
      L1Entry.Stamp start, boolean degraded) {
    RedisL2.Stored stored = RedisL2.decode(bytes);
    if (stored == null) {
      return null;
    }
    if (stored.kind() == L1Entry.Kind.TOMBSTONE) {
      claim.confirm(stored.version()); // L2 vouches for it: no longer only a hint's word
      return null;
    }
    if (stored.version() < claim.floor) {
      if (stored.version() < claim.confirmed) {
        return null;
      }
      // Only a hint said the key had a newer version, and L2, where every publisher stores its
      // write before it publishes, does not have it: a forged hint. L2's entry answers; the forged
      // version costs this one L2 read.
      metrics.hintsUnconfirmed("key");
      claim.floor = claim.confirmed;
    }
    V value = null;
    if (stored.kind() == L1Entry.Kind.VALUE) {
      try {
        value = codec.decode(stored.payload());
      } catch (RuntimeException e) {
        metrics.codecErrors.increment();
        log.warn("namespace {}: cannot decode the L2 entry of key '{}', reloading: {}", name,
            claim.k, e.getMessage());
        return null;
      }
    } else if (!options.negativeCaching()) {
      return null;
    }
    // While the subscriber is down no hint can drop this copy: clamp its lifetime.
    return entry(stored.kind(), stored.version(), start, value, degraded);
  }

  /** Holds or waits for the load lease. Returns what another instance filled, or null to load. */
  private @Nullable L1Entry<V> awaitLease(Claim<K, V> claim, L1Entry.Stamp start, boolean degraded) {
    long holdMillis = options.leaseTime().toMillis();
    if (l2.tryLease(claim.k, ctx.instanceId(), holdMillis)) {
      return null;
    }
    metrics.leaseWaits.increment();
    long deadline = ctx.ticker().read() + options.leaseWait().toNanos();
    while (ctx.ticker().read() < deadline) {
      LockSupport.parkNanos(ctx.leasePoll().toNanos());
      List<byte @Nullable []> stored = new ArrayList<>(1);
      RedisL2.Outcome read = l2.read(start.epoch, initialEpoch(), List.of(claim.k), stored);
      if (!read.epochMatched()) {
        return null;
      }
      L1Entry<V> hit = fromL2(stored.get(0), claim, start, degraded);
      if (hit != null) {
        metrics.l2Hits.increment();
        return hit;
      }
      if (!l2.leaseHeld(claim.k) && l2.tryLease(claim.k, ctx.instanceId(), holdMillis)) {
        // The holder may have filled and released between our read and our lease: look once more.
        stored.clear();
        read = l2.read(start.epoch, initialEpoch(), List.of(claim.k), stored);
        hit = read.epochMatched()
            ? fromL2(stored.get(0), claim, start, degraded) : null;
        if (hit != null) {
          releaseLease(claim.k);
          metrics.l2Hits.increment();
          return hit;
        }
        return null; // the holder finished without filling (not found, or died): load ourselves
      }
    }
    return null; // waited long enough: load without the lease
  }

  private void releaseLease(String k) {
    try {
      l2.releaseLease(k, ctx.instanceId());
    } catch (RedisException e) {
      redisFailed("lease", e); // it expires by itself
    }
  }

  private void loadFromSource(
      List<Claim<K, V>> missing,
      VersionedLoader<? super K, V> loader,
      L1Entry.Stamp start,
      boolean degraded,
      Map<Claim<K, V>, L1Entry<V>> done)
      throws Exception {
    long started = ctx.ticker().read();
    Map<K, Versioned<V>> loaded = new HashMap<>();
    try {
      if (missing.size() == 1) {
        Claim<K, V> only = missing.get(0);
        Versioned<V> v = loader.load(only.key);
        if (v != null) {
          loaded.put(only.key, v);
        }
      } else {
        Set<K> keys = new LinkedHashSet<>();
        for (Claim<K, V> claim : missing) {
          keys.add(claim.key);
        }
        @SuppressWarnings("unchecked")
        VersionedLoader<K, V> typed = (VersionedLoader<K, V>) loader;
        Map<K, Versioned<V>> all = typed.loadAll(keys);
        if (all != null) {
          loaded.putAll(all);
        }
      }
    } finally {
      metrics.loadTimer.record(ctx.ticker().read() - started, TimeUnit.NANOSECONDS);
    }

    List<Claim<K, V>> toFill = new ArrayList<>();
    List<byte[]> encoded = new ArrayList<>();
    List<L1Entry<V>> candidates = new ArrayList<>();
    for (Claim<K, V> claim : missing) {
      Versioned<V> v = loaded.getOrDefault(claim.key, Versioned.absent(0));
      (v.isPresent() ? metrics.loadFound : metrics.loadNotFound).increment();
      boolean unconfirmed = false;
      if (v.version() < claim.floor && claim.floor > claim.confirmed) {
        // Only a hint said the key had a newer version, and neither L2 nor the source has it: a
        // forged hint (or a real one whose L2 entry is gone while the source lags). The source is
        // the truth; taking its answer bounds what a forged hint costs to this one load. Below
        // what a tier vouches for, the load is refused at that version, not at the hint's.
        metrics.hintsUnconfirmed("key");
        claim.floor = claim.confirmed;
        unconfirmed = true;
      }
      if (v.version() < claim.floor) {
        // The source is behind a version this instance was told about (a lagging replica or a
        // forged hint): answer this caller, keep the floor, cache nothing.
        metrics.fillRacesPrevented.increment();
        done.put(claim, refused(claim.floor, v, start));
        continue;
      }
      L1Entry.Kind kind = v.isPresent() ? L1Entry.Kind.VALUE : L1Entry.Kind.ABSENT;
      // Taken over a hint nobody confirmed: in case the hint was real and the source lags, keep it
      // short-lived here and out of L2 (where every instance would read it).
      L1Entry<V> entry = entry(kind, v.version(), start, v.value(), degraded || unconfirmed);
      done.put(claim, entry);
      if (options.l2Enabled() && !degraded && !unconfirmed
          && (v.isPresent() || options.negativeCaching())) {
        toFill.add(claim);
        encoded.add(RedisL2.encode(kind, v.version(), v.isPresent() ? codec.encode(v.value()) : null));
        candidates.add(entry);
      }
    }
    if (toFill.isEmpty()) {
      return;
    }
    List<Long> ttls = new ArrayList<>(toFill.size());
    for (int i = 0; i < toFill.size(); i++) {
      ttls.add(l2TtlMillis());
    }
    try {
      RedisL2.Outcome fill = l2.fill(start.epoch, initialEpoch(), keysOf(toFill), encoded, ttls);
      redisRecovered();
      if (!fill.epochMatched()) {
        adoptEpoch(fill.epoch(), "l2_fill");
        return; // entries carry the old epoch: they answer their callers and are never served
      }
      for (int i = 0; i < toFill.size(); i++) {
        if (fill.decisions().get(i) == 0) {
          // Redis holds a newer value or tombstone: the fill race. Do not install the old value.
          metrics.fillRacesPrevented.increment();
          L1Entry<V> candidate = candidates.get(i);
          done.put(toFill.get(i),
              refused(candidate.version + 1, versioned(candidate), candidate.stamp));
        }
      }
    } catch (RedisException e) {
      redisFailed("fill", e);
      for (int i = 0; i < toFill.size(); i++) {
        L1Entry<V> c = candidates.get(i);
        done.put(toFill.get(i), entry(c.kind, c.version, c.stamp, c.value, true));
      }
    }
  }

  /**
   * A tombstone at {@code floor} that answers the callers of the load that started under
   * {@code start} with {@code answer}; callers who joined after a later flush read again
   * ({@link #predates}).
   */
  private L1Entry<V> refused(long floor, @Nullable Versioned<V> answer, L1Entry.Stamp start) {
    return new L1Entry<>(L1Entry.Kind.TOMBSTONE, floor, start, null,
        deadline(options.tombstoneTtl().toNanos()), answer);
  }

  private L1Entry<V> entry(L1Entry.Kind kind, long version, L1Entry.Stamp start,
      @Nullable V value, boolean degraded) {
    long ttl;
    if (kind == L1Entry.Kind.ABSENT) {
      ttl = options.negativeCaching()
          ? jitter.nanos(options.negativeTtl(), options.ttlJitter(), options.l1MaxTtl())
          : 0;
    } else {
      ttl = jitter.nanos(options.l1Ttl(), options.ttlJitter(), options.l1MaxTtl());
    }
    if (degraded) {
      ttl = Math.min(ttl, options.degradedL1Ttl().toNanos());
    }
    return new L1Entry<>(kind, version, start, value, deadline(ttl), null);
  }

  /**
   * Now plus {@code ttlNanos} on the L1 clock, saturating; a ttl of 0 is already past (the L1 clock
   * never goes back, so such an entry is never served).
   */
  private long deadline(long ttlNanos) {
    long now = l1Clock.read();
    long deadline = now + ttlNanos;
    return deadline < now ? Long.MAX_VALUE : deadline;
  }

  private L1Entry<V> tombstone(long version) {
    return refused(version, null, stamp);
  }

  private long l2TtlMillis() {
    return Math.max(1, TimeUnit.NANOSECONDS.toMillis(
        jitter.nanos(options.l2Ttl(), options.ttlJitter(), options.l2Ttl().multipliedBy(2))));
  }

  // ------------------------------------------------------------------------------------ writes

  @Override
  public void put(K key, V value, long version) {
    checkOpen();
    Objects.requireNonNull(value, "value");
    checkVersion(version);
    String k = encodeKey(key);
    metrics.puts.increment();
    byte[] payload = RedisL2.encode(L1Entry.Kind.VALUE, version, codec.encode(value));
    // While an epoch bump is pending, floors may have been dropped with the pending keys: keep
    // what this put installs short-lived, as when Redis is down.
    L1Entry<V> fresh = entry(L1Entry.Kind.VALUE, version, stamp, value,
        redisDown || subscriberDown || pending.epochBumpPending());
    map.compute(k, (ignored, current) -> {
      long owed = pending.floor(k); // under the key's lock, as loads install (see applyChanges)
      if (version < owed) {
        // A newer version is known (read from the change log, or written here) and L2 has not
        // received it yet: keep that floor instead of this older value.
        return current != null && current.version >= owed ? current : tombstone(owed);
      }
      // A load in flight counts with its floor: a put below what this instance was told about
      // must not replace it.
      if (current != null && (current.version > version
          || (current.version == version && current.kind == L1Entry.Kind.VALUE
              && servable(current)))) {
        return current;
      }
      return fresh;
    });
    if (closed) { // closed while this put ran: take back what it installed
      map.remove(k, fresh);
      throw closedException();
    }
    if (options.l2Enabled()) {
      List<Integer> decisions =
          publish(List.of(new Hint.KeyVersion(k, version)), List.of(payload));
      if (decisions != null && decisions.get(0) == 0) {
        // Redis holds a newer version (a write whose hint this instance never saw, or one it saw
        // before it held the key): keep a floor above this put instead of its value.
        metrics.fillRacesPrevented.increment();
        map.replace(k, fresh, tombstone(version + 1));
      }
    } else {
      publish(List.of(new Hint.KeyVersion(k, version)), null);
    }
  }

  @Override
  public void invalidate(K key, long version) {
    invalidateAll(Map.of(key, version));
  }

  @Override
  public void invalidateAll(Map<? extends K, Long> keyVersions) {
    checkOpen();
    List<Hint.KeyVersion> batch = new ArrayList<>(keyVersions.size());
    for (Map.Entry<? extends K, Long> e : keyVersions.entrySet()) {
      long version = Objects.requireNonNull(e.getValue(), "version");
      checkVersion(version);
      batch.add(new Hint.KeyVersion(encodeKey(e.getKey()), version));
    }
    // A floor first, until Redis has the tombstones: a load of a key L1 does not hold may read L2
    // before they land, and its install then meets the floor (or, had it installed before this
    // line, the L1 tombstone below). A chunk Redis does not take is remembered by publish().
    batch.forEach(kv -> pending.hold(kv.key(), kv.version()));
    try {
      for (Hint.KeyVersion kv : batch) {
        applyInvalidation(kv.key(), kv.version());
      }
      publish(batch, options.l2Enabled() ? tombstones(batch) : null);
    } finally {
      batch.forEach(kv -> pending.release(kv.key(), kv.version()));
    }
  }

  /**
   * Writes entries (or, with L2 off, only the sequence) and publishes hints, in chunks of
   * maxKeysPerHint. On a Redis failure the keys are remembered for replay. Returns Redis's
   * per-entry decisions ({@code decide()} in protocol.md: 0 refused, 1 stored, 2 equal), or null
   * when a chunk failed.
   */
  private @Nullable List<Integer> publish(List<Hint.KeyVersion> keys,
      @Nullable List<byte[]> entries) {
    List<Integer> decisions = new ArrayList<>(keys.size());
    boolean failed = false;
    for (int[] range : chunks(keys)) {
      List<Hint.KeyVersion> part = keys.subList(range[0], range[1]);
      try {
        decisions.addAll(
            writeChunk(part, entries == null ? List.of() : entries.subList(range[0], range[1])));
        redisRecovered();
      } catch (RedisException e) {
        redisFailed("write", e);
        remember(part);
        failed = true;
      }
    }
    return failed ? null : decisions;
  }

  /**
   * Splits keys into [from, to) ranges of at most maxKeysPerHint keys whose hint stays well below
   * the receivers' payload limit (a key may cost up to 6 characters a character when escaped).
   */
  private List<int[]> chunks(List<Hint.KeyVersion> keys) {
    List<int[]> ranges = new ArrayList<>();
    int budget = HintCodec.MAX_PAYLOAD_CHARS / 2;
    int from = 0;
    int size = 0;
    for (int i = 0; i < keys.size(); i++) {
      int cost = 40 + 6 * keys.get(i).key().length();
      if (i > from && (i - from >= options.maxKeysPerHint() || size + cost > budget)) {
        ranges.add(new int[] {from, i});
        from = i;
        size = 0;
      }
      size += cost;
    }
    if (from < keys.size()) {
      ranges.add(new int[] {from, keys.size()});
    }
    return ranges;
  }

  private static List<byte[]> tombstones(List<Hint.KeyVersion> keys) {
    List<byte[]> out = new ArrayList<>(keys.size());
    for (Hint.KeyVersion kv : keys) {
      out.add(RedisL2.encode(L1Entry.Kind.TOMBSTONE, kv.version(), null));
    }
    return out;
  }

  private List<Integer> writeChunk(List<Hint.KeyVersion> part, List<byte[]> entries) {
    List<String> keys = new ArrayList<>(entries.size());
    List<Long> ttls = new ArrayList<>(entries.size());
    for (int i = 0; i < entries.size(); i++) {
      keys.add(part.get(i).key());
      ttls.add(l2TtlMillis());
    }
    HintCodec.Template template =
        hints.keys(name, ctx.tenant(), ctx.instanceId(), ctx.clock().millis(), part);
    for (int attempt = 0; ; attempt++) {
      RedisL2.Outcome outcome =
          l2.write(stamp.epoch, initialEpoch(), template, keys, entries, ttls);
      if (outcome.epochMatched()) {
        metrics.hintsPublished.increment();
        return outcome.decisions();
      }
      adoptEpoch(outcome.epoch(), "write");
      if (attempt > 0) {
        throw new RedisException("epoch of namespace " + name + " keeps changing");
      }
    }
  }

  private void remember(List<Hint.KeyVersion> part) {
    for (Hint.KeyVersion kv : part) {
      pending.write(kv.key(), kv.version());
    }
  }

  @Override
  public void invalidateAll() {
    checkOpen();
    nextGeneration(); // this instance at once, whatever Redis does
    try {
      RedisL2.Outcome bumped =
          l2.bumpEpoch(initialEpoch(), hints.epoch(name, ctx.tenant(), ctx.instanceId(),
              ctx.clock().millis()));
      metrics.epochBumps.increment();
      metrics.hintsPublished.increment();
      adoptEpoch(bumped.epoch(), "invalidate_all");
      redisRecovered();
    } catch (RedisException e) {
      redisFailed("epoch", e);
      pending.requestEpochBump();
    }
    clearL1Later();
  }

  @Override
  public void flushLocal() {
    nextGeneration();
    metrics.localFlushes.increment();
    clearL1Later();
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
        metrics.evictions.increment(); // an expired value or not-found; tombstones are not counted
      }
    }
  }

  private void clearL1Later() {
    // Entries of an older generation are never served; removing them only frees memory.
    long current = stamp.generation;
    ctx.maintenance().execute(() -> map.values().removeIf(e ->
        e.answers && e.stamp.generation < current));
  }

  @Override
  public long localSize() {
    return l1.estimatedSize();
  }

  @Override
  public NamespaceStatus status() {
    return new NamespaceStatus(stamp.epoch, lastSequence.get(), reconcileRequested.get(),
        redisDown || subscriberDown);
  }

  /**
   * Tombstones {@code k} below {@code version} in L1 if L1 holds or is loading anything older. A
   * load in flight whose floor is already at or above {@code version} is left to finish: it
   * installs nothing below its floor.
   */
  private void applyInvalidation(String k, long version) {
    // An entry whose floor only a hint vouches for (a tombstone, or a load in flight that may yet
    // take an answer below it) gives way even at or above this version: a floor nobody confirmed
    // must not hide one that is confirmed. A genuine higher floor is in L2 for the next load.
    map.computeIfPresent(k, (ignored, current) ->
        current.version >= version && !current.hinted ? current : tombstone(version));
  }

  /** As {@link #applyInvalidation}, for a key and version that only a Pub/Sub hint vouches for. */
  private void applyHint(String k, long version) {
    map.computeIfPresent(k, (ignored, current) -> current.version >= version ? current
        : L1Entry.hintTombstone(version, stamp, deadline(options.tombstoneTtl().toNanos())));
  }

  // ----------------------------------------------------------------------------------- hints

  /** Called on the Pub/Sub event loop: parse, validate, buffer. Never blocks, never throws. */
  public void onMessage(String payload) {
    try {
      metrics.hintsReceived.increment();
      Hint hint;
      try {
        hint = hints.parse(payload);
      } catch (MalformedHintException e) {
        if (e.reason.equals("unknown_version") || e.reason.equals("unknown_type")) {
          metrics.ignored(e.reason);
        } else if (e.reason.equals("unsigned") || e.reason.equals("bad_signature")) {
          metrics.rejected(e.reason); // hint authentication is on: dropped before anything else
        } else {
          metrics.malformed(e.reason);
        }
        log.debug("namespace {}: dropped hint: {}", name, e.getMessage());
        return;
      }
      if (!hint.namespace().equals(name)) {
        metrics.malformed("wrong_namespace");
        return;
      }
      if (!hint.tenant().equals(ctx.tenant())) {
        metrics.ignored("wrong_tenant");
        return;
      }
      if (!ctx.hintFilter().test(hint)) {
        return; // fault injection: as if this message was lost
      }
      trackSequence(hint.sequence());
      if (hint.epoch() != stamp.epoch) {
        onForeignEpoch(hint.epoch());
      }
      if (hint.type() == Hint.Type.EPOCH) {
        return;
      }
      if (hint.origin().equals(ctx.instanceId())) {
        metrics.ignored("own");
        return; // applied locally before it was published
      }
      List<Hint.KeyVersion> keys = hint.keys();
      for (int i = 0; i < keys.size(); i++) {
        HintBuffer.Offer offer = buffer.offer(keys.get(i).key(), keys.get(i).version());
        if (offer == HintBuffer.Offer.COALESCED) {
          metrics.hintsCoalesced.increment();
        } else if (offer == HintBuffer.Offer.FULL) {
          overflow(keys.size() - i); // the keys before i are in the buffer, dropped with it
          return;
        }
      }
      scheduleDrain();
    } catch (RuntimeException e) {
      metrics.malformed("internal_error");
      log.warn("namespace {}: hint handling failed; requesting a reconcile", name, e);
      requestReconcile("hint_error");
    }
  }

  private void trackSequence(long sequence) {
    long previous = lastSequence.getAndAccumulate(sequence, Math::max);
    if (previous >= 0 && sequence > previous + 1) {
      metrics.sequenceGaps.increment();
      requestReconcile("gap");
    } else if (sequence <= previous) {
      metrics.hintsReordered.increment();
    }
  }

  /**
   * A hint from a newer epoch. The writer's script bumped the epoch in Redis before it published,
   * so Redis is asked and its answer adopted: a forged epoch costs one state read, never a flush.
   * At most {@code epochHintsPerSecond} checks start at once; beyond that the highest hinted epoch
   * waits for the next {@link #maintain} (one check per maintenance interval in a flood).
   */
  private void onForeignEpoch(long hinted) {
    if (hinted <= stamp.epoch) {
      return; // an old epoch: a delayed message, nothing to do
    }
    hintedEpoch.accumulateAndGet(hinted, Math::max);
    if (!epochLimiter.tryAcquire()) {
      metrics.ignored("epoch_rate_limited");
      return;
    }
    if (epochCheckQueued.compareAndSet(false, true)) {
      ctx.maintenance().execute(() -> {
        epochCheckQueued.set(false);
        checkHintedEpoch();
      });
    }
  }

  /** Reads the epoch from Redis for the hinted epochs not yet checked (maintenance thread). */
  private void checkHintedEpoch() {
    long hinted = hintedEpoch.getAndSet(Long.MIN_VALUE);
    if (hinted == Long.MIN_VALUE) {
      return;
    }
    try {
      long actual = l2.state(initialEpoch()).epoch();
      redisRecovered();
      if (actual < hinted) {
        metrics.hintsUnconfirmed("epoch");
      }
      adoptEpoch(actual, "hint");
    } catch (RedisException e) {
      // Unverifiable now; it may be a real invalidateAll(): check again at the next maintenance
      // run, and reconcile meanwhile (a flush without a change log).
      hintedEpoch.accumulateAndGet(hinted, Math::max);
      redisFailed("epoch_check", e);
      if (hinted > unverifiedEpochReconciled) {
        unverifiedEpochReconciled = hinted;
        requestReconcile("epoch_unverified");
      }
    }
  }

  private void overflow(int incoming) {
    int dropped = buffer.clear() + incoming;
    metrics.hintsDropped.increment(dropped);
    log.warn("namespace {}: hint buffer full ({} keys), dropping {} pending invalidations and"
        + " flushing L1", name, options.hintBufferCapacity(), dropped);
    flushLocal();
    requestReconcile("overflow");
  }

  private void scheduleDrain() {
    if (drainScheduled.compareAndSet(false, true)) {
      ctx.maintenance().execute(this::drain);
    }
  }

  private void drain() {
    drainScheduled.set(false);
    int applied = buffer.drain(this::applyHint);
    metrics.hintsApplied.increment(applied);
    if (!buffer.isEmpty()) {
      scheduleDrain();
    }
  }

  // ------------------------------------------------------------------- reconcile and recovery

  /** Marks the namespace for reconciliation and runs the reconciler soon on the maintenance executor. */
  public void requestReconcile(String reason) {
    metrics.reconcileRequested(reason);
    reconcileRequested.set(true);
    scheduleReconcile(reason);
  }

  private void scheduleReconcile(String reason) {
    if (reconcileQueued.compareAndSet(false, true)) {
      ctx.reconcile().execute(() -> {
        reconcileQueued.set(false);
        reconcileNow(reason);
      });
    }
  }

  /**
   * Runs the reconciler if a reconcile was requested; on failure it stays requested and the
   * maintenance task retries it. Runs on the reconcile executor only (one at a time).
   */
  void reconcileNow(String reason) {
    if (!reconcileRequested.getAndSet(false)) {
      return;
    }
    try {
      reconciler.reconcile(this, reason);
    } catch (RuntimeException e) {
      reconcileRequested.set(true);
      log.debug("namespace {}: reconcile ({}) failed, will retry: {}", name, reason, e.toString());
    }
  }

  /** The default reconcile without a change log: flush L1, then take epoch and sequence from Redis. */
  public static void flushAndResync(NamespaceCache<?, ?> namespace, String reason) {
    namespace.metrics.reconcileFlushes.increment();
    namespace.flushLocal();
    namespace.resync();
  }

  /**
   * Applies changes read from the change log: tombstones in L1 at once (a no-op for keys L1 does
   * not hold or already holds at that version or newer), and for L2 each change is kept in
   * {@link #pending} until the maintenance thread has written its tombstone (never published).
   * Never calls Redis, so a stalled Redis cannot delay the poll; meanwhile the pending version
   * floors every load of the key on this instance, so an older L2 entry is never taken.
   */
  public void applyChanges(List<Hint.KeyVersion> changes) {
    for (Hint.KeyVersion change : changes) {
      // Pending first: a load that installs after this line sees the floor (install checks it
      // under the key's lock); one that installed before is tombstoned by the next line.
      if (options.l2Enabled()) {
        pending.change(change.key(), change.version());
      }
      applyInvalidation(change.key(), change.version());
    }
    metrics.reconcileApplied.increment(changes.size());
    if (!changes.isEmpty()) {
      scheduleSync(); // page by page, so a long poll does not pile up pending keys
    }
  }

  /**
   * The reconciler has applied every change-log row of transactions below {@code through} (a
   * transaction id): once L2 has them too, that is this namespace's new synchronisation point.
   */
  public void changeLogPolled(long through) {
    if (through > polledThrough) {
      polledThrough = through;
    }
    scheduleSync();
  }

  /**
   * This instance cannot replay part of the change log (it fell behind the log's retention, or
   * its catch-up found the rows pruned): nothing it caches is served, and the namespace's epoch is
   * bumped in Redis, which makes every L2 entry written before unreachable on every instance.
   */
  public void changeLogLost() {
    flushLocal();
    if (options.l2Enabled()) {
      pending.requestEpochBump();
      scheduleSync();
    }
  }

  /**
   * Until {@link #caughtUp()}: the change log may hold rows that L2 never received (no instance
   * could write them, e.g. Redis stalled and the instances that read them are gone), so loads do
   * not read L2. Called before the namespace is handed out.
   */
  public void catchingUp() {
    l2CaughtUp = false;
  }

  /** The change-log rows L2 may lack were read (they are in {@link #pending}): L2 is usable. */
  public void caughtUp() {
    l2CaughtUp = true;
    scheduleSync();
  }

  public boolean isCaughtUp() {
    return l2CaughtUp;
  }

  /** Whether replaying the change log into {@link #pending} can stop: an epoch bump covers all. */
  public boolean replayCoveredByEpochBump() {
    return pending.epochBumpPending();
  }

  private void scheduleSync() {
    // With L2 off only this instance's own writes and epoch bumps can be owed (they publish).
    if ((options.l2Enabled() || !pending.isEmpty()) && syncQueued.compareAndSet(false, true)) {
      ctx.maintenance().execute(() -> {
        syncQueued.set(false);
        syncL2();
      });
    }
  }

  /**
   * The Redis-side check of one reconcile tick: adopts Redis's epoch, and requests a reconcile if
   * Redis's sequence had moved past what this instance received by the previous check (a hint was
   * lost and no later hint revealed the gap).
   */
  public void checkRedisState() {
    RedisL2.Outcome state = l2.state(initialEpoch());
    adoptEpoch(state.epoch(), "check");
    long previous = sequenceAtLastCheck;
    sequenceAtLastCheck = state.sequence();
    redisRecovered();
    if (previous >= 0 && lastSequence.get() < previous) {
      metrics.sequenceGaps.increment();
      requestReconcile("sequence_behind");
    }
  }

  /**
   * Checks up to {@code sampleSize} random L1 values against L2: an L2 version newer than the L1
   * entry's means this instance missed an invalidation. Counts it as {@code coherent.stale.detected}
   * and drops the entry. Returns how many were stale.
   */
  public int validateSample(int sampleSize) {
    if (sampleSize <= 0 || !options.l2Enabled()) {
      return 0;
    }
    List<String> sample = new ArrayList<>(sampleSize);
    List<L1Entry<V>> entries = new ArrayList<>(sampleSize);
    int seen = 0;
    for (Map.Entry<String, L1Entry<V>> e : map.entrySet()) {
      L1Entry<V> entry = e.getValue();
      if (!servable(entry)) {
        continue;
      }
      seen++;
      if (sample.size() < sampleSize) {
        sample.add(e.getKey());
        entries.add(entry);
      } else {
        int slot = (int) (ctx.random().getAsDouble() * seen);
        if (slot < sampleSize) {
          sample.set(slot, e.getKey());
          entries.set(slot, entry);
        }
      }
      if (seen >= 64 * sampleSize) {
        break; // bounded work per tick
      }
    }
    if (sample.isEmpty()) {
      return 0;
    }
    long at = stamp.epoch;
    List<byte @Nullable []> stored = new ArrayList<>(sample.size());
    RedisL2.Outcome read = l2.read(at, initialEpoch(), sample, stored);
    if (!read.epochMatched()) {
      adoptEpoch(read.epoch(), "validate");
      return 0;
    }
    int stale = 0;
    for (int i = 0; i < sample.size(); i++) {
      RedisL2.Stored s = RedisL2.decode(stored.get(i));
      if (s != null && s.version() > entries.get(i).version) {
        stale++;
        metrics.staleDetected.increment();
        applyInvalidation(sample.get(i), s.version());
      }
    }
    return stale;
  }

  /** The subscriber answered again after a liveness failure: reconcile what may have been missed. */
  public void subscriberAlive() {
    if (subscriberDown) {
      subscriberDown = false;
      requestReconcile("liveness_recovered");
    }
  }

  /** Reads epoch and sequence from Redis and adopts both (Redis is the authority). */
  public void resync() {
    RedisL2.Outcome state = l2.state(initialEpoch());
    adoptEpoch(state.epoch(), "resync");
    lastSequence.set(state.sequence());
    redisRecovered();
  }

  /** Periodic work: bring L2 up to date; retry a failed reconcile; sweep L1. */
  public void maintain() {
    long now = ctx.ticker().read();
    if (now - lastSweepNanos >= SWEEP_PERIOD_NANOS) {
      lastSweepNanos = now;
      sweepExpired(l1Clock.read());
    }
    if (hintedEpoch.get() != Long.MIN_VALUE) {
      checkHintedEpoch();
    }
    // Own writes and epoch bumps are retried with L2 off too (they publish hints); only the
    // synchronisation point is an L2 matter.
    if (!pending.isEmpty()
        || (options.l2Enabled() && l2CaughtUp && polledThrough > syncedRecorded)) {
      syncL2();
    }
    if (reconcileRequested.get()) {
      scheduleReconcile("retry");
    }
  }

  /**
   * Writes to L2 what {@link #pending} holds: first a pending epoch bump (it covers every key
   * pending when it is taken), then this instance's own writes through {@code write.lua} (each
   * publishes its hint, late), then the change-log tombstones through {@code fill.lua}. When all
   * of it landed, records {@link #polledThrough} as the namespace's synchronisation point in Redis:
   * a new instance replays the change log from there, so that a change no running instance could
   * write to L2 is never lost. On a Redis failure everything not yet written stays pending. Runs
   * on the maintenance thread only.
   */
  private void syncL2() {
    // Read first, together: every change below `through` is pending or written, and (when the
    // namespace was caught up by then) so is every row its catch-up replayed.
    long through = polledThrough;
    boolean caughtUp = l2CaughtUp;
    try {
      if (pending.epochBumpPending()) {
        long requests = pending.bumpRequests();
        PendingL2.Snapshot covered = pending.snapshot();
        RedisL2.Outcome bumped = l2.bumpEpoch(initialEpoch(),
            hints.epoch(name, ctx.tenant(), ctx.instanceId(), ctx.clock().millis()));
        metrics.epochBumps.increment();
        metrics.hintsPublished.increment();
        adoptEpoch(bumped.epoch(), "replay");
        pending.epochBumped(requests, covered);
      }
      PendingL2.Snapshot owed = pending.snapshot();
      List<Hint.KeyVersion> writes = keyVersions(owed.writes());
      for (int[] range : chunks(writes)) {
        List<Hint.KeyVersion> part = writes.subList(range[0], range[1]);
        writeChunk(part, options.l2Enabled() ? tombstones(part) : List.of());
        part.forEach(kv -> pending.wrote(kv.key(), kv.version()));
      }
      List<Hint.KeyVersion> changes = keyVersions(owed.changes());
      for (int[] range : chunks(changes)) {
        List<Hint.KeyVersion> part = changes.subList(range[0], range[1]);
        fillTombstones(part);
        part.forEach(kv -> pending.changed(kv.key(), kv.version()));
      }
      redisRecovered();
      if (options.l2Enabled() && caughtUp && through > syncedRecorded
          && !pending.epochBumpPending()) {
        long before = l2.advanceSynced(through, syncedRecorded);
        if (before < 0 && syncedRecorded >= 0) {
          // The point is gone while entries may not be (a restore from before it existed, an
          // eviction): from where to replay is unknown, so make every older entry unreachable.
          log.warn("namespace {}: Redis's L2 synchronisation point is gone (it was {});"
              + " bumping the namespace's epoch", name, syncedRecorded);
          metrics.l2Regressions.increment();
          syncedRecorded = -1;
          changeLogLost();
        } else if (before >= 0 && before < syncedRecorded) {
          // Redis came back from an older state (a restore from disk, a failover to a replica
          // that had not received everything): tombstones written since then may be gone too.
          // The script left the point where Redis had it, so new instances replay from there
          // as well; this one does now, and raises it when that is written.
          log.warn("namespace {}: Redis's L2 synchronisation point went back from {} to {};"
              + " replaying the change log from there", name, syncedRecorded, before);
          metrics.l2Regressions.increment();
          syncedRecorded = before;
          reconciler.replayFrom(this, before);
        } else {
          syncedRecorded = through;
        }
      }
    } catch (RedisException e) {
      redisFailed("replay", e); // everything not yet written stays pending for the next try
    }
  }

  /** Writes tombstones without a hint, under the current epoch (once more if it just moved). */
  private void fillTombstones(List<Hint.KeyVersion> part) {
    List<String> keys = new ArrayList<>(part.size());
    List<Long> ttls = new ArrayList<>(part.size());
    for (Hint.KeyVersion kv : part) {
      keys.add(kv.key());
      ttls.add(l2TtlMillis());
    }
    List<byte[]> tombstones = tombstones(part);
    for (int attempt = 0; ; attempt++) {
      RedisL2.Outcome outcome = l2.fill(stamp.epoch, initialEpoch(), keys, tombstones, ttls);
      if (outcome.epochMatched()) {
        return;
      }
      // A new epoch may already hold a fill older than these changes: write them there too.
      adoptEpoch(outcome.epoch(), "reconcile");
      if (attempt > 0) {
        throw new RedisException("epoch of namespace " + name + " keeps changing");
      }
    }
  }

  private static List<Hint.KeyVersion> keyVersions(Map<String, Long> owed) {
    List<Hint.KeyVersion> out = new ArrayList<>(owed.size());
    owed.forEach((k, v) -> out.add(new Hint.KeyVersion(k, v)));
    return out;
  }

  /**
   * The runtime is closing: nothing cached is served any more (a flush), later misses and writes
   * fail with {@link IllegalStateException}, and callers waiting on a load that has not finished
   * get that exception instead of waiting for a loader thread that may never run it.
   */
  public void close() {
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

  private void checkOpen() {
    if (closed) {
      throw closedException();
    }
  }

  private IllegalStateException closedException() {
    return new ClosedException("namespace " + name + " belongs to a closed runtime");
  }

  /** Thrown to callers as is (a load failure is wrapped in {@link CacheLoadException}). */
  private static final class ClosedException extends IllegalStateException {
    ClosedException(String message) {
      super(message);
    }
  }

  /** The Pub/Sub connection dropped: no hints can arrive until it is back. */
  public void subscriberDown() {
    subscriberDown = true;
  }

  /**
   * The channel is subscribed. The first time, L1 is still empty (the namespace is handed out
   * only after its subscription is confirmed), so only the sequence is resynchronised. After a
   * reconnect anything published meanwhile may be lost, so the namespace reconciles.
   */
  public void subscribed() {
    subscriberDown = false;
    if (subscribedOnce.compareAndSet(false, true)) {
      ctx.maintenance().execute(() -> {
        try {
          lastSequence.accumulateAndGet(l2.state(initialEpoch()).sequence(), Math::max);
        } catch (RedisException e) {
          // Nothing to flush (L1 was empty when the subscription was confirmed); the baseline
          // read in start() stays, and the next reconcile tick's Redis check refreshes it.
          redisFailed("subscribe", e);
        }
      });
    } else {
      requestReconcile("resubscribed");
    }
  }

  private void adoptEpoch(long newEpoch, String why) {
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
  private void nextGeneration() {
    synchronized (this) {
      L1Entry.Stamp current = stamp;
      stamp = current.nextGeneration();
    }
  }

  private void redisFailed(String operation, RedisException e) {
    metrics.redisErrors.increment();
    if (!redisDown) {
      redisDown = true;
      log.warn("namespace {}: Redis {} failed ({}); serving from the source with L1 TTL clamped"
          + " to {}", name, operation, e.getMessage(), options.degradedL1Ttl());
    }
  }

  private void redisRecovered() {
    if (redisDown) {
      redisDown = false;
      log.info("namespace {}: Redis answers again", name);
      scheduleSync();
      requestReconcile("redis_recovered");
    }
  }

  // ----------------------------------------------------------------------------------- helpers

  private long initialEpoch() {
    return ctx.clock().millis();
  }

  /** The encoded key, checked: what every path that stores or sends a key uses. */
  private String encodeKey(K key) {
    String k = lookupKey(key);
    checkKey(key, k);
    return k;
  }

  /**
   * The encoded key for an L1 lookup, checked only for null. Its length is checked on a miss
   * ({@link #checkKey}), not on a hit: reading a string's length reads its character array, a
   * cache miss of its own in a large L1, and no key that fails the check is ever in L1 (only
   * claims and {@code put} add keys, and both check them first).
   */
  private String lookupKey(K key) {
    Objects.requireNonNull(key, "key");
    String k = keyEncoder.apply(key);
    if (k == null) {
      throw invalidKey(key, null);
    }
    return k;
  }

  private void checkKey(K key, String k) {
    if (k.isEmpty() || k.length() > MAX_KEY_LENGTH) {
      throw invalidKey(key, k);
    }
  }

  private IllegalArgumentException invalidKey(K key, @Nullable String k) {
    return new IllegalArgumentException("key " + key + " of namespace " + name
        + " encodes to '" + k + "'; an encoded key must have 1 to " + MAX_KEY_LENGTH
        + " characters");
  }

  private static void checkVersion(long version) {
    if (version < 0) {
      throw new IllegalArgumentException("version must be at least 0 but was " + version);
    }
  }

  private VersionedLoader<? super K, V> requireLoader() {
    if (defaultLoader == null) {
      throw new IllegalStateException("namespace " + name
          + " has no loader; pass one to get(key, loader) or configure it on the namespace");
    }
    return defaultLoader;
  }

  private List<String> keysOf(List<Claim<K, V>> claims) {
    List<String> keys = new ArrayList<>(claims.size());
    for (Claim<K, V> claim : claims) {
      keys.add(claim.k);
    }
    return keys;
  }

  private @Nullable Versioned<V> answer(L1Entry<V> entry) {
    if (entry.answer != null) {
      return entry.answer.value() == null ? null : entry.answer;
    }
    return versioned(entry);
  }

  private @Nullable Versioned<V> versioned(L1Entry<V> entry) {
    return entry.value == null ? null : new Versioned<>(entry.value, entry.version);
  }

  private static <V> @Nullable V valueOf(@Nullable Versioned<V> v) {
    return v == null ? null : v.value();
  }

  private L1Entry<V> join(String k, CompletableFuture<L1Entry<V>> future) {
    try {
      return future.join();
    } catch (CompletionException e) {
      throw loadFailure(k, e.getCause() == null ? e : e.getCause());
    }
  }

  private RuntimeException loadFailure(String k, Throwable error) {
    Throwable cause = error instanceof CompletionException && error.getCause() != null
        ? error.getCause() : error;
    if (cause instanceof CacheLoadException cle) {
      return cle;
    }
    if (cause instanceof ClosedException closing) {
      return closing;
    }
    return new CacheLoadException(
        "loading key '" + k + "' of namespace " + name + " failed: " + cause, cause);
  }
}
