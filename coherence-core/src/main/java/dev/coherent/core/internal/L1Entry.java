package dev.coherent.core.internal;

import dev.coherent.core.Versioned;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * What L1 holds for a key: a value, a cached "not found", a tombstone ("every version below
 * {@code version} is invalid") or a load in flight. Values carry the namespace {@link Stamp}
 * (epoch and local generation) current when their load started; an entry whose stamp is not the
 * namespace's current one is never served. Immutable.
 *
 * <p>L1 stores these directly as Caffeine values, so a hit reads one object beside Caffeine's node.
 * A load in flight is an entry of kind {@link EntryKind#LOADING} holding the load's future: readers join
 * it, an invalidation replaces it with a tombstone, and the load installs its result only by
 * replacing that very object. That replacement is the L1 half of the fill race.
 */
final class L1Entry<V> {
  /**
   * The namespace's epoch and local generation at one moment. The namespace makes a new object
   * whenever either changes, so an entry is current exactly when its stamp is the namespace's
   * stamp by identity: one reference comparison on the read path.
   */
  static final class Stamp {
    final long epoch;
    final long generation;
    /** Counts the namespace's stamps: a higher serial was made later, whatever the epochs say. */
    final long serial;

    private Stamp(long epoch, long generation, long serial) {
      this.epoch = epoch;
      this.generation = generation;
      this.serial = serial;
    }

    static Stamp first() {
      return new Stamp(0, 0, 0);
    }

    /** The next stamp with {@code epoch} (the caller holds the namespace's lock). */
    Stamp withEpoch(long epoch) {
      return new Stamp(epoch, generation, serial + 1);
    }

    /** The next stamp with the next generation (the caller holds the namespace's lock). */
    Stamp nextGeneration() {
      return new Stamp(epoch, generation + 1, serial + 1);
    }

    @Override
    public String toString() {
      return "epoch " + epoch + ", gen " + generation + ", #" + serial;
    }
  }

  final EntryKind kind;
  /** {@code kind.answers}, copied here so that a hit reads no object beyond the entry. */
  final boolean answers;
  final long version;
  final Stamp stamp;
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
  /** For {@link EntryKind#LOADING} only: the load, completed with the entry it read. */
  final @Nullable CompletableFuture<L1Entry<V>> load;
  /**
   * For a tombstone or a load in flight: its version (the floor) is only a Pub/Sub hint's word,
   * which neither L2 nor the source has confirmed (hints can be forged). A load that finds L2 or
   * the source below it takes their answer instead of refusing it, so a forged hint costs one
   * read per key, not one per read of the key; a confirmed invalidation replaces such an entry
   * even at or below its floor, so that it is never lost under a floor nobody vouches for.
   */
  final boolean hinted;
  /**
   * For a load in flight: a cache-only read ({@code getIfPresent}) that reads L2 and never the
   * source. A load with a loader does not join it (it may end with nothing); it takes the key over.
   */
  final boolean probe;

  L1Entry(EntryKind kind, long version, Stamp stamp, @Nullable V value, long deadlineNanos,
      @Nullable Versioned<V> answer) {
    this(kind, version, stamp, value, deadlineNanos, answer, null, false, false);
  }

  /** A tombstone at {@code version} that only a hint vouches for (see {@link #hinted}). */
  static <V> L1Entry<V> hintTombstone(long version, Stamp stamp, long deadlineNanos) {
    return new L1Entry<>(EntryKind.TOMBSTONE, version, stamp, null, deadlineNanos, null, null, true,
        false);
  }

  private L1Entry(EntryKind kind, long version, Stamp stamp, @Nullable V value, long deadlineNanos,
      @Nullable Versioned<V> answer, @Nullable CompletableFuture<L1Entry<V>> load,
      boolean hinted, boolean probe) {
    this.hinted = hinted;
    this.probe = probe;
    this.kind = kind;
    this.answers = kind.answers;
    this.version = version;
    this.stamp = stamp;
    this.value = value;
    this.deadlineNanos = deadlineNanos;
    this.answer = answer;
    this.load = load;
  }

  /**
   * A load in flight under {@code stamp}; it remembers {@code floor}, what L1 knew before, and
   * whether that floor is only a hint's word ({@link #hinted}).
   */
  static <V> L1Entry<V> loading(long floor, Stamp stamp, boolean hinted, boolean probe) {
    return new L1Entry<>(EntryKind.LOADING, floor, stamp, null, Long.MAX_VALUE, null,
        new CompletableFuture<>(), hinted, probe);
  }

  boolean isLoading() {
    return kind == EntryKind.LOADING;
  }

  @Override
  public String toString() {
    return kind + "@" + version + "(" + stamp + ")";
  }
}
