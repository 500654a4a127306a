package dev.coherent.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/** {@code ttl * (1 + jitter * (2u - 1))}, clamped to the hard maximum and never below 1 ns. */
class JitterUnitTests {
  private static final Duration ONE_SECOND = Duration.ofSeconds(1);
  private static final Duration NO_CLAMP = Duration.ofDays(1);
  /** The largest double below 1: the top of the uniform [0, 1) range. */
  private static final double ALMOST_ONE = Math.nextDown(1.0);

  private static long nanos(double u, Duration ttl, double fraction, Duration max) {
    return new Jitter(() -> u).nanos(ttl, fraction, max);
  }

  @Test
  void theLowestDrawShortensByTheFullFraction() {
    assertThat(nanos(0.0, ONE_SECOND, 0.2, NO_CLAMP)).isEqualTo(800_000_000L);
    assertThat(nanos(0.0, ONE_SECOND, 0.5, NO_CLAMP)).isEqualTo(500_000_000L);
    assertThat(nanos(0.0, Duration.ofMinutes(5), 0.2, NO_CLAMP)).isEqualTo(240_000_000_000L);
  }

  @Test
  void theMiddleDrawIsTheTtlItself() {
    assertThat(nanos(0.5, ONE_SECOND, 0.2, NO_CLAMP)).isEqualTo(1_000_000_000L);
    assertThat(nanos(0.5, ONE_SECOND, 0.5, NO_CLAMP)).isEqualTo(1_000_000_000L);
    assertThat(nanos(0.5, Duration.ofMinutes(5), 0.2, NO_CLAMP)).isEqualTo(300_000_000_000L);
  }

  @Test
  void theHighestDrawLengthensByTheFullFraction() {
    assertThat(nanos(ALMOST_ONE, ONE_SECOND, 0.2, NO_CLAMP)).isEqualTo(1_200_000_000L);
    assertThat(nanos(ALMOST_ONE, ONE_SECOND, 0.5, NO_CLAMP)).isEqualTo(1_500_000_000L);
    assertThat(nanos(ALMOST_ONE, Duration.ofMinutes(5), 0.2, NO_CLAMP)).isEqualTo(360_000_000_000L);
  }

  @Test
  void aQuarterDrawIsHalfwayDown() {
    assertThat(nanos(0.25, ONE_SECOND, 0.2, NO_CLAMP)).isEqualTo(900_000_000L);
    assertThat(nanos(0.75, ONE_SECOND, 0.2, NO_CLAMP)).isEqualTo(1_100_000_000L);
  }

  @Test
  void zeroJitterIsTheTtlWhateverTheDraw() {
    for (double u : new double[] {0.0, 0.1, 0.5, 0.9, ALMOST_ONE}) {
      assertThat(nanos(u, Duration.ofMillis(1234), 0.0, NO_CLAMP)).isEqualTo(1_234_000_000L);
    }
  }

  @Test
  void theHardMaximumClamps() {
    Duration max = Duration.ofMillis(1100);
    assertThat(nanos(ALMOST_ONE, ONE_SECOND, 0.5, max)).isEqualTo(1_100_000_000L);
    assertThat(nanos(0.5, ONE_SECOND, 0.5, Duration.ofMillis(400))).isEqualTo(400_000_000L);
    // below the maximum nothing changes
    assertThat(nanos(0.0, ONE_SECOND, 0.5, max)).isEqualTo(500_000_000L);
    // the maximum itself is reachable but never exceeded
    assertThat(nanos(ALMOST_ONE, ONE_SECOND, 0.1, max)).isEqualTo(1_100_000_000L);
  }

  @Test
  void neverBelowOneNanosecond() {
    assertThat(nanos(0.0, Duration.ofNanos(1), 0.5, NO_CLAMP)).isEqualTo(1);
    assertThat(nanos(0.5, Duration.ofNanos(1), 0.5, NO_CLAMP)).isEqualTo(1);
    assertThat(nanos(0.5, ONE_SECOND, 0.2, Duration.ZERO)).isEqualTo(1);
  }

  @Test
  void aSeededSourceGivesTheSameSequenceAndStaysInRange() {
    SplittableRandom first = new SplittableRandom(42);
    SplittableRandom second = new SplittableRandom(42);
    Jitter a = new Jitter(first::nextDouble);
    Jitter b = new Jitter(second::nextDouble);
    Duration ttl = Duration.ofMinutes(5);
    long low = 240_000_000_000L;
    long high = 360_000_000_000L;
    double sum = 0;
    int n = 20_000;
    for (int i = 0; i < n; i++) {
      long x = a.nanos(ttl, 0.2, Duration.ofMinutes(30));
      assertThat(b.nanos(ttl, 0.2, Duration.ofMinutes(30))).isEqualTo(x);
      assertThat(x).isBetween(low, high);
      sum += x;
    }
    // Uniform over [240 s, 360 s]: the mean is 300 s within a fraction of a percent.
    assertThat(sum / n).isCloseTo(300e9, org.assertj.core.data.Percentage.withPercentage(0.5));
  }

  @Test
  void drawsOnceFromTheSourcePerCall() {
    int[] calls = {0};
    DoubleSupplier counting = () -> {
      calls[0]++;
      return 0.5;
    };
    Jitter jitter = new Jitter(counting);
    jitter.nanos(ONE_SECOND, 0.2, NO_CLAMP);
    jitter.nanos(ONE_SECOND, 0.2, NO_CLAMP);
    assertThat(calls[0]).isEqualTo(2);
  }

  @Test
  void aHardMaximumBeyondTheNanosecondRangeMeansNoClamp() {
    assertThat(nanos(0.5, Duration.ofMinutes(5), 0.2, Duration.ofDays(365L * 300)))
        .isEqualTo(300_000_000_000L);
  }
}
