package dev.coherent.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CoarseTickerUnitTests {
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final AtomicLong source = new AtomicLong(100);

  @AfterEach
  void stop() {
    scheduler.shutdownNow();
  }

  @Test
  void readsTheSourceAsOfTheLastRefresh() {
    CoarseTicker ticker = new CoarseTicker(source::get, Duration.ofHours(1), scheduler);
    assertThat(ticker.read()).isEqualTo(100);

    source.set(500);
    assertThat(ticker.read()).as("not refreshed yet").isEqualTo(100);
    ticker.refresh();
    assertThat(ticker.read()).isEqualTo(500);
  }

  @Test
  void theSchedulerRefreshesItEveryResolution() {
    CoarseTicker ticker = new CoarseTicker(source::get, Duration.ofMillis(1), scheduler);
    for (long value = 1_000; value <= 5_000; value += 1_000) {
      source.set(value);
      long expected = value;
      await().atMost(Duration.ofSeconds(5)).until(() -> ticker.read() == expected);
    }
  }
}
