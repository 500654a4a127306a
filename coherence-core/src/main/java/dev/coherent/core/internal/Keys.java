package dev.coherent.core.internal;

import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * How one namespace turns keys into their encoded form, and the checks of keys and versions that
 * every operation makes, each naming the value and what is valid. Thread-safe if the encoder is
 * (immutable otherwise).
 */
final class Keys<K> {
  static final int MAX_KEY_LENGTH = 1024;

  private final String namespace;
  private final Function<? super K, String> encoder;

  Keys(String namespace, Function<? super K, String> encoder) {
    this.namespace = namespace;
    this.encoder = encoder;
  }

  /** The encoded key, checked: what every path that stores or sends a key uses. */
  String encode(K key) {
    String k = lookup(key);
    check(key, k);
    return k;
  }

  /**
   * The encoded key for an L1 lookup, checked only for null. Its length is checked on a miss
   * ({@link #check}), not on a hit: reading a string's length reads its character array, a cache
   * miss of its own in a large L1, and no key that fails the check is ever in L1 (only claims and
   * {@code put} add keys, and both check them first).
   */
  String lookup(K key) {
    Objects.requireNonNull(key, "key");
    String k = encoder.apply(key);
    if (k == null) {
      throw invalid(key, null);
    }
    return k;
  }

  void check(K key, String k) {
    if (k.isEmpty() || k.length() > MAX_KEY_LENGTH) {
      throw invalid(key, k);
    }
  }

  private IllegalArgumentException invalid(K key, @Nullable String k) {
    return new IllegalArgumentException("key " + key + " of namespace " + namespace
        + " encodes to '" + k + "'; an encoded key must have 1 to " + MAX_KEY_LENGTH
        + " characters");
  }

  static void checkVersion(long version) {
    if (version < 0) {
      throw new IllegalArgumentException("version must be at least 0 but was " + version);
    }
  }
}
