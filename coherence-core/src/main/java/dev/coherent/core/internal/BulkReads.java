package dev.coherent.core.internal;

import dev.coherent.core.Versioned;
import dev.coherent.core.VersionedLoader;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Reads of many keys: L1 hits first, then every miss claimed and loaded in one batch of the
 * {@link LoadPipeline} (one L2 round trip, one {@code loadAll}), on the caller's thread ({@code
 * getAll}, {@code preload}) or a loader thread ({@code getAllAsync}). Every key is checked before
 * any is claimed, so a bad key leaves no claim behind for later readers to wait on.
 *
 * <p>Thread-safety: stateless apart from immutable collaborators; each call's {@link Batch} is
 * confined to it (the futures publish the loads' results).
 */
final class BulkReads<K, V> {
  /** Keys {@link #preload} reads in one batch (one L2 round trip, one {@code loadAll}). */
  static final int PRELOAD_BATCH = 1_000;

  private final Keys<K> keys;
  private final L1Store<V> l1;
  private final LoadPipeline<K, V> loads;
  private final Executor loadExecutor;

  BulkReads(Keys<K> keys, L1Store<V> l1, LoadPipeline<K, V> loads, Executor loadExecutor) {
    this.keys = keys;
    this.l1 = l1;
    this.loads = loads;
    this.loadExecutor = loadExecutor;
  }

  Map<K, V> getAll(Collection<? extends K> requested, VersionedLoader<? super K, V> loader) {
    Batch batch = claimAll(requested);
    if (!batch.owned.isEmpty()) {
      // The caller's thread does the batch: it would only wait for it otherwise.
      loads.load(batch.owned, loader);
    }
    for (Map.Entry<K, Claim<K, V>> e : batch.waiting.entrySet()) {
      Claim<K, V> claim = e.getValue();
      L1Entry<V> entry = loads.join(claim.k, claim.future);
      if (l1.predates(entry, batch.call)) { // joined a load from before a flush: read again
        entry = loads.join(claim.k, loads.read(claim.k, e.getKey(), loader, l1.stamp()));
      }
      batch.add(e.getKey(), entry);
    }
    return batch.result;
  }

  CompletableFuture<Map<K, V>> getAllAsync(Collection<? extends K> requested,
      VersionedLoader<? super K, V> loader) {
    Batch batch = claimAll(requested);
    if (!batch.owned.isEmpty()) {
      try {
        loadExecutor.execute(() -> loads.load(batch.owned, loader));
      } catch (Throwable rejected) {
        batch.owned.forEach(claim -> l1.fail(claim, rejected));
        if (rejected instanceof Error error) {
          throw error;
        }
      }
    }
    Map<K, CompletableFuture<L1Entry<V>>> pending = new LinkedHashMap<>();
    batch.waiting.forEach((key, claim) -> pending.put(key, claim.future.thenCompose(entry ->
        l1.predates(entry, batch.call) // joined a load from before a flush: read again
            ? loads.read(claim.k, key, loader, batch.call)
            : CompletableFuture.completedFuture(entry))));
    return CompletableFuture.allOf(pending.values().toArray(CompletableFuture[]::new))
        .handle((ignored, error) -> {
          pending.forEach((key, future) ->
              batch.add(key, loads.join(batch.waiting.get(key).k, future)));
          return batch.result;
        });
  }

  int preload(Collection<? extends K> requested, VersionedLoader<? super K, V> loader) {
    List<K> all = new ArrayList<>(new LinkedHashSet<K>(requested));
    int found = 0;
    for (int from = 0; from < all.size(); from += PRELOAD_BATCH) {
      found += getAll(all.subList(from, Math.min(all.size(), from + PRELOAD_BATCH)), loader)
          .size();
    }
    return found;
  }

  /** The L1 hits of one multi-key read, and the claims of its misses. */
  private final class Batch {
    final L1Entry.Stamp call = l1.stamp();
    final Map<K, V> result = new LinkedHashMap<>();
    final Map<K, Claim<K, V>> waiting = new LinkedHashMap<>();
    final List<Claim<K, V>> owned = new ArrayList<>();

    void add(K key, L1Entry<V> entry) {
      Versioned<V> v = L1Store.answer(entry);
      if (v != null && v.value() != null) {
        result.put(key, v.value());
      }
    }
  }

  private Batch claimAll(Collection<? extends K> requested) {
    Batch batch = new Batch();
    Map<K, String> misses = new LinkedHashMap<>();
    for (K key : new LinkedHashSet<K>(requested)) {
      String k = keys.lookup(key);
      L1Entry<V> hit = l1.hit(k);
      if (hit == null) {
        misses.put(key, k);
      } else if (hit.value != null) {
        batch.result.put(key, hit.value);
      }
    }
    misses.forEach(keys::check);
    try {
      for (Map.Entry<K, String> miss : misses.entrySet()) {
        Claim<K, V> claim = l1.claim(miss.getValue(), miss.getKey(), false);
        if (claim.owned()) {
          batch.owned.add(claim);
        }
        batch.waiting.put(miss.getKey(), claim);
      }
    } catch (RuntimeException e) { // the runtime closed meanwhile: release what was claimed
      batch.owned.forEach(claim -> l1.fail(claim, e));
      throw e;
    }
    return batch;
  }
}
