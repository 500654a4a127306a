package dev.coherent.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TtlJitterIntegrationTests {
  @RegisterExtension final Runtimes runtimes = new Runtimes();

  @Test
  void expiriesOfABatchLoadedTogetherSpreadAcrossTheJitterWindow() {
    AtomicLong nanos = new AtomicLong();
    Ticker ticker = nanos::get;
    Random seeded = new Random(42);
    Duration ttl = Duration.ofSeconds(100);
    NamespaceOptions options = NamespaceOptions.builder().l2Enabled(false).l1Ttl(ttl)
        .ttlJitter(0.2).l1MaxTtl(Duration.ofSeconds(115)).build();
    FakeSource source = new FakeSource();
    int n = 1000;
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      keys.add("k" + i);
      source.write("k" + i, "v");
    }
    NearCache<String, String> cache = runtimes.start("a", b -> b.ticker(ticker)
        .random(seeded::nextDouble)).namespace("jitter", Codecs.string(), options, source);
    cache.getAll(keys);
    assertThat(source.loads.get()).isEqualTo(n);

    // Walk time forward in 5 s steps; a key that needs a load has expired (from then on it is
    // counted as expired whatever its reloaded copy does).
    java.util.Set<String> expired = java.util.concurrent.ConcurrentHashMap.newKeySet();
    VersionedLoader<String, String> probe = key -> {
      expired.add(key);
      return Versioned.of("v", 1);
    };
    List<Integer> alive = new ArrayList<>();
    for (int second = 0; second <= 120; second += 5) {
      nanos.set(Duration.ofSeconds(second).toNanos());
      for (String key : keys) {
        cache.get(key, probe);
      }
      alive.add(n - expired.size());
    }
    // Not one expired before 80 s, all by 115 s (the hard maximum clamps the +20 % tail).
    assertThat(alive.subList(0, 16)).allMatch(count -> count == n); // 0..75 s
    assertThat(alive.get(23)).isZero(); // 115 s
    // In between they spread: at 100 s roughly half are gone, and no single step takes them all.
    assertThat(alive.get(20)).isBetween(n * 3 / 10, n * 7 / 10);
    for (int i = 1; i < alive.size(); i++) {
      assertThat(alive.get(i - 1) - alive.get(i)).isLessThan(n / 3);
    }
  }
}
