package dev.coherent.core.internal.redis;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The L2 side of one namespace: versioned entries under the namespace epoch, the hint sequence,
 * the load lease and the L2 synchronisation point. {@link RedisL2Store} runs the Lua scripts of
 * docs/protocol.md; every operation is atomic on the server. Every method may throw Lettuce's
 * {@code RedisException}; callers decide what degraded mode means.
 *
 * <p>Operations that take an {@code expectedEpoch} do nothing when the namespace's epoch is another
 * one and say so ({@code epochMatched} false, with the epoch Redis has). {@code initialEpoch} is the
 * epoch a namespace that Redis does not know yet starts with (a timestamp, so that a Redis that
 * lost its data comes back with a different epoch).
 *
 * <p>Implementations are thread-safe.
 */
public interface L2Store {

  /** What Redis did with one entry given what the key held (prelude.lua's {@code decide}). */
  enum Decision {
    /** The key holds a newer version (or a value at a tombstone's version): nothing written. */
    REFUSED,
    /** Written. */
    STORED,
    /** An equal entry is there: nothing written. */
    EQUAL
  }

  /** The entries read, in key order (null for a missing key), or none if the epoch differed. */
  record ReadReply(boolean epochMatched, long epoch, List<byte @Nullable []> entries) {}

  /** Per-entry decisions in key order, or none if the epoch differed. */
  record WriteReply(boolean epochMatched, long epoch, List<Decision> decisions) {}

  /** The namespace's epoch and hint sequence. */
  record EpochState(long epoch, long sequence) {}

  /** The Pub/Sub channel of the namespace's hints. */
  String channel();

  ReadReply read(long expectedEpoch, long initialEpoch, List<String> keys);

  /** Stores entries (encoded with {@link L2Entry#encode}) under version-CAS, without a hint. */
  WriteReply fill(long expectedEpoch, long initialEpoch, List<String> keys, List<byte[]> entries,
      List<Long> ttlMillis);

  /**
   * Stores entries (none with L2 off), increments the sequence and publishes the hint built from
   * {@code hint} with the epoch and the new sequence, in one atomic step.
   */
  WriteReply write(long expectedEpoch, long initialEpoch, HintCodec.Template hint,
      List<String> keys, List<byte[]> entries, List<Long> ttlMillis);

  /** Bumps the epoch and publishes an EPOCH hint; returns the new epoch and sequence. */
  EpochState bumpEpoch(long initialEpoch, HintCodec.Template hint);

  /** The namespace's epoch and sequence as L2 has them now. */
  EpochState state(long initialEpoch);

  /**
   * The namespace's L2 synchronisation point (see synced.lua): a change-log transaction id below
   * which every change of the namespace is in L2; {@code absent} when none was ever recorded.
   */
  long synced(long absent);

  /**
   * Raises the synchronisation point to {@code txid} (a lower value leaves it as it is), unless it
   * is below {@code recorded} (what this instance raised it to before, -1 for nothing): then L2
   * lost writes and the point stays. Returns its value before, -1 when it had none.
   */
  long advanceSynced(long txid, long recorded);

  /** Takes the load lease of {@code key} for {@code ttlMillis} if nobody holds it. */
  boolean tryLease(String key, String holder, long ttlMillis);

  boolean leaseHeld(String key);

  /** Releases the lease if {@code holder} still holds it. */
  void releaseLease(String key, String holder);
}
