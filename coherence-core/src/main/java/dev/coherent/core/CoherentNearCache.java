package dev.coherent.core;

import dev.coherent.core.internal.NamespaceCache;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * What {@link CoherentRuntime} hands out for a namespace: the {@link NearCache} operations and
 * nothing else, so that no caller can reach the internal class's runtime callbacks (a cast finds
 * only this package-private final class). Thread-safe: it delegates to a thread-safe namespace.
 */
final class CoherentNearCache<K, V> implements NearCache<K, V> {
  private final NamespaceCache<K, V> namespace;

  CoherentNearCache(NamespaceCache<K, V> namespace) {
    this.namespace = namespace;
  }

  @Override
  public String name() {
    return namespace.name();
  }

  @Override
  public @Nullable V get(K key) {
    return namespace.get(key);
  }

  @Override
  public @Nullable V get(K key, VersionedLoader<? super K, V> loader) {
    return namespace.get(key, loader);
  }

  @Override
  public @Nullable Versioned<V> getVersioned(K key) {
    return namespace.getVersioned(key);
  }

  @Override
  public @Nullable Versioned<V> getVersioned(K key, VersionedLoader<? super K, V> loader) {
    return namespace.getVersioned(key, loader);
  }

  @Override
  public @Nullable V getIfPresent(K key) {
    return namespace.getIfPresent(key);
  }

  @Override
  public @Nullable Versioned<V> getVersionedIfPresent(K key) {
    return namespace.getVersionedIfPresent(key);
  }

  @Override
  public CompletableFuture<@Nullable V> getAsync(K key) {
    return namespace.getAsync(key);
  }

  @Override
  public Map<K, V> getAll(Collection<? extends K> keys) {
    return namespace.getAll(keys);
  }

  @Override
  public CompletableFuture<Map<K, V>> getAllAsync(Collection<? extends K> keys) {
    return namespace.getAllAsync(keys);
  }

  @Override
  public int preload(Collection<? extends K> keys) {
    return namespace.preload(keys);
  }

  @Override
  public void put(K key, V value, long version) {
    namespace.put(key, value, version);
  }

  @Override
  public boolean fill(K key, V value, long version) {
    return namespace.fill(key, value, version);
  }

  @Override
  public void invalidate(K key, long version) {
    namespace.invalidate(key, version);
  }

  @Override
  public void invalidate(K key, long version, java.time.Duration tombstoneLifetime) {
    namespace.invalidate(key, version, tombstoneLifetime);
  }

  @Override
  public void evict(K key) {
    namespace.evict(key);
  }

  @Override
  public void invalidateAll(Map<? extends K, Long> keyVersions) {
    namespace.invalidateAll(keyVersions);
  }

  @Override
  public void invalidateAll() {
    namespace.invalidateAll();
  }

  @Override
  public void addChangeLogListener(ChangeLogListener listener) {
    namespace.addChangeLogListener(listener);
  }

  @Override
  public void flushLocal() {
    namespace.flushLocal();
  }

  @Override
  public long localSize() {
    return namespace.localSize();
  }

  @Override
  public NamespaceStatus status() {
    return namespace.status();
  }

  @Override
  public String toString() {
    return "NearCache[" + namespace.name() + "]";
  }
}
