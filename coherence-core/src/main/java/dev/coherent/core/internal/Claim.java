package dev.coherent.core.internal;

import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * A key one read must load ({@link #owned()}) or a load already under way to join, as {@link
 * L1Store#claim} hands it out.
 *
 * <p>Thread-safety: the immutable fields are safe to share; {@link #floor}, {@link #confirmed} and
 * {@link #result} of an owned claim are read and written only by the thread running its load (the
 * future publishes the result to the others).
 */
final class Claim<K, V> {
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
  /** What the load decided (owned claims only): installed over the placeholder, then completed. */
  @Nullable L1Entry<V> result;

  Claim(String k, K key, @Nullable L1Entry<V> placeholder, CompletableFuture<L1Entry<V>> future,
      long floor, long confirmed) {
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

  /** Only a hint vouched for the part of the floor above {@link #confirmed}: drop it. */
  void unconfirmed() {
    floor = confirmed;
  }

  boolean owned() {
    return placeholder != null;
  }
}
