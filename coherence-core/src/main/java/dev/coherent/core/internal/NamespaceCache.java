package dev.coherent.core.internal;

import dev.coherent.core.ChangeLogListener;
import dev.coherent.core.Codec;
import dev.coherent.core.Hint;
import dev.coherent.core.NamespaceOptions;
import dev.coherent.core.NearCache;
import dev.coherent.core.Versioned;
import dev.coherent.core.VersionedLoader;
import dev.coherent.core.internal.redis.HintCodec;
import dev.coherent.core.internal.redis.L2Entry;
import dev.coherent.core.internal.redis.L2Store;
import dev.coherent.core.internal.reconcile.Reconcilable;
import dev.coherent.core.internal.reconcile.ReconcileRequests;
import dev.coherent.core.internal.reconcile.Reconciler;
import io.lettuce.core.RedisException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One namespace: the public operations with their argument checks, and the wiring of its parts
 * (docs/architecture.md describes each):
 *
 * <ul>
 *   <li>{@link L1Store}: the Caffeine map, stamps, claims and installs, tombstones, sweeps;
 *   <li>{@link LoadPipeline}: the read path below L1 (L2, the lease, the source, the fill), and
 *       {@link BulkReads} for many keys;
 *   <li>{@link WritePath}: puts, invalidations, epoch bumps and what L2 is owed ({@link PendingL2});
 *   <li>{@link HintReceiver}: Pub/Sub hints, their sequence and the drop policy;
 *   <li>{@link L2Health}: whether Redis, the subscriber and the catch-up allow trusting L2;
 *   <li>{@link ReconcileRequests}: reconciles asked for, run by the runtime's {@link Reconciler}.
 * </ul>
 *
 * <p>Thread-safety: any thread for the {@link NearCache} operations; {@link #onMessage} on the
 * Pub/Sub event loop; {@link #maintain} on the maintenance thread; the {@link Reconcilable}
 * methods as that interface says. This class holds no mutable state of its own but its change-log
 * listeners (a copy-on-write list, told on the reconciler thread): each part is thread-safe and
 * says how.
 */
public final class NamespaceCache<K, V> implements NearCache<K, V>, Reconcilable {
  private static final Logger log = LoggerFactory.getLogger(NamespaceCache.class);
  private final String name;
  private final NamespaceOptions options;
  private final Codec<V> codec;
  private final Keys<K> keys;
  private final @Nullable VersionedLoader<? super K, V> defaultLoader;
  private final RuntimeContext ctx;
  private final L2Store l2;
  private final NamespaceMetrics metrics;
  private final L2Health health;
  private final L1Store<V> l1;
  private final LoadPipeline<K, V> loads;
  private final BulkReads<K, V> bulk;
  private final WritePath<V> writes;
  private final HintReceiver hints;
  private final ReconcileRequests reconciles;
  private final List<ChangeLogListener> changeLogListeners = new CopyOnWriteArrayList<>();
  /** Whether any change-log row was applied yet: a listener added later missed it. */
  private volatile boolean changesApplied;

  NamespaceCache(
      String name,
      NamespaceOptions options,
      Codec<V> codec,
      Function<? super K, String> keyEncoder,
      @Nullable VersionedLoader<? super K, V> defaultLoader,
      RuntimeContext ctx,
      L2Store l2,
      HintCodec hintCodec,
      Reconciler reconciler) {
    this.name = name;
    this.options = options;
    this.codec = codec;
    this.keys = new Keys<>(name, keyEncoder);
    this.defaultLoader = defaultLoader;
    this.ctx = ctx;
    this.l2 = l2;
    this.metrics = new NamespaceMetrics(ctx.meters(), name);
    this.reconciles = new ReconcileRequests(this, reconciler, ctx.reconcile(),
        metrics::reconcileRequested);
    this.health = new L2Health(name, options.degradedL1Ttl(), metrics, this::redisRecovered);
    // Changes come from every writer of the namespace, and in bursts (batch jobs): a roomier bound
    // than for this instance's own writes, so that a healthy Redis never needs the epoch bump.
    PendingL2 pending = new PendingL2(options.hintBufferCapacity(),
        (int) Math.min(Integer.MAX_VALUE, 10L * options.hintBufferCapacity()));
    Lifetimes lifetimes = new Lifetimes(options, new Jitter(ctx.random()));
    this.l1 = new L1Store<>(name, options, lifetimes, metrics, pending, ctx.l1Ticker(),
        ctx.ticker().read());
    this.loads = new LoadPipeline<>(name, options, codec, ctx, l2, l1, pending, health, lifetimes,
        metrics);
    this.bulk = new BulkReads<>(keys, l1, loads, ctx.loadExecutor());
    this.writes = new WritePath<>(name, options, ctx, hintCodec, l2, l1, pending, health,
        lifetimes, metrics, new WritePath.Regressions() {
          @Override
          public void replayFrom(long from) {
            reconciles.replayFrom(from);
          }

          @Override
          public void pointLost() {
            changeLogLost();
          }
        });
    this.hints = new HintReceiver(name, options, ctx, hintCodec, l2, l1, health, metrics,
        reconciles::request, this::flushLocal);
    metrics.gauge("coherent.l1.size", l1, L1Store::size);
    metrics.gauge("coherent.l2.pending", pending, PendingL2::size);
    metrics.bindCacheConventions(l1::size);
  }

  /**
   * Reads the namespace's epoch and sequence from Redis; called once before the cache is used.
   * Returns the namespace's L2 synchronisation point, -1 if it has none.
   */
  long start() {
    L2Store.EpochState state = l2.state(initialEpoch());
    l1.startAt(state.epoch());
    hints.resetSequence(state.sequence());
    long synced = options.l2Enabled() ? l2.synced(-1) : -1;
    writes.started(synced);
    return synced;
  }

  String channel() {
    return l2.channel();
  }

  @Override
  public String name() {
    return name;
  }

  // ------------------------------------------------------------------------------------- reads

  @Override
  public @Nullable V get(K key) {
    return get(key, requireLoader());
  }

  @Override
  public @Nullable V get(K key, VersionedLoader<? super K, V> loader) {
    String k = keys.lookup(key);
    L1Entry<V> hit = l1.hit(k);
    if (hit != null) {
      return hit.value; // the hot path: no allocation
    }
    Versioned<V> loaded = load(k, key, loader);
    return loaded == null ? null : loaded.value();
  }

  @Override
  public @Nullable Versioned<V> getVersioned(K key) {
    return getVersioned(key, requireLoader());
  }

  @Override
  public @Nullable Versioned<V> getVersioned(K key, VersionedLoader<? super K, V> loader) {
    String k = keys.lookup(key);
    L1Entry<V> hit = l1.hit(k);
    return hit != null ? L1Store.versioned(hit) : load(k, key, loader);
  }

  private @Nullable Versioned<V> load(String k, K key, VersionedLoader<? super K, V> loader) {
    keys.check(key, k);
    return L1Store.answer(loads.join(k, loads.read(k, key, loader, l1.stamp())));
  }

  @Override
  public @Nullable V getIfPresent(K key) {
    Versioned<V> cached = getVersionedIfPresent(key);
    return cached == null ? null : cached.value();
  }

  @Override
  public @Nullable Versioned<V> getVersionedIfPresent(K key) {
    String k = keys.lookup(key);
    L1Entry<V> entry = l1.hit(k);
    if (entry == null) {
      keys.check(key, k);
      try {
        entry = loads.probe(k, key, l1.stamp());
      } catch (CompletionException e) {
        throw loads.failure(k, e);
      }
    }
    if (entry == null) {
      return null;
    }
    Versioned<V> answer = entry.answer != null ? entry.answer : L1Store.versioned(entry);
    return answer != null ? answer : Versioned.absent(entry.version);
  }

  @Override
  public CompletableFuture<@Nullable V> getAsync(K key) {
    VersionedLoader<? super K, V> loader = requireLoader();
    String k = keys.lookup(key);
    L1Entry<V> hit = l1.hit(k);
    if (hit != null) {
      return CompletableFuture.completedFuture(hit.value);
    }
    keys.check(key, k);
    return loads.read(k, key, loader, l1.stamp()).handle((entry, error) -> {
      if (error != null) {
        throw loads.failure(k, error);
      }
      Versioned<V> v = L1Store.answer(entry);
      return v == null ? null : v.value();
    });
  }

  @Override
  public Map<K, V> getAll(Collection<? extends K> keys) {
    return bulk.getAll(keys, requireLoader());
  }

  @Override
  public CompletableFuture<Map<K, V>> getAllAsync(Collection<? extends K> keys) {
    return bulk.getAllAsync(keys, requireLoader());
  }

  @Override
  public int preload(Collection<? extends K> keys) {
    return bulk.preload(keys, requireLoader());
  }

  // ------------------------------------------------------------------------------------ writes

  @Override
  public void put(K key, V value, long version) {
    l1.checkOpen();
    Objects.requireNonNull(value, "value");
    Keys.checkVersion(version);
    writes.put(keys.encode(key), value, codec.encode(value), version);
  }

  @Override
  public boolean fill(K key, V value, long version) {
    l1.checkOpen();
    Objects.requireNonNull(value, "value");
    Keys.checkVersion(version);
    return loads.fill(keys.encode(key), key, Versioned.of(value, version));
  }

  @Override
  public void invalidate(K key, long version) {
    invalidateAll(Map.of(key, version));
  }

  @Override
  public void invalidate(K key, long version, java.time.Duration tombstoneLifetime) {
    l1.checkOpen();
    Keys.checkVersion(version);
    if (tombstoneLifetime == null || tombstoneLifetime.isNegative() || tombstoneLifetime.isZero()) {
      throw new IllegalArgumentException("tombstoneLifetime must be positive but was "
          + tombstoneLifetime);
    }
    writes.invalidate(List.of(new Hint.KeyVersion(keys.encode(key), version)),
        Math.max(1, tombstoneLifetime.toMillis()));
  }

  @Override
  public void invalidateAll(Map<? extends K, Long> keyVersions) {
    l1.checkOpen();
    List<Hint.KeyVersion> batch = new ArrayList<>(keyVersions.size());
    for (Map.Entry<? extends K, Long> e : keyVersions.entrySet()) {
      long version = Objects.requireNonNull(e.getValue(), "version");
      Keys.checkVersion(version);
      batch.add(new Hint.KeyVersion(keys.encode(e.getKey()), version));
    }
    writes.invalidate(batch);
  }

  @Override
  public void evict(K key) {
    l1.checkOpen();
    String k = keys.encode(key);
    writes.evict(k, Math.max(1, options.tombstoneTtl().toMillis()));
  }

  @Override
  public void invalidateAll() {
    l1.checkOpen();
    l1.nextGeneration(); // this instance at once, whatever Redis does
    writes.bumpEpoch();
    l1.clearOlderGenerationsLater(ctx.maintenance());
  }

  @Override
  public void flushLocal() {
    l1.nextGeneration();
    metrics.localFlushes.increment();
    l1.clearOlderGenerationsLater(ctx.maintenance());
  }

  @Override
  public long localSize() {
    return l1.size();
  }

  @Override
  public NamespaceStatus status() {
    return new NamespaceStatus(l1.stamp().epoch, hints.lastSequence(), reconciles.requested(),
        health.degraded());
  }

  // ------------------------------------------------------------------ the runtime's callbacks

  /** Called on the Pub/Sub event loop: parse, validate, buffer. Never blocks, never throws. */
  void onMessage(String payload) {
    hints.onMessage(payload);
  }

  /**
   * The channel is subscribed. The first time, L1 is still empty (the namespace is handed out
   * only after its subscription is confirmed), so only the sequence is resynchronised. After a
   * reconnect anything published meanwhile may be lost, so the namespace reconciles.
   */
  void subscribed() {
    health.subscriberUp();
    if (!hints.firstSubscription()) {
      reconciles.request("resubscribed");
      return;
    }
    ctx.maintenance().execute(() -> {
      try {
        hints.raiseSequence(l2.state(initialEpoch()).sequence());
      } catch (RedisException e) {
        // Nothing to flush (L1 was empty when the subscription was confirmed); the baseline read
        // in start() stays, and the next reconcile tick's Redis check refreshes it.
        health.failed("subscribe", e);
      }
    });
  }

  /** Periodic work: bring L2 up to date; check a held-back hinted epoch; retry a reconcile. */
  void maintain() {
    l1.sweepIfDue(ctx.ticker().read());
    hints.maintain();
    if (writes.syncDue()) {
      writes.syncL2();
    }
    reconciles.retryIfRequested();
  }

  /**
   * The runtime is closing: nothing cached is served any more, later misses and writes fail with
   * {@link IllegalStateException}, and callers waiting on a load get that exception.
   */
  void close() {
    l1.close();
  }

  // ------------------------------------------------------------------- for the reconciler

  @Override
  public void requestReconcile(String reason) {
    reconciles.request(reason);
  }

  @Override
  public void flushAndResync() {
    metrics.reconcileFlushes.increment();
    flushLocal();
    resync();
  }

  @Override
  public void applyChanges(List<Hint.KeyVersion> changes) {
    writes.applyChanges(changes);
    metrics.reconcileApplied.increment(changes.size());
    List<Hint.KeyVersion> told = List.copyOf(changes);
    changesApplied = true; // before the listeners are read: see addChangeLogListener
    tellListeners(listener -> listener.changed(told));
  }

  private void tellListeners(java.util.function.Consumer<ChangeLogListener> call) {
    for (ChangeLogListener listener : changeLogListeners) {
      try {
        call.accept(listener);
      } catch (RuntimeException e) {
        log.warn("a change-log listener of namespace {} failed", name, e);
      }
    }
  }

  /**
   * Adds the listener, then, if rows were applied before (at the namespace's catch-up, or a poll
   * under way), tells it once that everything may have changed: either the reconciler saw it in
   * the list, or it set the flag before reading the list, so nothing is missed either way.
   */
  @Override
  public void addChangeLogListener(ChangeLogListener listener) {
    changeLogListeners.add(Objects.requireNonNull(listener, "listener"));
    if (changesApplied) {
      ctx.reconcile().execute(() -> {
        try {
          listener.everythingChanged();
        } catch (RuntimeException e) {
          log.warn("a change-log listener of namespace {} failed", name, e);
        }
      });
    }
  }

  @Override
  public void changeLogPolled(long through) {
    writes.changeLogPolled(through);
  }

  @Override
  public void changeLogLost() {
    changesApplied = true;
    flushLocal();
    writes.requestEpochBump();
    tellListeners(ChangeLogListener::everythingChanged);
  }

  @Override
  public void catchingUp() {
    health.catchingUp();
  }

  @Override
  public void caughtUp() {
    health.caughtUp();
    writes.scheduleSync();
  }

  @Override
  public boolean replayCoveredByEpochBump() {
    return writes.epochBumpPending();
  }

  /**
   * Adopts Redis's epoch, and requests a reconcile if Redis's sequence had moved past what this
   * instance received by the previous check (a hint was lost and no later hint revealed the gap).
   */
  @Override
  public void checkRedisState() {
    // Read before Redis: every hint seen by then was published at or below Redis's sequence,
    // unless Redis lost increments (a failover to a replica that lagged, a restart).
    long seen = hints.lastSequence();
    L2Store.EpochState state = l2.state(initialEpoch());
    l1.adoptEpoch(state.epoch(), "check");
    health.recovered();
    if (state.sequence() < seen) {
      // Going backwards is "hints may be lost", never "caught up": later hints reuse sequences
      // this instance has seen, so their gaps would go unnoticed. Adopt Redis's as the baseline.
      metrics.sequenceRegressions.increment();
      hints.resetSequence(state.sequence());
      hints.sequenceBehind(state.sequence());
      reconciles.request("sequence_regressed");
      return;
    }
    if (hints.sequenceBehind(state.sequence())) {
      metrics.sequenceGaps.increment();
      reconciles.request("sequence_behind");
    }
  }

  /**
   * Checks up to {@code size} random L1 values against L2: an L2 version newer than the L1 entry's
   * means this instance missed an invalidation. Counts it as {@code coherent.stale.detected} and
   * drops the entry.
   */
  @Override
  public int validateSample(int size) {
    if (size <= 0 || !options.l2Enabled()) {
      return 0;
    }
    List<Map.Entry<String, L1Entry<V>>> sample = l1.sample(size, ctx.random());
    if (sample.isEmpty()) {
      return 0;
    }
    List<String> keys = new ArrayList<>(sample.size());
    sample.forEach(e -> keys.add(e.getKey()));
    L2Store.ReadReply read = l2.read(l1.stamp().epoch, initialEpoch(), keys);
    if (!read.epochMatched()) {
      l1.adoptEpoch(read.epoch(), "validate");
      return 0;
    }
    int stale = 0;
    for (int i = 0; i < sample.size(); i++) {
      L2Entry stored = L2Entry.decode(read.entries().get(i));
      if (stored != null && stored.version() > sample.get(i).getValue().version) {
        stale++;
        metrics.staleDetected.increment();
        l1.applyInvalidation(keys.get(i), stored.version());
      }
    }
    return stale;
  }

  @Override
  public void resync() {
    L2Store.EpochState state = l2.state(initialEpoch());
    l1.adoptEpoch(state.epoch(), "resync");
    hints.resetSequence(state.sequence());
    health.recovered();
  }

  @Override
  public void subscriberDown() {
    health.subscriberDown();
  }

  @Override
  public void subscriberAlive() {
    if (health.subscriberUp()) {
      reconciles.request("liveness_recovered");
    }
  }

  // ----------------------------------------------------------------------------------- helpers

  /** Redis answers again: write what it is owed, and reconcile what may have been missed. */
  private void redisRecovered() {
    writes.scheduleSync();
    reconciles.request("redis_recovered");
  }

  private long initialEpoch() {
    return ctx.clock().millis();
  }

  private VersionedLoader<? super K, V> requireLoader() {
    if (defaultLoader == null) {
      throw new IllegalStateException("namespace " + name
          + " has no loader; pass one to get(key, loader) or configure it on the namespace");
    }
    return defaultLoader;
  }
}
