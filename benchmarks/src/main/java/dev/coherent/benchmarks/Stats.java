package dev.coherent.benchmarks;

import java.util.Arrays;

/** Percentiles of recorded latencies (nanoseconds). Not thread-safe: fill it on one thread. */
public final class Stats {
  private long[] values = new long[1024];
  private int size;

  public void add(long nanos) {
    if (size == values.length) {
      values = Arrays.copyOf(values, size * 2);
    }
    values[size++] = nanos;
  }

  public void addAll(Stats other) {
    for (int i = 0; i < other.size; i++) {
      add(other.values[i]);
    }
  }

  public int count() {
    return size;
  }

  /** The nearest-rank percentile in milliseconds (NaN when empty), {@code p} in (0, 100]. */
  public double percentileMs(double p) {
    if (size == 0) {
      return Double.NaN;
    }
    long[] sorted = Arrays.copyOf(values, size);
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(p / 100.0 * size);
    return sorted[Math.max(0, Math.min(size - 1, rank - 1))] / 1e6;
  }

  public double maxMs() {
    return percentileMs(100);
  }

  public double meanMs() {
    if (size == 0) {
      return Double.NaN;
    }
    double sum = 0;
    for (int i = 0; i < size; i++) {
      sum += values[i];
    }
    return sum / size / 1e6;
  }
}
