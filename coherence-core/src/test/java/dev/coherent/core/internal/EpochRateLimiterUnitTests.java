package dev.coherent.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Ticker;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A fixed one-second window on an injected ticker; time is an {@link AtomicLong}, never slept. */
class EpochRateLimiterUnitTests {
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  private final AtomicLong nanos = new AtomicLong(1_000_000L);
  private final Ticker ticker = nanos::get;

  private static int acquire(EpochRateLimiter limiter, int attempts) {
    int granted = 0;
    for (int i = 0; i < attempts; i++) {
      if (limiter.tryAcquire()) {
        granted++;
      }
    }
    return granted;
  }

  @Test
  void allowsExactlyNPerWindow() {
    EpochRateLimiter limiter = new EpochRateLimiter(3, ticker);
    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.tryAcquire()).isFalse();
    assertThat(acquire(limiter, 100)).isZero();
  }

  @Test
  void resetsWhenASecondOfTickerTimeHasPassed() {
    EpochRateLimiter limiter = new EpochRateLimiter(2, ticker);
    assertThat(acquire(limiter, 5)).isEqualTo(2);

    nanos.addAndGet(SECOND - 1);
    assertThat(limiter.tryAcquire()).as("1 ns before the window ends").isFalse();

    nanos.addAndGet(1);
    assertThat(acquire(limiter, 5)).as("exactly one second after the window began").isEqualTo(2);
  }

  @Test
  void theFirstWindowStartsWhenTheLimiterIsCreated() {
    EpochRateLimiter limiter = new EpochRateLimiter(1, ticker);
    nanos.addAndGet(SECOND / 2);
    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.tryAcquire()).isFalse();
    // Half a second after the first permit, but a full second after creation: a new window.
    nanos.addAndGet(SECOND / 2);
    assertThat(limiter.tryAcquire()).isTrue();
  }

  @Test
  void aNewWindowStartsAtTheCallThatOpensIt() {
    EpochRateLimiter limiter = new EpochRateLimiter(1, ticker);
    assertThat(limiter.tryAcquire()).isTrue();
    nanos.addAndGet(SECOND + SECOND / 5); // 1.2 s: the window restarts here
    assertThat(limiter.tryAcquire()).isTrue();
    nanos.addAndGet(SECOND - SECOND / 10); // 2.1 s: still inside the window opened at 1.2 s
    assertThat(limiter.tryAcquire()).isFalse();
    nanos.addAndGet(SECOND / 10); // 2.2 s
    assertThat(limiter.tryAcquire()).isTrue();
  }

  @Test
  void unusedWindowsDoNotAccumulate() {
    EpochRateLimiter limiter = new EpochRateLimiter(2, ticker);
    nanos.addAndGet(10 * SECOND);
    assertThat(acquire(limiter, 10)).isEqualTo(2);
  }

  @Test
  void concurrentCallersNeverGetMoreThanTheLimit() throws Exception {
    EpochRateLimiter limiter = new EpochRateLimiter(10, ticker);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Callable<Integer>> tasks = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        tasks.add(() -> acquire(limiter, 1_000));
      }
      int granted = 0;
      for (Future<Integer> f : pool.invokeAll(tasks)) {
        granted += f.get();
      }
      assertThat(granted).isEqualTo(10);
    } finally {
      pool.shutdownNow();
    }
  }
}
