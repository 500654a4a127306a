package dev.coherent.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class NearCacheIntegrationTests {
  @RegisterExtension final Runtimes runtimes = new Runtimes();

  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
  }

  /** Every message published on a namespace's channel, as a raw subscriber sees it. */
  private List<String> listen(String namespace) {
    HintTap tap = new HintTap(namespace, runtimes.tenant());
    closeables.add(tap);
    return tap.messages;
  }

  private static double count(MeterRegistry registry, String name, String... tags) {
    var counter = registry.find(name).tags(tags).counter();
    if (counter != null) {
      return counter.count();
    }
    var functionCounter = registry.find(name).tags(tags).functionCounter();
    return functionCounter == null ? 0 : functionCounter.count();
  }

  @Test
  void readsGoL1ThenL2ThenSourceAndCountEachTier() {
    MeterRegistry metersA = new SimpleMeterRegistry();
    MeterRegistry metersB = new SimpleMeterRegistry();
    FakeSource source = new FakeSource();
    source.write("42", "hammer");
    NearCache<String, String> a = runtimes.start("a", b -> b.meterRegistry(metersA))
        .namespace("catalog:product", Codecs.string(), NamespaceOptions.create(), source);
    NearCache<String, String> b = runtimes.start("b", bb -> bb.meterRegistry(metersB))
        .namespace("catalog:product", Codecs.string(), NamespaceOptions.create(), source);

    assertThat(a.get("42")).isEqualTo("hammer"); // source, fills L2
    assertThat(a.get("42")).isEqualTo("hammer"); // L1
    assertThat(b.get("42")).isEqualTo("hammer"); // L2
    assertThat(b.getVersioned("42")).isEqualTo(Versioned.of("hammer", 1));
    assertThat(source.loads).hasValue(1);

    assertThat(count(metersA, "coherent.gets", "tier", "load", "result", "hit")).isEqualTo(1);
    assertThat(count(metersA, "coherent.gets", "tier", "l1", "result", "hit")).isEqualTo(1);
    assertThat(count(metersB, "coherent.gets", "tier", "l2", "result", "hit")).isEqualTo(1);
    assertThat(count(metersB, "coherent.gets", "tier", "l1", "result", "hit")).isEqualTo(1);
    assertThat(metersA.find("coherent.load").tag("namespace", "catalog:product").timer().count())
        .isEqualTo(1);
    assertThat(metersA.find("coherent.l1.size").gauge().value()).isEqualTo(1);
  }

  @Test
  void notFoundIsNullAndCachedOnlyWithNegativeCaching() {
    FakeSource source = new FakeSource();
    CoherentRuntime runtime = runtimes.start("a");
    NearCache<String, String> plain =
        runtime.namespace("plain", Codecs.string(), NamespaceOptions.create(), source);
    assertThat(plain.get("missing")).isNull();
    assertThat(plain.get("missing")).isNull();
    assertThat(source.loads).hasValue(2);

    FakeSource other = new FakeSource();
    NearCache<String, String> negative = runtime.namespace("negative", Codecs.string(),
        NamespaceOptions.builder().negativeTtl(Duration.ofMinutes(1)).build(), other);
    assertThat(negative.get("missing")).isNull();
    assertThat(negative.get("missing")).isNull();
    assertThat(other.loads).hasValue(1);
    // A write after "not found" invalidates the negative entry like any other.
    long v = other.write("missing", "found now");
    negative.invalidate("missing", v);
    assertThat(negative.get("missing")).isEqualTo("found now");
  }

  @Test
  void aWriteOnOneInstanceDropsTheEntryOnTheOther() {
    FakeSource source = new FakeSource();
    source.write("1", "v1");
    NearCache<String, String> a = runtimes.start("a")
        .namespace("catalog:product", Codecs.string(), NamespaceOptions.create(), source);
    NearCache<String, String> b = runtimes.start("b")
        .namespace("catalog:product", Codecs.string(), NamespaceOptions.create(), source);
    assertThat(b.get("1")).isEqualTo("v1");

    long v2 = source.write("1", "v2");
    a.put("1", "v2", v2);
    await().atMost(Duration.ofSeconds(5)).until(() -> "v2".equals(b.get("1")));

    long v3 = source.write("1", "v3");
    a.invalidate("1", v3);
    await().atMost(Duration.ofSeconds(5)).until(() -> "v3".equals(b.get("1")));
    assertThat(a.get("1")).isEqualTo("v3");
  }

  @Test
  void fillsNeverPublishAndABatchOfInvalidationsIsOneMessage() {
    List<String> messages = listen("batch");
    FakeSource source = new FakeSource();
    Map<String, Long> versions = new HashMap<>();
    for (int i = 0; i < 10; i++) {
      source.write("k" + i, "v");
    }
    NearCache<String, String> a = runtimes.start("a")
        .namespace("batch", Codecs.string(), NamespaceOptions.create(), source);
    for (int i = 0; i < 10; i++) {
      a.get("k" + i);
    }
    assertThat(a.getAll(List.of("k0", "k1", "k2", "nope"))).containsOnlyKeys("k0", "k1", "k2");
    for (int i = 0; i < 10; i++) {
      versions.put("k" + i, source.write("k" + i, "w"));
    }
    a.invalidateAll(versions);
    await().atMost(Duration.ofSeconds(5)).until(() -> messages.size() == 1);
    assertThat(messages.get(0)).contains("\"type\":\"KEYS\"").contains("\"k\":\"k7\"")
        .contains("\"ns\":\"batch\"").contains("\"tenant\":\"" + runtimes.tenant() + "\"");
    for (int i = 0; i < 10; i++) {
      assertThat(a.get("k" + i)).isEqualTo("w");
    }
    assertThat(messages).hasSize(1);
  }

  @Test
  void outOfOrderPutsFromTwoInstancesEndAtTheHighestVersion() throws Exception {
    NearCache<String, String> a = runtimes.start("a").namespace("cas", Codecs.string());
    NearCache<String, String> b = runtimes.start("b").namespace("cas", Codecs.string());
    int writes = 200;
    ExecutorService pool = Executors.newFixedThreadPool(4);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      final int thread = t;
      futures.add(pool.submit(() -> {
        start.await();
        // Each thread writes the versions of its residue class, newest first then oldest: lots
        // of older writes arrive after newer ones.
        for (int v = writes - thread; v > 0; v -= 4) {
          (v % 2 == 0 ? a : b).put("key", "value-" + v, v);
        }
        return null;
      }));
    }
    start.countDown();
    for (Future<?> f : futures) {
      f.get();
    }
    pool.shutdown();
    VersionedLoader<String, String> failing = key -> {
      throw new AssertionError("L2 must hold the value");
    };
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      assertThat(a.get("key", failing)).isEqualTo("value-" + writes);
      assertThat(b.get("key", failing)).isEqualTo("value-" + writes);
    });
    // A third instance reads L2 only: the highest version is what Redis kept.
    NearCache<String, String> c = runtimes.start("c").namespace("cas", Codecs.string());
    assertThat(c.get("key", failing)).isEqualTo("value-" + writes);
  }

  @Test
  void jsonCodecRoundTripsRecordsThroughL2() {
    VersionedLoader<Long, Product> loader = id -> Versioned.of(new Product(id, "drill", 4999), 3);
    NearCache<Long, Product> a = runtimes.start("a").namespace("json", Codecs.json(Product.class),
        NamespaceOptions.create(), String::valueOf, loader);
    NearCache<Long, Product> b = runtimes.start("b").namespace("json", Codecs.json(Product.class),
        NamespaceOptions.create(), String::valueOf, id -> {
          throw new AssertionError("must come from L2");
        });
    assertThat(a.get(7L)).isEqualTo(new Product(7, "drill", 4999));
    assertThat(b.getVersioned(7L)).isEqualTo(Versioned.of(new Product(7, "drill", 4999), 3));
  }

  @Test
  void metersFollowMicrometersCacheConventionsToo() {
    io.micrometer.core.instrument.MeterRegistry meters =
        new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    FakeSource source = new FakeSource();
    source.write("a", "A");
    source.write("b", "B");
    source.write("c", "C");
    NearCache<String, String> cache = runtimes.start("conventions", x -> x.meterRegistry(meters))
        .namespace("conventions", Codecs.string(),
            NamespaceOptions.builder().l1MaximumSize(2).build(), source);
    cache.get("a"); // miss: loaded
    cache.get("a"); // L1 hit
    cache.flushLocal();
    cache.get("a"); // L2 hit
    cache.put("p", "P", 1);
    cache.get("b");
    cache.get("c"); // three values in an L1 bounded at two

    assertThat(Meters.count(meters, "cache.gets", "cache", "conventions", "result", "hit"))
        .isEqualTo(2);
    assertThat(Meters.count(meters, "cache.gets", "cache", "conventions", "result", "miss"))
        .isEqualTo(3);
    assertThat(Meters.count(meters, "cache.puts", "cache", "conventions")).isEqualTo(4);
    await().atMost(java.time.Duration.ofSeconds(5)).untilAsserted(() -> {
      cache.get("a"); // reads let Caffeine run its size eviction
      assertThat(Meters.count(meters, "cache.evictions", "cache", "conventions")).isPositive();
      assertThat(meters.get("cache.size").tag("cache", "conventions").gauge().value())
          .isLessThanOrEqualTo(3);
    });
  }

  @Test
  void getVersionedWithAGivenLoaderWorksWithoutADefaultOne() {
    NearCache<String, String> a = runtimes.start("a").namespace("versioned", Codecs.string());
    assertThat(a.getVersioned("k", key -> Versioned.of("v5", 5))).isEqualTo(Versioned.of("v5", 5));
    assertThat(a.getVersioned("k", key -> {
      throw new AssertionError("an L1 hit");
    })).isEqualTo(Versioned.of("v5", 5));
    assertThatThrownBy(() -> a.getVersioned("k")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("has no loader");
  }

  @Test
  void getAsyncCompletesWithTheValueAndCoalescesWithSyncReads() throws Exception {
    FakeSource source = new FakeSource();
    source.write("x", "async");
    NearCache<String, String> a = runtimes.start("a")
        .namespace("async", Codecs.string(), NamespaceOptions.create(), source);
    assertThat(a.getAsync("x").get()).isEqualTo("async");
    assertThat(a.getAsync("x").isDone()).isTrue(); // L1 hit completes at once
    assertThat(source.loads).hasValue(1);
  }

  @Test
  void loaderFailuresReachTheCallerAndAreNotCached() {
    NearCache<String, String> a = runtimes.start("a").namespace("failing", Codecs.string());
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> a.get("k", key -> {
      throw new IllegalStateException("database is on fire");
    })).isInstanceOf(CacheLoadException.class).hasRootCauseMessage("database is on fire")
        .hasMessageStartingWith("loading key 'k' of namespace failing failed:");
    assertThat(a.get("k", key -> Versioned.of("fine", 1))).isEqualTo("fine");
  }
}
