package dev.coherent.core.internal;

import dev.coherent.core.Versioned;
import org.jspecify.annotations.Nullable;

/**
 * What L1 holds for a key: a value, a cached "not found", or a tombstone ("every version below
 * {@code version} is invalid"). Values carry the namespace epoch and local generation current when
 * their load started; an entry whose stamps differ from the namespace's is never served. Immutable.
 */
final class L1Entry<V> {
  enum Kind {
    VALUE('V'),
    ABSENT('N'),
    TOMBSTONE('T');

    final char code;

    Kind(char code) {
      this.code = code;
    }

    static @Nullable Kind of(char code) {
      return switch (code) {
        case 'V' -> VALUE;
        case 'N' -> ABSENT;
        case 'T' -> TOMBSTONE;
        default -> null;
      };
    }
  }

  final Kind kind;
  final long version;
  final long epoch;
  final long generation;
  final @Nullable V value;
  /**
   * The ticker time at which this entry stops being served, decided once at creation (jitter,
   * clamps). L1 checks it on every read instead of asking Caffeine for per-entry expiry, which
   * keeps Caffeine's read path free of timer-wheel work; expired entries are swept periodically.
   * An entry created with no lifetime (a "not found" without negative caching) is never served.
   */
  final long deadlineNanos;
  /**
   * For a tombstone left by a refused fill: what the load read, returned to that load's own
   * callers (they asked before the newer version was known) but never served from L1.
   */
  final @Nullable Versioned<V> answer;

  L1Entry(Kind kind, long version, long epoch, long generation, @Nullable V value,
      long deadlineNanos, @Nullable Versioned<V> answer) {
    this.kind = kind;
    this.version = version;
    this.epoch = epoch;
    this.generation = generation;
    this.value = value;
    this.deadlineNanos = deadlineNanos;
    this.answer = answer;
  }

  boolean isTombstone() {
    return kind == Kind.TOMBSTONE;
  }

  @Override
  public String toString() {
    return kind + "@" + version + "(epoch " + epoch + ", gen " + generation + ")";
  }
}
