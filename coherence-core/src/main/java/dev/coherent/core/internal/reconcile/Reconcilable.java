package dev.coherent.core.internal.reconcile;

import dev.coherent.core.Hint;
import java.util.List;

/**
 * What the reconciler needs of a namespace: apply what the change log says, tell it how far the
 * log has been read, and the Redis-side checks of a tick. Implementations are thread-safe; each
 * method says on which thread the reconciler calls it.
 */
public interface Reconcilable {

  String name();

  /**
   * Applies change-log changes (key, version) as invalidations in L1 and, later, L2. Never calls
   * Redis. Reconciler thread.
   */
  void applyChanges(List<Hint.KeyVersion> changes);

  /** Every row of transactions below {@code through} has been applied. Reconciler thread. */
  void changeLogPolled(long through);

  /**
   * Part of the change log cannot be replayed (it fell behind retention, or L2's synchronisation
   * point vanished): serve nothing cached and make every L2 entry written before unreachable.
   * Reconciler or maintenance thread.
   */
  void changeLogLost();

  /** L2 must not be read until {@link #caughtUp}: its catch-up starts. Any thread. */
  void catchingUp();

  /** The rows L2 may lack were read: L2 is usable again. Reconciler thread. */
  void caughtUp();

  /** Whether replaying can stop: an epoch bump pending covers everything. Reconciler thread. */
  boolean replayCoveredByEpochBump();

  /** Adopts Redis's epoch and asks for a reconcile if a hint was lost unseen. Maintenance thread. */
  void checkRedisState();

  /** Checks up to {@code size} L1 values against L2; returns how many were stale. Maintenance thread. */
  int validateSample(int size);

  /** Reads epoch and sequence from Redis and adopts both. Maintenance or reconciler thread. */
  void resync();

  /** Without a change log, or when it failed: flush L1 and resync. Reconciler thread. */
  void flushAndResync();

  /** The subscriber stopped answering: no hint can arrive. Reconciler thread. */
  void subscriberDown();

  /** The subscriber answers again: reconcile what may have been missed. Reconciler thread. */
  void subscriberAlive();

  /** Asks for a reconcile soon (see {@link ReconcileRequests}). Any thread. */
  void requestReconcile(String reason);
}
