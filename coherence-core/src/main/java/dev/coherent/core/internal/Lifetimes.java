package dev.coherent.core.internal;

import dev.coherent.core.NamespaceOptions;
import java.util.concurrent.TimeUnit;

/**
 * How long the entries of one namespace live: L1 and L2 TTLs with jitter, the negative-caching
 * TTL and the degraded-mode clamp. Thread-safe (immutable; {@link Jitter} is if its random source
 * is).
 */
final class Lifetimes {
  private final NamespaceOptions options;
  private final Jitter jitter;

  Lifetimes(NamespaceOptions options, Jitter jitter) {
    this.options = options;
    this.jitter = jitter;
  }

  /**
   * The L1 lifetime of a new entry of {@code kind}: a "not found" without negative caching gets 0
   * (it answers only its own load's callers); {@code degraded} clamps it to {@code degradedL1Ttl}
   * (no hint, or no L2, can drop it meanwhile).
   */
  long l1Nanos(EntryKind kind, boolean degraded) {
    long ttl;
    if (kind == EntryKind.ABSENT) {
      ttl = options.negativeCaching()
          ? jitter.nanos(options.negativeTtl(), options.ttlJitter(), options.l1MaxTtl())
          : 0;
    } else {
      ttl = jitter.nanos(options.l1Ttl(), options.ttlJitter(), options.l1MaxTtl());
    }
    return degraded ? Math.min(ttl, options.degradedL1Ttl().toNanos()) : ttl;
  }

  /** The L2 lifetime of an entry written now, at least 1 ms. */
  long l2Millis() {
    return Math.max(1, TimeUnit.NANOSECONDS.toMillis(
        jitter.nanos(options.l2Ttl(), options.ttlJitter(), options.l2Ttl().multipliedBy(2))));
  }
}
