package dev.coherent.core.internal.reconcile;

/**
 * What a namespace's requested reconcile does; {@link ReconcileLoop} is the runtime's, {@link
 * #FLUSH} the simplest (a namespace on its own, in unit tests). Called on the reconcile executor,
 * one call at a time.
 */
public interface Reconciler {

  /** Flushes L1 and resynchronises epoch and sequence from Redis: nothing to replay from. */
  Reconciler FLUSH = (namespace, reason) -> namespace.flushAndResync();

  void reconcile(Reconcilable namespace, String reason);

  /**
   * L2 lost what it had been given since change-log transaction {@code from}: replay the change
   * log from there (with a change log; without one there is nothing to replay).
   */
  default void replayFrom(Reconcilable namespace, long from) {}
}
