package dev.coherent.core.internal.reconcile;

import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reconcile requests of one namespace: a request marks it and queues one run on the
 * reconcile executor (requests meanwhile share it); a run that fails leaves it marked, and the
 * maintenance tick retries ({@link #retryIfRequested}).
 *
 * <p>Thread-safety: requests come from any thread (the event loop on a gap, caller and loader
 * threads on a Redis recovery, the maintenance and reconciler threads); the two flags are atomics,
 * and runs happen on the single-threaded reconcile executor only.
 */
public final class ReconcileRequests {
  private static final Logger log = LoggerFactory.getLogger(ReconcileRequests.class);

  private final Reconcilable namespace;
  private final Reconciler reconciler;
  private final Executor executor;
  private final Consumer<String> counter;
  private final AtomicBoolean requested = new AtomicBoolean();
  private final AtomicBoolean queued = new AtomicBoolean();

  /** {@code counter} counts each request by reason. */
  public ReconcileRequests(Reconcilable namespace, Reconciler reconciler, Executor executor,
      Consumer<String> counter) {
    this.namespace = namespace;
    this.reconciler = reconciler;
    this.executor = executor;
    this.counter = counter;
  }

  public void request(String reason) {
    counter.accept(reason);
    requested.set(true);
    schedule(reason);
  }

  /** Whether a request is waiting for (or failed in) its run. */
  public boolean requested() {
    return requested.get();
  }

  /** The maintenance tick: runs again a request whose run failed. */
  public void retryIfRequested() {
    if (requested.get()) {
      schedule("retry");
    }
  }

  /** L2 lost writes since change-log transaction {@code from}: the reconciler replays them. */
  public void replayFrom(long from) {
    reconciler.replayFrom(namespace, from);
  }

  private void schedule(String reason) {
    if (queued.compareAndSet(false, true)) {
      executor.execute(() -> {
        queued.set(false);
        runNow(reason);
      });
    }
  }

  /** Runs the reconciler if a reconcile was requested; on failure it stays requested. */
  private void runNow(String reason) {
    if (!requested.getAndSet(false)) {
      return;
    }
    try {
      reconciler.reconcile(namespace, reason);
    } catch (RuntimeException e) {
      requested.set(true);
      log.debug("namespace {}: reconcile ({}) failed, will retry: {}", namespace.name(), reason,
          e.toString());
    }
  }
}
