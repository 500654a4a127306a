package dev.coherent.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.coherent.devservices.RedisService;
import dev.coherent.devservices.Services;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Redis stopped mid-run (its data lost) and started again on the same port. */
class RedisOutageIntegrationTests {
  @RegisterExtension final Runtimes runtimes = new Runtimes();

  private final RedisService redis = Services.redis();

  @AfterEach
  void redisIsBack() {
    if (!redis.isReachable()) {
      redis.start();
    }
  }

  @Test
  void readsFallBackWritesAreRememberedAndEveryoneIsFreshAfterRecovery() {
    assumeTrue(redis.canStopAndStart(), "needs a Redis this JVM can stop and start");
    MeterRegistry writerMeters = new SimpleMeterRegistry();
    FakeSource source = new FakeSource();
    source.write("k", "v1");
    source.write("other", "o1");
    NearCache<String, String> writer = runtimes.start("writer", b -> b.meterRegistry(writerMeters))
        .namespace("outage", Codecs.string(), NamespaceOptions.create(), source);
    NearCache<String, String> reader = runtimes.start("reader")
        .namespace("outage", Codecs.string(), NamespaceOptions.create(), source);
    assertThat(reader.get("k")).isEqualTo("v1");
    assertThat(writer.get("k")).isEqualTo("v1");

    redis.stop();
    // Reads that miss L1 go to the source: no exception reaches the caller.
    assertThat(reader.get("other")).isEqualTo("o1");
    // A write while Redis is down: applied locally at once, remembered for the others.
    long v2 = source.write("k", "v2");
    double publishedBefore = Meters.count(writerMeters, "coherent.hints.published", "namespace", "outage");
    writer.invalidate("k", v2);
    assertThat(writer.get("k")).isEqualTo("v2");
    assertThat(writer.status().degraded()).isTrue();

    redis.start();
    // The writer replays its remembered invalidation; the reader reconciles on resubscription.
    await().atMost(Duration.ofSeconds(20)).until(() -> "v2".equals(reader.get("k")));
    await().atMost(Duration.ofSeconds(20)).until(() ->
        Meters.count(writerMeters, "coherent.hints.published", "namespace", "outage") > publishedBefore);
    await().atMost(Duration.ofSeconds(20)).until(() -> !writer.status().degraded());
    // And the cache works normally again.
    long v3 = source.write("k", "v3");
    writer.put("k", "v3", v3);
    await().atMost(Duration.ofSeconds(5)).until(() -> "v3".equals(reader.get("k")));
  }

  @Test
  void entriesLoadedWhileRedisIsDownLiveOnlyTheDegradedTtl() {
    assumeTrue(redis.canStopAndStart(), "needs a Redis this JVM can stop and start");
    java.util.concurrent.atomic.AtomicLong nanos = new java.util.concurrent.atomic.AtomicLong();
    FakeSource source = new FakeSource();
    source.write("k", "v1");
    // Loads on the calling thread, so the entry's expiry is set before get() returns (fake ticker).
    NearCache<String, String> cache = runtimes.start("a", b -> b.ticker(nanos::get)
            .loadExecutor(Runnable::run))
        .namespace("degraded", Codecs.string(), NamespaceOptions.builder()
            .degradedL1Ttl(Duration.ofSeconds(1)).build(), source);
    redis.stop();
    assertThat(cache.get("k")).isEqualTo("v1");
    assertThat(cache.get("k")).isEqualTo("v1");
    assertThat(source.loads).hasValue(1);
    nanos.addAndGet(Duration.ofMillis(1500).toNanos());
    assertThat(cache.get("k")).isEqualTo("v1");
    assertThat(source.loads).hasValue(2);
  }
}
