package dev.coherent.core.internal;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Spreads TTLs by a random fraction: {@code ttl * (1 + jitter * (2u - 1))} for u uniform in
 * [0, 1), clamped to a hard maximum. The random source is injected so tests are deterministic.
 * Thread-safe if the supplier is.
 */
final class Jitter {
  private final DoubleSupplier random;

  Jitter(DoubleSupplier random) {
    this.random = random;
  }

  long nanos(Duration ttl, double fraction, Duration hardMax) {
    double u = random.getAsDouble();
    double factor = 1.0 + fraction * (2.0 * u - 1.0);
    long nanos = (long) (saturatedNanos(ttl) * factor);
    return Math.max(1, Math.min(nanos, saturatedNanos(hardMax)));
  }

  private static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException tooLong) {
      return Long.MAX_VALUE;
    }
  }
}
