package dev.coherent.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * L1 deadlines on the default clock: with no ticker configured, L1 hits read a coarse copy of the
 * system ticker that the runtime's {@code coherent-clock} thread refreshes (every other L1 test
 * injects a fake ticker, which L1 reads directly).
 */
class L1ClockIntegrationTests {
  @RegisterExtension final Runtimes runtimes = new Runtimes();

  private static final NamespaceOptions.Builder L1_ONLY = NamespaceOptions.builder().l2Enabled(false);

  @Test
  void anEntryIsServedFromL1UntilItsTtlAndThenReloaded() {
    FakeSource source = new FakeSource();
    source.write("k", "v1");
    Duration ttl = Duration.ofSeconds(2);
    NearCache<String, String> cache = runtimes.start("a").namespace("clock",
        Codecs.string(), L1_ONLY.l1Ttl(ttl).ttlJitter(0).build(), source);
    long start = System.nanoTime();

    assertThat(cache.get("k")).isEqualTo("v1");
    assertThat(cache.get("k")).isEqualTo("v1");
    assertThat(source.loads.get()).as("the second read is an L1 hit").isEqualTo(1);

    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> {
      cache.get("k");
      return source.loads.get() == 2;
    });
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .as("served from L1 for about its TTL, not expired at once")
        .isGreaterThan(ttl.dividedBy(2));
  }

  @Test
  void aNotFoundWithoutNegativeCachingIsNeverServedEvenWithinOneClockTick() {
    FakeSource source = new FakeSource();
    NearCache<String, String> cache = runtimes.start("a", b -> b.l1ClockResolution(Duration.ofSeconds(1)))
        .namespace("clock", Codecs.string(), L1_ONLY.build(), source);

    for (int i = 1; i <= 5; i++) {
      assertThat(cache.get("missing")).isNull();
      assertThat(source.loads.get()).isEqualTo(i);
    }
  }

  @Test
  void closingTheRuntimeStopsItsClockThread() {
    long before = clockThreads();
    CoherentRuntime runtime = runtimes.start("a");
    assertThat(clockThreads()).isEqualTo(before + 1);

    runtime.close();
    await().atMost(Duration.ofSeconds(5)).until(() -> clockThreads() == before);
  }

  @Test
  void afterCloseTheFrozenClockServesNothing() {
    FakeSource source = new FakeSource();
    source.write("k", "v1");
    CoherentRuntime runtime = runtimes.start("a");
    NearCache<String, String> cache =
        runtime.namespace("clock", Codecs.string(), L1_ONLY.build(), source);
    assertThat(cache.get("k")).isEqualTo("v1");

    runtime.close();

    assertThatThrownBy(() -> cache.get("k")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed runtime");
  }

  @Test
  void aConfiguredTickerIsReadDirectlyAndStartsNoClockThread() {
    long before = clockThreads();
    runtimes.start("a", b -> b.ticker(com.github.benmanes.caffeine.cache.Ticker.systemTicker()::read));
    assertThat(clockThreads()).isEqualTo(before);
  }

  private static long clockThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("coherent-clock-"))
        .count();
  }
}
