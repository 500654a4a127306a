package dev.coherent.core.internal;

import com.github.benmanes.caffeine.cache.Ticker;

/**
 * At most {@code perSecond} permits in any one-second window (a fixed window on the injected
 * ticker). Thread-safe: synchronized; it is called only for EPOCH changes, which are rare.
 */
final class EpochRateLimiter {
  private static final long WINDOW_NANOS = 1_000_000_000L;
  private final int perSecond;
  private final Ticker ticker;
  private long windowStart;
  private int used;

  EpochRateLimiter(int perSecond, Ticker ticker) {
    this.perSecond = perSecond;
    this.ticker = ticker;
    this.windowStart = ticker.read();
  }

  synchronized boolean tryAcquire() {
    long now = ticker.read();
    if (now - windowStart >= WINDOW_NANOS) {
      windowStart = now;
      used = 0;
    }
    if (used < perSecond) {
      used++;
      return true;
    }
    return false;
  }
}
