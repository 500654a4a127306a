package dev.coherent.core.internal.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The estimate against a simulated Redis clock that runs up to 5 x 10^-4 fast or slow against the
 * ticker and answers after random delays: it never exceeds Redis's clock, never decreases, and
 * stays within the round trip plus the drift allowance of it.
 */
class SharedClockEstimateUnitTests {

  /** Redis's clock at ticker time {@code nanos}: an offset and a rate error. */
  private record RedisClock(long offsetMicros, double rate) {
    long at(long nanos) {
      return offsetMicros + (long) Math.floor(nanos * rate / 1000.0);
    }
  }

  @Test
  void isALowerBoundOfRedisThatNeverDecreases() {
    Random random = new Random(42);
    for (double rate : new double[] {1 - 5e-4, 1.0, 1 + 5e-4}) {
      RedisClock redis = new RedisClock(1_780_000_000_000_000L, rate);
      SharedClockEstimate estimate = new SharedClockEstimate();
      long nanos = 1_000_000_000L;
      long previous = 0;
      long worstLag = 0;
      for (int step = 0; step < 20_000; step++) {
        if (step % 500 == 0) { // a calibration every 500 steps (about every few seconds)
          long sent = nanos;
          nanos += random.nextInt(2_000_000); // request on its way
          long redisNow = redis.at(nanos);
          nanos += random.nextInt(2_000_000); // reply on its way
          estimate.calibrate(redisNow, sent, nanos, false);
        }
        nanos += random.nextInt(10_000_000);
        long at = nanos;
        long bound = estimate.now(() -> at);
        assertThat(bound).isLessThanOrEqualTo(redis.at(at));
        assertThat(bound).isGreaterThanOrEqualTo(previous);
        worstLag = Math.max(worstLag, redis.at(at) - bound);
        previous = bound;
      }
      // Round trip (up to 4 ms) plus 10^-3 of the time since the calibration (under 5 s).
      assertThat(worstLag).isLessThan(10_000);
    }
  }

  @Test
  void isZeroUntilCalibratedAndKeepsTheHigherOfTwoCalibrationsUnlessToldToReplace() {
    SharedClockEstimate estimate = new SharedClockEstimate();
    assertThat(estimate.now(() -> 5_000_000L)).isZero();
    estimate.calibrate(1_000_000, 0, 0, false);
    assertThat(estimate.now(() -> 0L)).isEqualTo(1_000_000);
    // A later, lower reading (a slower reply) is not adopted...
    estimate.calibrate(900_000, 1_000_000, 2_000_000, false);
    assertThat(estimate.now(() -> 2_000_000L)).isEqualTo(1_001_998);
    // ... unless a reading proved the estimate ran ahead of Redis's clock.
    estimate.calibrate(900_000, 1_000_000, 2_000_000, true);
    assertThat(estimate.now(() -> 2_000_000L)).isEqualTo(899_999);
  }
}
