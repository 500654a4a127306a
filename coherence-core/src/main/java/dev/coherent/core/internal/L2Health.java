package dev.coherent.core.internal;

import io.lettuce.core.RedisException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether one namespace may trust Redis and its L2 right now: Redis answering, the hint
 * subscriber connected, and the change-log catch-up done. Reads and writes consult it; a failed
 * Redis call marks it down, the next successful one marks it up and runs the recovery action
 * (write what is pending, reconcile what may have been missed).
 *
 * <p>Thread-safety: any thread. {@code redisDown} is an atomic flag whose transitions are exact:
 * one warning per outage and one recovery action per recovery. Between racing callers the last
 * one wins (a call that succeeded just before another failed can mark Redis up after it; the next
 * call settles it, and the recovery action is idempotent). The other two flags are volatile
 * facts, each set by one kind of event.
 */
final class L2Health {
  private static final Logger log = LoggerFactory.getLogger(L2Health.class);

  private final String name;
  private final Duration degradedL1Ttl;
  private final NamespaceMetrics metrics;
  private final Runnable onRecovered;
  private final AtomicBoolean redisDown = new AtomicBoolean();
  private volatile boolean subscriberDown;
  /**
   * False while this instance may not trust L2 for what the change log says (see {@link
   * #catchingUp}): loads skip the L2 read and claim no L2 synchronisation point.
   */
  private volatile boolean caughtUp = true;

  L2Health(String name, Duration degradedL1Ttl, NamespaceMetrics metrics, Runnable onRecovered) {
    this.name = name;
    this.degradedL1Ttl = degradedL1Ttl;
    this.metrics = metrics;
    this.onRecovered = onRecovered;
  }

  /** Redis failed or no hint can arrive: new L1 entries live at most {@code degradedL1Ttl}. */
  boolean degraded() {
    return redisDown.get() || subscriberDown;
  }

  void failed(String operation, RedisException e) {
    metrics.redisErrors.increment();
    if (redisDown.compareAndSet(false, true)) {
      log.warn("namespace {}: Redis {} failed ({}); serving from the source with L1 TTL clamped"
          + " to {}", name, operation, e.getMessage(), degradedL1Ttl);
    }
  }

  void recovered() {
    if (redisDown.compareAndSet(true, false)) {
      log.info("namespace {}: Redis answers again", name);
      onRecovered.run();
    }
  }

  void subscriberDown() {
    subscriberDown = true;
  }

  /** Returns whether the subscriber had been down. */
  boolean subscriberUp() {
    boolean was = subscriberDown;
    subscriberDown = false;
    return was;
  }

  /**
   * Until {@link #caughtUp()}: the change log may hold rows that L2 never received (no instance
   * could write them), so loads do not read L2.
   */
  void catchingUp() {
    caughtUp = false;
  }

  void caughtUp() {
    caughtUp = true;
  }

  boolean isCaughtUp() {
    return caughtUp;
  }
}
