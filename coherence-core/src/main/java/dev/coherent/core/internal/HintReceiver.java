package dev.coherent.core.internal;

import dev.coherent.core.Hint;
import dev.coherent.core.NamespaceOptions;
import dev.coherent.core.internal.redis.HintCodec;
import dev.coherent.core.internal.redis.L2Store;
import dev.coherent.core.internal.redis.MalformedHintException;
import io.lettuce.core.RedisException;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hints of one namespace: parse and validate them, track their sequence (a gap asks for a
 * reconcile), check hinted epochs against Redis (rate-limited, so a forged epoch costs one state
 * read, never a flush), and buffer key invalidations in a bounded coalescing {@link HintBuffer}
 * that one drain task at a time applies to L1 (a full buffer drops everything it holds, flushes
 * L1 and reconciles: the drop policy).
 *
 * <p>Thread-safety: {@link #onMessage} runs on the Pub/Sub event loop and never blocks (the buffer
 * is bounded and non-blocking); the drain and the epoch checks run on the maintenance thread, at
 * most one of each queued at a time ({@code drainScheduled}, {@code epochCheckQueued}). {@code
 * lastSequence}, {@code hintedEpoch} and {@code subscribedOnce} are atomics; {@code
 * unverifiedEpochReconciled} and {@code sequenceAtLastCheck} are the maintenance thread's.
 */
final class HintReceiver {
  private static final Logger log = LoggerFactory.getLogger(HintReceiver.class);

  private final String name;
  private final NamespaceOptions options;
  private final RuntimeContext ctx;
  private final HintCodec codec;
  private final L2Store l2;
  private final L1Store<?> l1;
  private final L2Health health;
  private final NamespaceMetrics metrics;
  private final Consumer<String> reconcile;
  private final Runnable flushLocal;
  private final HintBuffer buffer;
  private final EpochRateLimiter epochLimiter;
  private final AtomicLong lastSequence = new AtomicLong(-1);
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private final AtomicBoolean epochCheckQueued = new AtomicBoolean();
  private final AtomicBoolean subscribedOnce = new AtomicBoolean();
  /** Redis's sequence at the previous state check; -1 before the first. Maintenance thread. */
  private long sequenceAtLastCheck = -1;
  /** The highest hinted epoch not yet checked against Redis; Long.MIN_VALUE when none. */
  private final AtomicLong hintedEpoch = new AtomicLong(Long.MIN_VALUE);
  /** The highest unverifiable hinted epoch a reconcile was requested for. Maintenance thread. */
  private long unverifiedEpochReconciled = Long.MIN_VALUE;

  HintReceiver(String name, NamespaceOptions options, RuntimeContext ctx, HintCodec codec,
      L2Store l2, L1Store<?> l1, L2Health health, NamespaceMetrics metrics,
      Consumer<String> reconcile, Runnable flushLocal) {
    this.name = name;
    this.options = options;
    this.ctx = ctx;
    this.codec = codec;
    this.l2 = l2;
    this.l1 = l1;
    this.health = health;
    this.metrics = metrics;
    this.reconcile = reconcile;
    this.flushLocal = flushLocal;
    this.buffer = new HintBuffer(options.hintBufferCapacity());
    this.epochLimiter = new EpochRateLimiter(options.epochHintsPerSecond(), ctx.ticker());
    metrics.gauge("coherent.hints.pending", buffer, HintBuffer::size);
  }

  /** The highest hint sequence received (or adopted from Redis); -1 before the first. */
  long lastSequence() {
    return lastSequence.get();
  }

  /** Adopts Redis's sequence as the baseline (a resync: Redis is the authority). */
  void resetSequence(long sequence) {
    lastSequence.set(sequence);
  }

  /** Raises the baseline to Redis's sequence (the first subscription). */
  void raiseSequence(long sequence) {
    lastSequence.accumulateAndGet(sequence, Math::max);
  }

  /** Whether this is the channel's first subscription (not a resubscription after a drop). */
  boolean firstSubscription() {
    return subscribedOnce.compareAndSet(false, true);
  }

  /**
   * Whether this instance had received less than Redis's sequence at the previous check: a hint
   * was lost and no later hint revealed the gap. Records {@code redisSequence} for the next check.
   * Maintenance thread.
   */
  boolean sequenceBehind(long redisSequence) {
    long previous = sequenceAtLastCheck;
    sequenceAtLastCheck = redisSequence;
    return previous >= 0 && lastSequence.get() < previous;
  }

  /** Called on the Pub/Sub event loop: parse, validate, buffer. Never blocks, never throws. */
  void onMessage(String payload) {
    try {
      metrics.hintsReceived.increment();
      Hint hint;
      try {
        hint = codec.parse(payload);
      } catch (MalformedHintException e) {
        if (e.reason.equals("unknown_version") || e.reason.equals("unknown_type")) {
          metrics.ignored(e.reason);
        } else if (e.reason.equals("unsigned") || e.reason.equals("bad_signature")) {
          metrics.rejected(e.reason); // hint authentication is on: dropped before anything else
        } else {
          metrics.malformed(e.reason);
        }
        log.debug("namespace {}: dropped hint: {}", name, e.getMessage());
        return;
      }
      if (!hint.namespace().equals(name)) {
        metrics.malformed("wrong_namespace");
        return;
      }
      if (!hint.tenant().equals(ctx.tenant())) {
        metrics.ignored("wrong_tenant");
        return;
      }
      if (!ctx.hintFilter().test(hint)) {
        return; // fault injection: as if this message was lost
      }
      trackSequence(hint.sequence());
      if (hint.epoch() != l1.stamp().epoch) {
        onForeignEpoch(hint.epoch());
      }
      if (hint.type() == Hint.Type.EPOCH) {
        return;
      }
      if (hint.origin().equals(ctx.instanceId())) {
        metrics.ignored("own");
        return; // applied locally before it was published
      }
      List<Hint.KeyVersion> keys = hint.keys();
      for (int i = 0; i < keys.size(); i++) {
        HintBuffer.Offer offer = buffer.offer(keys.get(i).key(), keys.get(i).version());
        if (offer == HintBuffer.Offer.COALESCED) {
          metrics.hintsCoalesced.increment();
        } else if (offer == HintBuffer.Offer.FULL) {
          overflow(keys.size() - i); // the keys before i are in the buffer, dropped with it
          return;
        }
      }
      scheduleDrain();
    } catch (RuntimeException e) {
      metrics.malformed("internal_error");
      log.warn("namespace {}: hint handling failed; requesting a reconcile", name, e);
      reconcile.accept("hint_error");
    }
  }

  private void trackSequence(long sequence) {
    long previous = lastSequence.getAndAccumulate(sequence, Math::max);
    if (previous >= 0 && sequence > previous + 1) {
      metrics.sequenceGaps.increment();
      reconcile.accept("gap");
    } else if (sequence <= previous) {
      metrics.hintsReordered.increment();
    }
  }

  /**
   * A hint from a newer epoch. The writer's script bumped the epoch in Redis before it published,
   * so Redis is asked and its answer adopted: a forged epoch costs one state read, never a flush.
   * At most {@code epochHintsPerSecond} checks start at once; beyond that the highest hinted epoch
   * waits for the next {@link #maintain} (one check per maintenance interval in a flood).
   */
  private void onForeignEpoch(long hinted) {
    if (hinted <= l1.stamp().epoch) {
      return; // an old epoch: a delayed message, nothing to do
    }
    hintedEpoch.accumulateAndGet(hinted, Math::max);
    if (!epochLimiter.tryAcquire()) {
      metrics.ignored("epoch_rate_limited");
      return;
    }
    if (epochCheckQueued.compareAndSet(false, true)) {
      ctx.maintenance().execute(() -> {
        epochCheckQueued.set(false);
        checkHintedEpoch();
      });
    }
  }

  /** The maintenance tick: checks a hinted epoch that the rate limit held back. */
  void maintain() {
    if (hintedEpoch.get() != Long.MIN_VALUE) {
      checkHintedEpoch();
    }
  }

  /** Reads the epoch from Redis for the hinted epochs not yet checked (maintenance thread). */
  private void checkHintedEpoch() {
    long hinted = hintedEpoch.getAndSet(Long.MIN_VALUE);
    if (hinted == Long.MIN_VALUE) {
      return;
    }
    try {
      long actual = l2.state(ctx.clock().millis()).epoch();
      health.recovered();
      if (actual < hinted) {
        metrics.hintsUnconfirmed("epoch");
      }
      l1.adoptEpoch(actual, "hint");
    } catch (RedisException e) {
      // Unverifiable now; it may be a real invalidateAll(): check again at the next maintenance
      // run, and reconcile meanwhile (a flush without a change log).
      hintedEpoch.accumulateAndGet(hinted, Math::max);
      health.failed("epoch_check", e);
      if (hinted > unverifiedEpochReconciled) {
        unverifiedEpochReconciled = hinted;
        reconcile.accept("epoch_unverified");
      }
    }
  }

  private void overflow(int incoming) {
    int dropped = buffer.clear() + incoming;
    metrics.hintsDropped.increment(dropped);
    log.warn("namespace {}: hint buffer full ({} keys), dropping {} pending invalidations and"
        + " flushing L1", name, options.hintBufferCapacity(), dropped);
    flushLocal.run();
    reconcile.accept("overflow");
  }

  private void scheduleDrain() {
    if (drainScheduled.compareAndSet(false, true)) {
      ctx.maintenance().execute(this::drain);
    }
  }

  private void drain() {
    drainScheduled.set(false);
    int applied = buffer.drain(l1::applyHint);
    metrics.hintsApplied.increment(applied);
    if (!buffer.isEmpty()) {
      scheduleDrain();
    }
  }
}
