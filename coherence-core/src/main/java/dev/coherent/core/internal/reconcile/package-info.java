/**
 * Internal: may change without notice. The freshness guarantee: the reconcile loop ({@link
 * dev.coherent.core.internal.reconcile.ReconcileLoop}) reads the PostgreSQL change log, checks
 * each namespace's Redis state, samples L1 and watches the subscriber; namespaces take part through
 * {@link dev.coherent.core.internal.reconcile.Reconcilable} and ask for reconciles through {@link
 * dev.coherent.core.internal.reconcile.ReconcileRequests}.
 */
@NullMarked
package dev.coherent.core.internal.reconcile;

import org.jspecify.annotations.NullMarked;
