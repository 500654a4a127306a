package dev.coherent.demo.internal.scenario;

import java.util.Arrays;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Judges every read of instance-b against the writes: a read that started at {@code t} and got
 * version {@code r} is <em>stale</em> when a version above {@code r} had been committed before
 * {@code t}, and its staleness is {@code t} minus the commit time of the oldest such version (how
 * long b had already been serving something older than the database). A write's staleness is the
 * longest any read was stale with respect to it (0 when b never served an older version after
 * it committed). A commit's time is when its writer learned that it committed (A's answer, the
 * JDBC call's return), so the writer's own latency never counts as staleness.
 *
 * <p>Thread-safe: writers and readers call it concurrently; per-product histories are concurrent
 * skip-list maps of immutable records, per-write results and counters are atomics.
 */
public final class StalenessRecorder {
  /** A committed version: when, and its index among the writes (-1 for a baseline). */
  private record Commit(long nanos, int index) {}

  private final long boundNanos;
  private final int capacity;
  private final Map<Long, NavigableMap<Long, Commit>> history = new ConcurrentHashMap<>();
  private final AtomicInteger writes = new AtomicInteger();
  private final AtomicLongArray writeStaleness;
  private final AtomicLong reads = new AtomicLong();
  private final AtomicLong staleReads = new AtomicLong();
  private final AtomicLong beyondBound = new AtomicLong();
  private final AtomicLong maxNanos = new AtomicLong();

  /**
   * @param boundNanos reads staler than this count in {@code staleReadsBeyondBound}
   * @param capacity the most writes that will be recorded
   */
  public StalenessRecorder(long boundNanos, int capacity) {
    this.boundNanos = boundNanos;
    this.capacity = capacity;
    this.writeStaleness = new AtomicLongArray(capacity);
  }

  /** The version a product had before the run: what b may serve until the first write. */
  public void baseline(long id, long version) {
    versions(id).putIfAbsent(version, new Commit(Long.MIN_VALUE, -1));
  }

  /** A write of {@code version} ({@link CatalogClient#DELETED} for a delete) committed. */
  public void committed(long id, long version, long commitNanos) {
    int index = writes.getAndIncrement();
    if (index >= capacity) {
      throw new IllegalStateException("more than " + capacity + " writes recorded");
    }
    versions(id).put(version, new Commit(commitNanos, index));
  }

  /** A read of b that started at {@code startNanos} and served {@code version}. */
  public void read(long id, long startNanos, long version) {
    reads.incrementAndGet();
    NavigableMap<Long, Commit> known = history.get(id);
    if (known == null) {
      return;
    }
    long worst = 0;
    for (Commit newer : known.tailMap(version, false).values()) {
      if (newer.index < 0 || newer.nanos - startNanos >= 0) {
        continue; // a baseline, or not yet committed (as its writer knew) when the read started
      }
      long staleness = startNanos - newer.nanos;
      worst = Math.max(worst, staleness);
      writeStaleness.accumulateAndGet(newer.index, staleness, Math::max);
    }
    if (worst > 0) {
      staleReads.incrementAndGet();
      maxNanos.accumulateAndGet(worst, Math::max);
      if (worst > boundNanos) {
        beyondBound.incrementAndGet();
      }
    }
  }

  /** What was measured so far. */
  public Summary summary() {
    int n = Math.min(writes.get(), capacity);
    long[] perWrite = new long[n];
    for (int i = 0; i < n; i++) {
      perWrite[i] = writeStaleness.get(i);
    }
    Arrays.sort(perWrite);
    return new Summary(reads.get(), staleReads.get(), beyondBound.get(), millis(maxNanos.get()),
        millis(percentile(perWrite, 0.50)), millis(percentile(perWrite, 0.99)), n);
  }

  /**
   * Reads of b, how many were stale and how many beyond the bound; the worst staleness of a read,
   * and the median and 99th percentile of the writes' staleness, in milliseconds.
   */
  public record Summary(long reads, long staleReads, long staleReadsBeyondBound,
      double maxStalenessMs, double p50StalenessMs, double p99StalenessMs, int writes) {}

  private NavigableMap<Long, Commit> versions(long id) {
    return history.computeIfAbsent(id, k -> new ConcurrentSkipListMap<>());
  }

  /** The nearest-rank percentile of sorted values (0 for none). */
  static long percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(p * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  /** Nanoseconds as milliseconds with two decimals. */
  static double millis(long nanos) {
    return Math.round(nanos / 10_000.0) / 100.0;
  }
}
