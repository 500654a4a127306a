package dev.coherent.core;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * One namespace of a {@link CoherentRuntime}: a versioned near cache of {@code K -> V}. Reads are
 * served from L1 (Caffeine), then L2 (Redis), then the {@link VersionedLoader}. Writers call
 * {@link #put} or {@link #invalidate} after their database transaction commits; every other
 * instance drops its copy on the hint, or on the next reconcile if the hint is lost.
 *
 * <p>No call ever returns a value older than a version this instance has been told about (by a
 * local write, a hint, or a reconcile). Redis failures never reach callers: reads fall back to the
 * loader, writes are remembered and published when Redis returns.
 *
 * <p>Thread-safe.
 */
public interface NearCache<K, V> {

  /** The namespace name, e.g. {@code catalog:product}. */
  String name();

  /** Reads through the configured loader; null when the key is not found. */
  @Nullable V get(K key);

  /** Reads through the given loader; null when the key is not found. */
  @Nullable V get(K key, VersionedLoader<? super K, V> loader);

  /** Reads with its version (null when not found). */
  @Nullable Versioned<V> getVersioned(K key);

  /** Reads with its version through the given loader (null when not found). */
  @Nullable Versioned<V> getVersioned(K key, VersionedLoader<? super K, V> loader);

  /** Asynchronous {@link #get(Object)}: completes on a loader thread, or at once on an L1 hit. */
  CompletableFuture<@Nullable V> getAsync(K key);

  /**
   * Reads many keys: L1 first, one Redis round trip for the rest, then one
   * {@link VersionedLoader#loadAll} for what is still missing. Keys not found are absent from the
   * result.
   */
  Map<K, V> getAll(Collection<? extends K> keys);

  /**
   * Records a value written to the source of truth at {@code version}: installs it in L1 and L2
   * (unless either already holds a newer version) and publishes a hint so other instances drop
   * older copies.
   */
  void put(K key, V value, long version);

  /**
   * Records that every version of {@code key} below {@code version} is stale (after an update or a
   * delete): tombstones it in L1 and L2 and publishes a hint.
   */
  void invalidate(K key, long version);

  /** {@link #invalidate} for many keys, with one Redis call and one hint per batch. */
  void invalidateAll(Map<? extends K, Long> keyVersions);

  /**
   * Invalidates the whole namespace on every instance in O(1) messages: bumps the namespace epoch
   * in Redis and publishes one EPOCH hint.
   */
  void invalidateAll();

  /** Drops this instance's L1 entries of the namespace only (no Redis, no hint). */
  void flushLocal();

  /** Number of L1 entries (approximate, includes tombstones). */
  long localSize();

  /** What this instance knows about the namespace, for health checks and tests. */
  NamespaceStatus status();

  /**
   * What an instance knows about a namespace.
   *
   * @param epoch the namespace epoch L1 entries must carry to be served
   * @param lastSequence the highest hint sequence received, starting at Redis's sequence when the
   *     namespace was created (0 for a new namespace)
   * @param reconcileRequested whether a lost hint was detected (gap, overflow, reconnect, Redis
   *     outage) and not yet handled by a reconcile
   * @param degraded whether the last Redis call of this namespace failed or its subscriber is
   *     down (new L1 entries then live at most {@code degradedL1Ttl})
   */
  record NamespaceStatus(
      long epoch, long lastSequence, boolean reconcileRequested, boolean degraded) {}
}
