package dev.coherent.core;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Reads keys from the source of truth together with their versions. Called at most once per key
 * per instance at a time (request coalescing), on Coherent's loader threads.
 */
@FunctionalInterface
public interface VersionedLoader<K, V> {

  /** The current value and version, or null (same as {@link Versioned#absent(long) absent(0)}). */
  @Nullable Versioned<V> load(K key) throws Exception;

  /**
   * Loads several keys in one go (one query). The default calls {@link #load} per key; override it
   * to batch. Keys missing from the result are treated as not found.
   */
  default Map<K, Versioned<V>> loadAll(Set<? extends K> keys) throws Exception {
    Map<K, Versioned<V>> result = new HashMap<>();
    for (K key : keys) {
      Versioned<V> loaded = load(key);
      if (loaded != null) {
        result.put(key, loaded);
      }
    }
    return result;
  }
}
