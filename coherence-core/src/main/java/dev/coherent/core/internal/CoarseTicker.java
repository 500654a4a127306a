package dev.coherent.core.internal;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The clock of the L1 read path: the time of a source {@link Ticker} as of its last refresh,
 * which a scheduler makes every {@code resolution}. Reading it is one volatile load.
 *
 * <p>Why: an L1 hit checks the entry's deadline. Reading {@link System#nanoTime()} there costs
 * more than its ~20 ns: it orders the CPU's instruction stream, so the cache misses of successive
 * lookups in a large cache stop overlapping. Measured here (JMH, Zipf over 100,000 keys), a
 * Caffeine lookup plus a {@code nanoTime} deadline check ran at 0.31 x the lookup alone; with this
 * ticker the check is nearly free (see BENCHMARKS.md).
 *
 * <p>The price is precision: a deadline computed and checked on this ticker is met to within the
 * resolution plus however late the refresh runs, in both directions. That is why it runs on its own
 * scheduler thread, which never does anything else. Thread-safe.
 */
final class CoarseTicker implements Ticker {
  private final Ticker source;
  private volatile long now;

  /**
   * Starts refreshing from {@code source} every {@code resolution} on {@code scheduler}, which
   * should do nothing else; the refresh stops when the scheduler shuts down.
   */
  public CoarseTicker(Ticker source, Duration resolution, ScheduledExecutorService scheduler) {
    this.source = source;
    this.now = source.read();
    long period = resolution.toNanos();
    scheduler.scheduleAtFixedRate(this::refresh, period, period, TimeUnit.NANOSECONDS);
  }

  /** Takes the source's time now; called by the scheduler (and by tests). */
  void refresh() {
    now = source.read();
  }

  @Override
  public long read() {
    return now;
  }
}
