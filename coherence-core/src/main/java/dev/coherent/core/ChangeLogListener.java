package dev.coherent.core;

import java.util.List;

/**
 * Told what the change log said about a namespace, after the reconciler applied it: for
 * integrations whose caches hold more than the namespace's keys (a query cache over the same
 * table, collections keyed by another column). Registered with {@link
 * NearCache#addChangeLogListener}.
 *
 * <p>Called on the runtime's reconciler thread, one call at a time; an exception is logged and
 * does not stop the reconciler. Keep it short: the next poll waits for it.
 */
public interface ChangeLogListener {

  /**
   * Rows of the change log for the namespace (key and version), already applied as
   * invalidations. They include writes made through the cache and writes made outside it (plain
   * SQL), possibly more than once (a replay after a restart or catch-up).
   */
  void changed(List<Hint.KeyVersion> changes);

  /**
   * Part of the change log could not be read (it fell behind retention): anything may have
   * changed. The namespace has already flushed its entries.
   */
  void everythingChanged();
}
