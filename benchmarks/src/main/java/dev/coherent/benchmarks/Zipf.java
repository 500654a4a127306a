package dev.coherent.benchmarks;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Zipfian key indices, precomputed so the measured loop only reads an array. Rank {@code r}
 * (0-based) has probability proportional to {@code 1 / (r + 1)^s}; ranks are mapped to key indices
 * through a seeded permutation so the hottest keys are spread over the key space, as YCSB's
 * "scrambled Zipfian" does. Immutable after construction; deterministic for a seed.
 */
public final class Zipf {
  /** YCSB's default skew. */
  public static final double DEFAULT_EXPONENT = 0.99;

  private Zipf() {}

  /**
   * {@code samples} indices in {@code [0, keys)}.
   *
   * @param samples how many indices (use a power of two so callers can mask the cursor)
   */
  public static int[] indices(int keys, int samples, double exponent, long seed) {
    if (keys < 1) {
      throw new IllegalArgumentException("keys must be at least 1 but was " + keys);
    }
    if (samples < 1) {
      throw new IllegalArgumentException("samples must be at least 1 but was " + samples);
    }
    if (!(exponent > 0)) {
      throw new IllegalArgumentException("exponent must be positive but was " + exponent);
    }
    double[] cumulative = new double[keys];
    double sum = 0;
    for (int r = 0; r < keys; r++) {
      sum += 1.0 / Math.pow(r + 1, exponent);
      cumulative[r] = sum;
    }
    SplittableRandom random = new SplittableRandom(seed);
    int[] permutation = new int[keys];
    for (int i = 0; i < keys; i++) {
      permutation[i] = i;
    }
    for (int i = keys - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = permutation[i];
      permutation[i] = permutation[j];
      permutation[j] = t;
    }
    int[] out = new int[samples];
    for (int i = 0; i < samples; i++) {
      double u = random.nextDouble() * sum;
      int rank = Arrays.binarySearch(cumulative, u);
      if (rank < 0) {
        rank = -rank - 1;
      }
      out[i] = permutation[Math.min(rank, keys - 1)];
    }
    return out;
  }
}
