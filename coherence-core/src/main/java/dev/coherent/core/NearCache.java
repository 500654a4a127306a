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

  /**
   * Reads from the cache only: L1, then L2; never a loader, never the load lease, and nothing is
   * cached as "not found" because of this call. Null when neither tier holds a value (or holds a
   * cached "not found"). A load of the key in flight on this instance is waited for. This is
   * Hibernate's {@code getFromCache} and Spring's {@code Cache.get(key)}.
   */
  @Nullable V getIfPresent(K key);

  /**
   * {@link #getIfPresent} with the version: null when nothing is cached, {@link
   * Versioned#absent(long)} when "not found" is the answer (a cached "not found" with negative
   * caching, or the result of a load in flight here that it waited for), else the value.
   */
  @Nullable Versioned<V> getVersionedIfPresent(K key);

  /** Asynchronous {@link #get(Object)}: completes on a loader thread, or at once on an L1 hit. */
  CompletableFuture<@Nullable V> getAsync(K key);

  /**
   * Reads many keys: L1 first, one Redis round trip for the rest, then one {@link
   * VersionedLoader#loadAll} for what is still missing ({@link VersionedLoader#load} when one key
   * is). Keys not found are absent from the result.
   */
  Map<K, V> getAll(Collection<? extends K> keys);

  /**
   * Asynchronous {@link #getAll}: L1 hits at once, the rest in one batch on a loader thread.
   * Completes exceptionally with {@link CacheLoadException} if the loader fails.
   */
  CompletableFuture<Map<K, V>> getAllAsync(Collection<? extends K> keys);

  /**
   * Warm-up: reads {@code keys} through the configured loader into L1 and L2 (what L1 already
   * holds is not read again), in batches of 1,000 keys (one L2 round trip and one {@link
   * VersionedLoader#loadAll} each). Returns how many of the keys were found. To reload the whole
   * namespace, call {@link #invalidateAll()} and then this.
   */
  int preload(Collection<? extends K> keys);

  /**
   * Records a value written to the source of truth at {@code version}: installs it in L1 and L2
   * (unless either already holds a newer version) and publishes a hint so other instances drop
   * older copies.
   */
  void put(K key, V value, long version);

  /**
   * Stores a value just read from the source of truth at {@code version}, in L2 (version-CAS: a
   * newer version or tombstone there wins) and L1, without a hint: no other instance has an older
   * copy to drop because of it. Use it where the caller loaded the value itself (Hibernate's
   * {@code putFromLoad}); use {@link #put} for a value the caller wrote. Returns whether the value
   * was stored: false while a load of the key is in flight on this instance or L1 already serves
   * it, and when a version this instance knows, or a newer version or tombstone in L2, refuses it
   * (it answers nothing stale later). While
   * Redis is down or an epoch bump is pending it goes to L1 only, for {@code degradedL1Ttl}.
   */
  boolean fill(K key, V value, long version);

  /**
   * Records that every version of {@code key} below {@code version} is stale (after an update or a
   * delete): tombstones it in L1 and L2 and publishes a hint.
   */
  void invalidate(K key, long version);

  /**
   * {@link #invalidate(Object, long)} whose tombstone lives {@code tombstoneLifetime} in L2 (and
   * {@code tombstoneTtl} in L1) instead of as long as any entry: a soft lock taken before a
   * transaction commits, which the committed state (a {@link #put} at {@code version}) replaces,
   * and which must not outlive a rollback for long. An equal tombstone or a value written later
   * keeps its own lifetime. A replay after a Redis failure writes it with the usual lifetime.
   *
   * @throws IllegalArgumentException if the lifetime is not positive
   */
  void invalidate(K key, long version, java.time.Duration tombstoneLifetime);

  /**
   * Evicts {@code key} without a version: every version this instance or L2 holds becomes stale
   * everywhere, as {@link #invalidate} one above the highest value among them (one L2 read
   * first; at the highest version itself when only tombstones are there, so repeated evicts do not
   * climb), with tombstones that live {@code tombstoneTtl} in L1 and L2 (an equal tombstone
   * already in L2 keeps its longer lifetime; a replay after a Redis failure uses the usual one). The next read
   * loads from the source
   * and a newer version is cached as usual; the version just evicted (a row that did not change)
   * is answered from the source but not cached again until the tombstone expires. Use {@link
   * #invalidate} when the version is known: a load in flight elsewhere that read a version newer
   * than every cached copy can still fill it, and while Redis is unreachable only the versions
   * this instance knows are covered. See docs/user-guide.md.
   */
  void evict(K key);

  /** {@link #invalidate} for many keys, with one Redis call and one hint per batch. */
  void invalidateAll(Map<? extends K, Long> keyVersions);

  /**
   * Invalidates the whole namespace on every instance in O(1) messages: bumps the namespace epoch
   * in Redis and publishes one EPOCH hint.
   */
  void invalidateAll();

  /**
   * Drops this instance's L1 values and cached "not found"s of the namespace only (no Redis, no
   * hint); tombstones stay, so nothing older than what this instance was told is loaded after.
   */
  void flushLocal();

  /**
   * Registers a listener told, on the reconciler thread, of every change-log row of this
   * namespace once it is applied (see {@link ChangeLogListener}); nothing is told without a
   * change log ({@link CoherentRuntime.Builder#changeLog}). A listener added after rows were
   * applied (the namespace's catch-up at creation, say) is first told {@code everythingChanged()}
   * once, since it missed them.
   */
  void addChangeLogListener(ChangeLogListener listener);

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
