package dev.coherent.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.coherent.core.internal.NamespaceCache;
import dev.coherent.devservices.Services;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What Hibernate's and Spring's cache SPIs need from a namespace, against real Redis: reads that
 * never load, fills that never publish, a version-less evict, get-or-create, async bulk reads,
 * warm-up, and the fence (callers get the public type only).
 */
class IntegratorApiIntegrationTests {
  private static final String NS = "catalog:product";

  @RegisterExtension final Runtimes runtimes = new Runtimes();

  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final FakeSource source = new FakeSource();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
  }

  private StatefulRedisConnection<String, String> redis() {
    RedisClient client = RedisClient.create(Services.redis().uri());
    StatefulRedisConnection<String, String> connection = client.connect();
    closeables.add(() -> {
      connection.close();
      client.shutdown();
    });
    return connection;
  }

  /** Every message published on the namespace's channel, as a raw subscriber sees it. */
  private List<String> listen() {
    HintTap tap = new HintTap(NS, runtimes.tenant());
    closeables.add(tap);
    return tap.messages;
  }

  private NearCache<String, String> start(String instance, NamespaceOptions options,
      MeterRegistry meters) {
    return runtimes.start(instance, b -> b.meterRegistry(meters))
        .namespace(NS, Codecs.string(), options, source);
  }

  private NearCache<String, String> start(String instance) {
    return start(instance, NamespaceOptions.create(), new SimpleMeterRegistry());
  }

  // --------------------------------------------------------------------------- getIfPresent

  @Test
  void getIfPresentReadsL1ThenL2AndNeverTheLoaderTheLeaseOrANegativeEntry() {
    MeterRegistry meters = new SimpleMeterRegistry();
    NearCache<String, String> a = start("a", NamespaceOptions.builder()
        .negativeTtl(Duration.ofMinutes(1)).lease(Duration.ofSeconds(5), Duration.ofSeconds(1))
        .build(), meters);
    NearCache<String, String> b = start("b");
    StatefulRedisConnection<String, String> redis = redis();

    assertThat(a.getIfPresent("missing")).isNull();
    assertThat(a.getVersionedIfPresent("missing")).isNull();
    assertThat(source.loads).as("never the loader").hasValue(0);
    assertThat(a.localSize()).as("nothing cached as not found, no claim left").isZero();
    assertThat(redis.sync().keys("coherent:{" + runtimes.tenant() + ":" + NS + "}:lease:*"))
        .as("never the lease").isEmpty();
    assertThat(meters.find("coherent.loads").counters())
        .allSatisfy(c -> assertThat(c.count()).isZero());
    assertThat(Meters.count(meters, "cache.gets", "cache", NS, "result", "miss"))
        .as("Micrometer's cache conventions count both as misses").isEqualTo(2);
    // Negative caching still works for a real read afterwards: the probe created nothing.
    assertThat(a.get("missing")).isNull();
    assertThat(source.loads).hasValue(1);

    source.write("42", "hammer");
    assertThat(b.get("42")).isEqualTo("hammer"); // b loads it and fills L2
    assertThat(a.getIfPresent("42")).as("from L2").isEqualTo("hammer");
    assertThat(a.getVersionedIfPresent("42")).isEqualTo(Versioned.of("hammer", 1));
    assertThat(source.loads).as("a read L2 only").hasValue(2);
    assertThat(a.localSize()).as("the L2 answer is in L1 now").isEqualTo(2);
  }

  @Test
  void getIfPresentNeverAnswersBelowAnInvalidation() {
    NearCache<String, String> a = start("a");
    NearCache<String, String> b = start("b");
    source.write("42", "hammer");
    assertThat(a.get("42")).isEqualTo("hammer");

    long v2 = source.write("42", "hammer v2");
    b.invalidate("42", v2); // a tombstone in L2 and a hint to a

    await().atMost(Duration.ofSeconds(5)).until(() -> a.getIfPresent("42") == null);
    assertThat(b.getIfPresent("42")).as("L2 holds the tombstone").isNull();
    int loads = source.loads.get();
    assertThat(a.get("42")).isEqualTo("hammer v2");
    assertThat(source.loads.get()).isEqualTo(loads + 1);
    assertThat(b.getIfPresent("42")).isEqualTo("hammer v2");
  }

  @Test
  void aCachedNotFoundIsAnAbsentVersionAndNotANull() {
    NearCache<String, String> a = start("a", NamespaceOptions.builder()
        .negativeTtl(Duration.ofMinutes(1)).build(), new SimpleMeterRegistry());
    assertThat(a.get("gone")).isNull(); // cached as not found

    assertThat(a.getVersionedIfPresent("gone")).isEqualTo(Versioned.absent(0));
    assertThat(a.getIfPresent("gone")).isNull();
  }

  // ------------------------------------------------------------------------------------- fill

  @Test
  void fillStoresInL1AndL2WithoutAHint() {
    List<String> hints = listen();
    NearCache<String, String> a = start("a");
    NearCache<String, String> b = start("b");

    MeterRegistry meters = new SimpleMeterRegistry();
    NearCache<String, String> c = start("c", NamespaceOptions.create(), meters);
    assertThat(a.fill("42", "hammer", 3)).isTrue();
    assertThat(c.fill("41", "tack", 1)).isTrue();
    assertThat(Meters.count(meters, "cache.puts", "cache", NS)).isEqualTo(1);

    assertThat(a.getIfPresent("42")).isEqualTo("hammer");
    assertThat(b.getVersioned("42")).as("from L2, not the source")
        .isEqualTo(Versioned.of("hammer", 3));
    assertThat(source.loads).hasValue(0);
    assertThat(a.fill("42", "hammer", 3)).as("L1 already serves it").isFalse();
    a.put("43", "nail", 1); // the control: a put publishes
    await().atMost(Duration.ofSeconds(5)).until(() -> hints.size() == 1);
    assertThat(hints).singleElement().asString().contains("\"43\"").doesNotContain("\"42\"");
  }

  @Test
  void aFillBelowWhatAnyTierKnowsIsNeverServed() {
    NearCache<String, String> a = start("a");
    NearCache<String, String> b = start("b");
    source.write("42", "v1");
    long v2 = source.write("42", "v2");
    a.put("42", "v2", v2);

    b.fill("42", "v1", 1); // a stale read from a lagging replica, say

    assertThat(b.getVersioned("42")).isEqualTo(Versioned.of("v2", 2));
    assertThat(a.getVersioned("42")).isEqualTo(Versioned.of("v2", 2));
    b.invalidate("42", 5);
    await().atMost(Duration.ofSeconds(5)).until(() -> a.getIfPresent("42") == null);

    assertThat(a.fill("42", "v2", 2)).as("refused: below the floor").isFalse();
    assertThat(a.getIfPresent("42")).isNull();
    assertThat(b.getIfPresent("42")).isNull();
  }

  // ------------------------------------------------------------------------------------ evict

  @Test
  void evictDropsEveryCopyEverywhereAndANewVersionIsCachedAsUsual() {
    NearCache<String, String> a = start("a");
    NearCache<String, String> b = start("b");
    source.write("42", "hammer");
    assertThat(a.get("42")).isEqualTo("hammer");
    assertThat(b.get("42")).isEqualTo("hammer");
    int loads = source.loads.get();

    a.evict("42");

    await().atMost(Duration.ofSeconds(5)).until(() -> b.getIfPresent("42") == null);
    assertThat(a.getIfPresent("42")).isNull();
    // The row did not change: it is answered from the source, not cached again meanwhile.
    assertThat(b.get("42")).isEqualTo("hammer");
    assertThat(b.get("42")).isEqualTo("hammer");
    assertThat(source.loads.get()).isEqualTo(loads + 2);
    // A newer version is cached at once.
    source.write("42", "hammer v2");
    assertThat(b.get("42")).isEqualTo("hammer v2");
    assertThat(b.get("42")).isEqualTo("hammer v2");
    assertThat(a.get("42")).isEqualTo("hammer v2");
    assertThat(source.loads.get()).as("one load, then L1 and L2").isEqualTo(loads + 3);
  }

  @Test
  void evictCoversWhatL2HoldsSoALoadOfItStillInFlightElsewhereCannotFillItBack()
      throws Exception {
    NearCache<String, String> a = start("a");
    NearCache<String, String> b = start("b");
    source.write("42", "hammer");
    assertThat(b.get("42")).isEqualTo("hammer"); // in L2 now; a never held it
    java.util.concurrent.CountDownLatch loading = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    NearCache<String, String> c = runtimes.start("c").namespace(NS, Codecs.string(),
        NamespaceOptions.builder().leaseDisabled().build(), key -> {
          Versioned<String> read = source.load(key); // reads version 1 ...
          loading.countDown();
          release.await(5, TimeUnit.SECONDS); // ... and fills only after the evict
          return read;
        });
    // c's load of 43 misses L2 and reads the source; b fills 43 into L2 while it waits.
    source.write("43", "nail");
    var slowRead = java.util.concurrent.CompletableFuture.supplyAsync(() -> c.get("43"));
    assertThat(loading.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(b.get("43")).isEqualTo("nail"); // b fills version 1 of 43 meanwhile

    a.evict("42");
    a.evict("43"); // a holds neither: the versions come from L2
    release.countDown();

    assertThat(slowRead.get(5, TimeUnit.SECONDS)).as("its own caller asked before")
        .isEqualTo("nail");
    await().atMost(Duration.ofSeconds(5)).until(() -> b.getIfPresent("42") == null
        && b.getIfPresent("43") == null);
    assertThat(c.getIfPresent("43")).as("c's old read was not filled back").isNull();
    long v2 = source.write("43", "nail v2");
    assertThat(c.getVersioned("43")).isEqualTo(Versioned.of("nail v2", v2));
    assertThat(a.getVersioned("43")).isEqualTo(Versioned.of("nail v2", v2));
  }

  /** The PTTL of the L2 entry of {@code key}, whatever the epoch. */
  private long l2Pttl(StatefulRedisConnection<String, String> redis, String key) {
    List<String> found = redis.sync().keys("coherent:{" + runtimes.tenant() + ":" + NS + "}:e*:" + key);
    assertThat(found).hasSize(1);
    return redis.sync().pttl(found.get(0));
  }

  @Test
  void anEvictTombstoneIsShortLivedButNeverShortensARealInvalidationOfTheSameOrLowerVersion() {
    NearCache<String, String> a = start("a", NamespaceOptions.builder()
        .tombstoneTtl(Duration.ofSeconds(30)).l2Ttl(Duration.ofHours(1)).ttlJitter(0).build(),
        new SimpleMeterRegistry());
    StatefulRedisConnection<String, String> redis = redis();
    source.write("42", "hammer");
    assertThat(a.get("42")).isEqualTo("hammer");

    a.evict("42"); // a tombstone at 2, for 30 s
    assertThat(l2Pttl(redis, "42")).isBetween(1L, 30_000L);
    a.invalidate("42", 2); // the real commit of version 2 comes after: the full lifetime
    assertThat(l2Pttl(redis, "42")).isGreaterThan(30 * 60_000L);

    a.evict("42"); // L2 holds a real tombstone: the evict's keeps the full lifetime too
    assertThat(l2Pttl(redis, "42")).isGreaterThan(30 * 60_000L);
  }

  @Test
  void anInvalidationWithALifetimeIsAShortLivedSoftLockThatTheCommittedValueReplaces() {
    NearCache<String, String> a = start("a", NamespaceOptions.builder()
        .l2Ttl(Duration.ofHours(1)).ttlJitter(0).build(), new SimpleMeterRegistry());
    NearCache<String, String> b = start("b");
    StatefulRedisConnection<String, String> redis = redis();
    source.write("42", "hammer");
    assertThat(b.get("42")).isEqualTo("hammer");

    a.invalidate("42", 2, Duration.ofSeconds(20)); // before a transaction commits version 2
    assertThat(l2Pttl(redis, "42")).isBetween(1L, 20_000L);
    await().atMost(Duration.ofSeconds(5)).until(() -> b.getIfPresent("42") == null);

    a.put("42", "hammer v2", 2); // the commit: the value at that version, for its full lifetime
    assertThat(l2Pttl(redis, "42")).isGreaterThan(30 * 60_000L);
    assertThat(b.getVersioned("42")).isEqualTo(Versioned.of("hammer v2", 2));
    assertThatThrownBy(() -> a.invalidate("42", 3, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tombstoneLifetime must be positive but was PT0S");
  }

  @Test
  void repeatedEvictsDoNotClimbAndKeepTheirShortLifetime() {
    NearCache<String, String> a = start("a", NamespaceOptions.builder()
        .tombstoneTtl(Duration.ofSeconds(30)).build(), new SimpleMeterRegistry());
    StatefulRedisConnection<String, String> redis = redis();
    source.write("42", "hammer");
    assertThat(a.get("42")).isEqualTo("hammer");

    for (int i = 0; i < 3; i++) {
      a.evict("42"); // Hibernate evicts several times for one change
    }

    List<String> keys = redis.sync().keys("coherent:{" + runtimes.tenant() + ":" + NS + "}:e*:42");
    assertThat(redis.sync().get(keys.get(0))).isEqualTo("2|T|");
    assertThat(l2Pttl(redis, "42")).isBetween(1L, 30_000L);
    long v2 = source.write("42", "hammer v2");
    assertThat(a.getVersioned("42")).isEqualTo(Versioned.of("hammer v2", v2));
  }

  // --------------------------------------------------------------------------- get-or-create

  @Test
  void getOrCreateReturnsTheSameNamespaceAndRefusesOtherOptionsNamingThem() {
    CoherentRuntime runtime = runtimes.start("a");
    NamespaceOptions options = NamespaceOptions.builder().l1MaximumSize(100).build();
    Function<String, String> keys = Function.identity();

    NearCache<String, String> first =
        runtime.getOrCreateNamespace(NS, Codecs.string(), options, keys, source);
    NearCache<String, String> again = runtime.getOrCreateNamespace(NS, Codecs.string(),
        NamespaceOptions.builder().l1MaximumSize(100).build(), keys, source);

    assertThat(again).isSameAs(first).isSameAs(runtime.namespace(NS));
    assertThat(runtime.namespaces()).containsExactly(first);
    assertThatThrownBy(() -> runtime.getOrCreateNamespace(NS, Codecs.string(),
        NamespaceOptions.create(), keys, source))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("namespace " + NS + " exists in runtime a with other options")
        .hasMessageContaining("l1MaximumSize=100");
    assertThatThrownBy(() -> runtime.namespace(NS, Codecs.string(), options, keys, source))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("already exists");
    runtime.close();
    assertThatThrownBy(() -> runtime.getOrCreateNamespace(NS, Codecs.string(), options, keys,
        source)).isInstanceOf(IllegalStateException.class).hasMessageContaining("is closed");
  }

  @Test
  void callersGetThePublicTypeOnlyNeverTheInternalClass() {
    NearCache<String, String> cache = start("a");
    assertThat(cache).isNotInstanceOf(NamespaceCache.class);
    assertThat(cache.getClass().getPackageName()).isEqualTo("dev.coherent.core");
    assertThat(java.lang.reflect.Modifier.isPublic(cache.getClass().getModifiers())).isFalse();
  }

  // ------------------------------------------------------------------- getAllAsync, preload

  /** Counts loadAll calls and their sizes. */
  private final class BatchSource implements VersionedLoader<String, String> {
    final List<Integer> batches = new CopyOnWriteArrayList<>();
    volatile boolean fail;

    @Override
    public @Nullable Versioned<String> load(String key) throws Exception {
      return loadAll(Set.of(key)).get(key);
    }

    @Override
    public Map<String, Versioned<String>> loadAll(Set<? extends String> keys) {
      if (fail) {
        throw new IllegalStateException("database down");
      }
      batches.add(keys.size());
      Map<String, Versioned<String>> out = new HashMap<>();
      for (String key : keys) {
        Versioned<String> v = source.load(key);
        if (v != null) {
          out.put(key, v);
        }
      }
      return out;
    }
  }

  @Test
  void getAllAsyncAnswersHitsAtOnceAndLoadsTheRestInOneBatch() throws Exception {
    BatchSource batches = new BatchSource();
    NearCache<String, String> a = runtimes.start("a")
        .namespace(NS, Codecs.string(), NamespaceOptions.create(), batches);
    for (String k : List.of("1", "2", "3", "4")) {
      source.write(k, "v" + k);
    }
    assertThat(a.get("1")).isEqualTo("v1");

    Map<String, String> all = a.getAllAsync(List.of("4", "1", "missing", "3", "2"))
        .get(5, TimeUnit.SECONDS);

    assertThat(all).containsOnly(Map.entry("4", "v4"), Map.entry("1", "v1"),
        Map.entry("3", "v3"), Map.entry("2", "v2"));
    assertThat(batches.batches).containsExactly(1, 4);
    batches.fail = true;
    assertThatThrownBy(() -> a.getAllAsync(List.of("1", "5")).join())
        .isInstanceOf(CompletionException.class).hasCauseInstanceOf(CacheLoadException.class)
        .hasMessageContaining("database down");
    assertThat(a.getAllAsync(List.of("1", "2")).get(5, TimeUnit.SECONDS))
        .as("hits only: no loader").hasSize(2);
  }

  @Test
  void preloadWarmsL1AndL2InBatchesAndCountsWhatItFound() {
    BatchSource batches = new BatchSource();
    NearCache<String, String> a = runtimes.start("a")
        .namespace(NS, Codecs.string(), NamespaceOptions.create(), batches);
    NearCache<String, String> b = start("b");
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 2_500; i++) {
      keys.add("k" + i);
      if (i % 5 != 0) {
        source.write("k" + i, "v" + i);
      }
    }

    assertThat(a.preload(keys)).isEqualTo(2_000);

    assertThat(batches.batches).containsExactly(1_000, 1_000, 500);
    int loads = source.loads.get();
    for (int i = 1; i < 2_500; i += 7) {
      if (i % 5 != 0) {
        assertThat(a.get("k" + i)).isEqualTo("v" + i);
        assertThat(b.getIfPresent("k" + i)).as("in L2 for every instance").isEqualTo("v" + i);
      }
    }
    assertThat(source.loads.get()).as("everything was warm").isEqualTo(loads);
    assertThat(a.preload(keys)).as("again: from L1").isEqualTo(2_000);
    assertThat(batches.batches).as("only what was not found is read again")
        .containsExactly(1_000, 1_000, 500, 200, 200, 100);
  }

  @Test
  void invalidateAllThenPreloadReloadsTheWholeNamespace() {
    BatchSource batches = new BatchSource();
    NearCache<String, String> a = runtimes.start("a")
        .namespace(NS, Codecs.string(), NamespaceOptions.create(), batches);
    source.write("1", "old");
    source.write("2", "old");
    a.preload(List.of("1", "2"));
    source.write("1", "new"); // written behind the cache's back, e.g. a bulk import
    source.write("2", "new");

    a.invalidateAll();
    assertThat(a.preload(List.of("1", "2"))).isEqualTo(2);

    AtomicInteger before = new AtomicInteger(source.loads.get());
    assertThat(a.getAll(List.of("1", "2"))).containsOnly(Map.entry("1", "new"),
        Map.entry("2", "new"));
    assertThat(source.loads.get()).isEqualTo(before.get());
  }
}
