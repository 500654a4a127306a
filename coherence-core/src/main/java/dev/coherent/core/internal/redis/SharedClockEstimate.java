package dev.coherent.core.internal.redis;

import org.jspecify.annotations.Nullable;

/**
 * A lower bound of Redis's clock (microseconds) from the instance's monotonic ticker, without a
 * round trip: a calibration reads Redis's clock {@code r} between ticker readings {@code sent} and
 * {@code received}; at a later ticker reading {@code t} Redis's clock is at least {@code r + (t -
 * received) - DRIFT * (t - sent)}, whatever the instance's wall clock says, as long as the two
 * clocks' rates differ by less than {@link #DRIFT} (crystal oscillators differ by about 10^-5;
 * ntpd slews a clock by at most 5 x 10^-4; chrony may slew faster while correcting a large offset,
 * which the reply check of {@code RedisUpdateTimestamps} catches). A new calibration replaces the current one only if it
 * gives the higher bound, so {@link #now} never decreases, unless a reading proves the estimate
 * ran ahead of Redis's clock (then that reading replaces it: a bound above the clock is wrong).
 *
 * <p>Thread-safety: the calibration is one immutable record behind a volatile field, replaced by
 * the runtime's maintenance thread under this object's lock; {@link #now} runs on any thread and
 * reads the field before the ticker (so the ticker reading is never older than the calibration).
 */
final class SharedClockEstimate {
  /** The relative rate difference allowed between the ticker and Redis's clock. */
  static final double DRIFT = 1e-3;

  private record Calibration(long redisMicros, long sentNanos, long receivedNanos) {
    long at(long nanos) {
      long sinceReply = nanos - receivedNanos;
      long allowance = (long) Math.ceil((nanos - sentNanos) * DRIFT);
      return redisMicros + Math.floorDiv(sinceReply - allowance, 1000);
    }
  }

  private volatile @Nullable Calibration current;

  /** The bound at ticker reading {@code nanos} (read after this call began); 0 if uncalibrated. */
  long now(java.util.function.LongSupplier ticker) {
    Calibration c = current;
    if (c == null) {
      return 0;
    }
    return Math.max(0, c.at(ticker.getAsLong()));
  }

  /**
   * Adopts a reading of Redis's clock taken between the two ticker readings if it is better, or
   * in any case with {@code replace}.
   */
  synchronized void calibrate(long redisMicros, long sentNanos, long receivedNanos,
      boolean replace) {
    Calibration candidate = new Calibration(redisMicros, sentNanos, receivedNanos);
    Calibration c = current;
    if (replace || c == null || candidate.at(receivedNanos) >= c.at(receivedNanos)) {
      current = candidate;
    }
  }

  /** Ticker nanoseconds since the current calibration's reply, or -1 if uncalibrated. */
  long age(long nanos) {
    Calibration c = current;
    return c == null ? -1 : nanos - c.receivedNanos();
  }
}
