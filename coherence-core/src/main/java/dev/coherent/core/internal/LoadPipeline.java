package dev.coherent.core.internal;

import dev.coherent.core.CacheLoadException;
import dev.coherent.core.Codec;
import dev.coherent.core.NamespaceOptions;
import dev.coherent.core.Versioned;
import dev.coherent.core.VersionedLoader;
import dev.coherent.core.internal.redis.L2Entry;
import dev.coherent.core.internal.redis.L2Store;
import io.lettuce.core.RedisException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read path of one namespace below L1: claimed keys go to L2 in one script call, then (for
 * one key, with the lease on) wait for another instance's load, then to the source in one {@code
 * loadAll}, then into L2 in one fill script, and each claim's {@link Claim#result} is installed in
 * L1 before any caller is answered. A fill carries the version it read and Redis refuses it below
 * a tombstone (the L2 half of the fill race); {@link L1Store#install} is the L1 half.
 *
 * <p>Thread-safety: stateless apart from its immutable collaborators; each batch runs on one
 * thread (a loader thread, or the caller's for {@code getAll}, {@code getIfPresent} and {@code
 * fill}), which alone touches its claims until their futures complete.
 */
final class LoadPipeline<K, V> {
  private static final Logger log = LoggerFactory.getLogger(LoadPipeline.class);
  /** A read retries this often when the load it joined predates a flush it saw; then it takes it. */
  private static final int MAX_STALE_JOIN_RETRIES = 3;

  private final String name;
  private final NamespaceOptions options;
  private final Codec<V> codec;
  private final RuntimeContext ctx;
  private final L2Store l2;
  private final L1Store<V> l1;
  private final PendingL2 pending;
  private final L2Health health;
  private final Lifetimes lifetimes;
  private final NamespaceMetrics metrics;

  LoadPipeline(String name, NamespaceOptions options, Codec<V> codec, RuntimeContext ctx,
      L2Store l2, L1Store<V> l1, PendingL2 pending, L2Health health, Lifetimes lifetimes,
      NamespaceMetrics metrics) {
    this.name = name;
    this.options = options;
    this.codec = codec;
    this.ctx = ctx;
    this.l2 = l2;
    this.l1 = l1;
    this.pending = pending;
    this.health = health;
    this.lifetimes = lifetimes;
    this.metrics = metrics;
  }

  /**
   * A read of {@code k} that started under {@code call}: claims and loads it, and reads again
   * (a few times at most, then takes it) when the load it joined predates a flush it saw.
   */
  CompletableFuture<L1Entry<V>> read(String k, K key, VersionedLoader<? super K, V> loader,
      L1Entry.Stamp call) {
    return read(k, key, loader, call, 0);
  }

  private CompletableFuture<L1Entry<V>> read(String k, K key,
      VersionedLoader<? super K, V> loader, L1Entry.Stamp call, int retry) {
    return claimAndLoad(k, key, loader).thenCompose(entry ->
        retry < MAX_STALE_JOIN_RETRIES && l1.predates(entry, call)
            ? read(k, key, loader, call, retry + 1)
            : CompletableFuture.completedFuture(entry));
  }

  /** Waits for a load; its failure is thrown as {@link #failure}. */
  L1Entry<V> join(String k, CompletableFuture<L1Entry<V>> future) {
    try {
      return future.join();
    } catch (CompletionException e) {
      throw failure(k, e.getCause() == null ? e : e.getCause());
    }
  }

  /**
   * What a caller gets for a failed load: the loader's own {@link CacheLoadException} or the
   * closed runtime's exception as they are, anything else wrapped in a {@code
   * CacheLoadException} naming the key and the namespace.
   */
  RuntimeException failure(String k, Throwable error) {
    Throwable cause = error instanceof CompletionException && error.getCause() != null
        ? error.getCause() : error;
    if (cause instanceof CacheLoadException cle) {
      return cle;
    }
    if (cause instanceof L1Store.ClosedException closing) {
      return closing;
    }
    return new CacheLoadException(
        "loading key '" + k + "' of namespace " + name + " failed: " + cause, cause);
  }

  /** Claims {@code k} and, if this call owns it, loads it on a loader thread. */
  CompletableFuture<L1Entry<V>> claimAndLoad(String k, K key,
      VersionedLoader<? super K, V> loader) {
    Claim<K, V> claim = l1.claim(k, key, false);
    if (claim.owned()) {
      try {
        ctx.loadExecutor().execute(() -> load(List.of(claim), loader));
      } catch (Throwable rejected) { // also an Error, e.g. no native thread for the pool
        l1.fail(claim, rejected);
        if (rejected instanceof Error error) {
          throw error;
        }
      }
    }
    return claim.future;
  }

  /**
   * Loads claimed keys: L2, the lease, the source, the fill, then installs and completes each
   * claim. Never throws: a failure removes the claims' LOADING entries and completes their
   * futures exceptionally.
   */
  void load(List<Claim<K, V>> claims, VersionedLoader<? super K, V> loader) {
    run(claims, loader, true);
  }

  /**
   * A cache-only read on the caller's thread that started under {@code call}: L2 under a probe
   * claim, never the source or the lease. Returns the entry that answers (a value, a cached "not
   * found"), or null. A load it joined that predates a flush the caller saw, or that failed, is
   * not its answer: it probes again (a few times at most), then reports nothing cached.
   */
  @Nullable L1Entry<V> probe(String k, K key, L1Entry.Stamp call) {
    for (int attempt = 0; attempt <= MAX_STALE_JOIN_RETRIES; attempt++) {
      Claim<K, V> claim = l1.claim(k, key, true);
      if (claim.owned()) {
        run(List.of(claim), null, true);
      }
      L1Entry<V> entry;
      try {
        entry = claim.future.join();
      } catch (CompletionException e) {
        if (claim.owned() || e.getCause() instanceof L1Store.ClosedException) {
          throw e;
        }
        continue; // another caller's loader failed: not this read's business
      }
      if (l1.predates(entry, call)) {
        continue;
      }
      if (entry.answers || entry.answer != null) {
        return entry;
      }
      break;
    }
    metrics.probeMisses.increment();
    return null;
  }

  /**
   * Stores {@code value}, just read from the source at {@code value.version()}, in L2 (version-CAS,
   * no hint) and L1, on the caller's thread, unless a load of the key is in flight or L1 already
   * serves it. Returns whether it was stored (not when a floor here or a newer version in L2
   * refused it).
   */
  boolean fill(String k, K key, Versioned<V> value) {
    Claim<K, V> claim = l1.claim(k, key, false);
    if (!claim.owned()) {
      return false;
    }
    // The caller read the source at some moment before this call, perhaps before a hint this
    // instance applied: unlike a load, a fill reads neither L2 nor the source after the floor was
    // set, so a hint's floor cannot be judged forged here. It stands.
    claim.confirm(claim.floor);
    run(List.of(claim), ignored -> value, false);
    if (l1.closed()) {
      throw l1.closedException();
    }
    L1Entry<V> result = claim.result;
    boolean stored = result != null && result.kind == EntryKind.VALUE;
    if (stored) {
      metrics.puts.increment();
    }
    return stored;
  }

  private void run(List<Claim<K, V>> claims, @Nullable VersionedLoader<? super K, V> loader,
      boolean readL2) {
    try {
      L1Entry.Stamp start = l1.stamp();
      // While an invalidateAll() has not reached Redis, L2 still holds the old epoch's entries:
      // read from the source and fill nothing, as when Redis is down.
      boolean bumpPending = pending.epochBumpPending();
      boolean degraded = health.degraded() || bumpPending;
      List<Claim<K, V>> missing = claims;
      String leaseKey = null;
      // Until its change-log catch-up ran, this instance does not know which L2 entries are older
      // than the log: it loads from the source (and may fill, under version-CAS).
      if (readL2 && options.l2Enabled() && !bumpPending && health.isCaughtUp()) {
        try {
          L2Store.ReadReply read = l2.read(start.epoch, initialEpoch(), keysOf(claims));
          if (!read.epochMatched()) {
            l1.adoptEpoch(read.epoch(), "l2_read");
            start = l1.stamp();
            read = l2.read(start.epoch, initialEpoch(), keysOf(claims));
          }
          health.recovered();
          if (read.epochMatched()) {
            missing = new ArrayList<>();
            for (int i = 0; i < claims.size(); i++) {
              Claim<K, V> claim = claims.get(i);
              L1Entry<V> hit = fromL2(read.entries().get(i), claim, start, degraded);
              if (hit != null) {
                metrics.l2Hits.increment();
                claim.result = hit;
              } else {
                metrics.l2Misses.increment();
                missing.add(claim);
              }
            }
          }
          if (loader != null && missing.size() == 1 && claims.size() == 1
              && options.leaseEnabled()) {
            Claim<K, V> claim = missing.get(0);
            L1Entry<V> waited = awaitLease(claim, start, degraded);
            if (waited != null) {
              claim.result = waited;
              missing = List.of();
            } else {
              leaseKey = claim.k;
            }
          }
        } catch (RedisException e) {
          health.failed("read", e);
          degraded = true;
        }
      }
      try {
        if (loader != null && !missing.isEmpty()) {
          loadFromSource(missing, loader, start, degraded, readL2);
        }
      } finally {
        if (leaseKey != null) {
          releaseLease(leaseKey);
        }
      }
      if (l1.closed()) {
        throw l1.closedException(); // the catch below fails every claim
      }
      // Every result is in L1 before any caller is answered: a caller's callback that runs on this
      // thread and reads another key of the batch then finds it, instead of joining a load that
      // only this thread could finish.
      for (Claim<K, V> claim : claims) {
        l1.install(claim);
      }
      for (Claim<K, V> claim : claims) {
        // A probe that found nothing answers its joiners (other probes) "not cached".
        L1Entry<V> result = claim.result;
        claim.future.complete(result != null ? result : l1.refused(claim.floor, null, start));
      }
    } catch (Throwable t) {
      for (Claim<K, V> claim : claims) {
        l1.fail(claim, t);
      }
    }
  }

  private @Nullable L1Entry<V> fromL2(byte @Nullable [] bytes, Claim<K, V> claim,
      L1Entry.Stamp start, boolean degraded) {
    L2Entry stored = L2Entry.decode(bytes);
    if (stored == null) {
      return null;
    }
    if (stored.kind() == EntryKind.TOMBSTONE) {
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
      claim.unconfirmed();
    }
    V value = null;
    if (stored.kind() == EntryKind.VALUE) {
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
    return l1.entry(stored.kind(), stored.version(), start, value, degraded);
  }

  /** Holds or waits for the load lease. Returns what another instance filled, or null to load. */
  private @Nullable L1Entry<V> awaitLease(Claim<K, V> claim, L1Entry.Stamp start,
      boolean degraded) {
    long holdMillis = options.leaseTime().toMillis();
    if (l2.tryLease(claim.k, ctx.instanceId(), holdMillis)) {
      return null;
    }
    metrics.leaseWaits.increment();
    long deadline = ctx.ticker().read() + options.leaseWait().toNanos();
    while (ctx.ticker().read() < deadline) {
      LockSupport.parkNanos(ctx.leasePoll().toNanos());
      L2Store.ReadReply read = l2.read(start.epoch, initialEpoch(), List.of(claim.k));
      if (!read.epochMatched()) {
        return null;
      }
      L1Entry<V> hit = fromL2(read.entries().get(0), claim, start, degraded);
      if (hit != null) {
        metrics.l2Hits.increment();
        return hit;
      }
      if (!l2.leaseHeld(claim.k) && l2.tryLease(claim.k, ctx.instanceId(), holdMillis)) {
        // The holder may have filled and released between our read and our lease: look once more.
        read = l2.read(start.epoch, initialEpoch(), List.of(claim.k));
        hit = read.epochMatched() ? fromL2(read.entries().get(0), claim, start, degraded) : null;
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
      health.failed("lease", e); // it expires by itself
    }
  }

  /**
   * Loads {@code missing} from the source (counted and timed when {@code counted}: a fill brings
   * its own answer), decides each claim's result against its floor, and fills L2 with what it may
   * keep.
   */
  private void loadFromSource(List<Claim<K, V>> missing, VersionedLoader<? super K, V> loader,
      L1Entry.Stamp start, boolean degraded, boolean counted) throws Exception {
    Map<K, Versioned<V>> loaded = read(missing, loader, counted);
    List<Claim<K, V>> toFill = new ArrayList<>();
    List<byte[]> encoded = new ArrayList<>();
    for (Claim<K, V> claim : missing) {
      Versioned<V> v = loaded.getOrDefault(claim.key, Versioned.absent(0));
      if (counted) {
        (v.isPresent() ? metrics.loadFound : metrics.loadNotFound).increment();
      }
      boolean unconfirmed = false;
      if (v.version() < claim.floor && claim.floor > claim.confirmed) {
        // Only a hint said the key had a newer version, and neither L2 nor the source has it: a
        // forged hint (or a real one whose L2 entry is gone while the source lags). The source is
        // the truth; taking its answer bounds what a forged hint costs to this one load. Below
        // what a tier vouches for, the load is refused at that version, not at the hint's.
        metrics.hintsUnconfirmed("key");
        claim.unconfirmed();
        unconfirmed = true;
      }
      if (v.version() < claim.floor) {
        // The source is behind a version this instance was told about (a lagging replica or a
        // forged hint): answer this caller, keep the floor, cache nothing.
        metrics.fillRacesPrevented.increment();
        claim.result = l1.refused(claim.floor, v, start);
        continue;
      }
      EntryKind kind = v.isPresent() ? EntryKind.VALUE : EntryKind.ABSENT;
      // Taken over a hint nobody confirmed: in case the hint was real and the source lags, keep it
      // short-lived here and out of L2 (where every instance would read it).
      claim.result = l1.entry(kind, v.version(), start, v.value(), degraded || unconfirmed);
      if (options.l2Enabled() && !degraded && !unconfirmed
          && (v.isPresent() || options.negativeCaching())) {
        toFill.add(claim);
        encoded.add(L2Entry.encode(kind, v.version(),
            v.isPresent() ? codec.encode(v.value()) : null));
      }
    }
    if (!toFill.isEmpty()) {
      fill(toFill, encoded, start);
    }
  }

  private Map<K, Versioned<V>> read(List<Claim<K, V>> missing,
      VersionedLoader<? super K, V> loader, boolean timed) throws Exception {
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
      if (timed) {
        metrics.loadTimer.record(ctx.ticker().read() - started, TimeUnit.NANOSECONDS);
      }
    }
    return loaded;
  }

  /** One fill script for the claims' results; what Redis refuses becomes a floor above it. */
  private void fill(List<Claim<K, V>> toFill, List<byte[]> encoded, L1Entry.Stamp start) {
    List<Long> ttls = new ArrayList<>(toFill.size());
    for (int i = 0; i < toFill.size(); i++) {
      ttls.add(lifetimes.l2Millis());
    }
    try {
      L2Store.WriteReply fill = l2.fill(start.epoch, initialEpoch(), keysOf(toFill), encoded, ttls);
      health.recovered();
      if (!fill.epochMatched()) {
        l1.adoptEpoch(fill.epoch(), "l2_fill");
        return; // entries carry the old epoch: they answer their callers and are never served
      }
      for (int i = 0; i < toFill.size(); i++) {
        if (fill.decisions().get(i) == L2Store.Decision.REFUSED) {
          // Redis holds a newer value or tombstone: the fill race. Do not install the old value.
          metrics.fillRacesPrevented.increment();
          Claim<K, V> claim = toFill.get(i);
          L1Entry<V> candidate = claim.result;
          claim.result = l1.refused(candidate.version + 1, L1Store.versioned(candidate),
              candidate.stamp);
        }
      }
    } catch (RedisException e) {
      health.failed("fill", e);
      for (Claim<K, V> claim : toFill) {
        L1Entry<V> c = claim.result;
        claim.result = l1.entry(c.kind, c.version, c.stamp, c.value, true);
      }
    }
  }

  private long initialEpoch() {
    return ctx.clock().millis();
  }

  private static List<String> keysOf(List<? extends Claim<?, ?>> claims) {
    List<String> keys = new ArrayList<>(claims.size());
    for (Claim<?, ?> claim : claims) {
      keys.add(claim.k);
    }
    return keys;
  }
}
