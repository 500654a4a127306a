package dev.coherent.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.coherent.core.Codecs;
import dev.coherent.core.Hint;
import dev.coherent.core.NamespaceOptions;
import dev.coherent.core.Versioned;
import dev.coherent.core.VersionedLoader;
import dev.coherent.core.internal.reconcile.Reconciler;
import dev.coherent.core.internal.redis.HintCodec;
import dev.coherent.core.internal.redis.InMemoryL2Store;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The integrator paths (getIfPresent's probe, fill, evict) against the races a concurrency review
 * found in them, each replayed deterministically over the in-memory L2 store: a fill below a
 * hinted version, a probe that joins a load from before a flush or a load that fails, a probe or
 * load that ends with nothing, and an evict whose L2 read meets a new epoch.
 */
class IntegratorPathsUnitTests {
  private static final String NS = "catalog:product";
  private static final String TENANT = "t1";
  private static final long START = 1_700_000_000_000L;

  private final InMemoryL2Store redis = new InMemoryL2Store("coherent", "pubsub", TENANT, NS);
  private final NamespaceCacheUnitTests.ManualExecutor maintenance =
      new NamespaceCacheUnitTests.ManualExecutor();
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "test-thread");
    t.setDaemon(true);
    return t;
  });
  private final NamespaceCacheUnitTests.Source source = new NamespaceCacheUnitTests.Source();
  private final HintCodec codec = new HintCodec();

  @AfterEach
  void stop() {
    threads.shutdownNow();
  }

  private NamespaceCache<String, String> start(Executor loads, VersionedLoader<String, String> loader) {
    RuntimeContext ctx = new RuntimeContext("me", TENANT, new SimpleMeterRegistry(), () -> 0L,
        () -> 0L, Clock.fixed(Instant.ofEpochMilli(START), ZoneOffset.UTC), () -> 0.5, loads,
        maintenance, maintenance, Duration.ofMillis(1), hint -> true);
    NamespaceCache<String, String> cache = new NamespaceCache<>(NS, NamespaceOptions.create(),
        Codecs.string(), Function.identity(), loader, ctx, redis, codec, Reconciler.FLUSH);
    cache.start();
    cache.subscribed();
    maintenance.runAll();
    return cache;
  }

  private NamespaceCache<String, String> start() {
    return start(Runnable::run, source);
  }

  private void hint(NamespaceCache<String, String> cache, long seq, String key, long version) {
    HintCodec.Template t =
        codec.keys(NS, TENANT, "other", 1, List.of(new Hint.KeyVersion(key, version)));
    cache.onMessage(t.head() + cache.status().epoch() + t.middle() + seq + t.tail());
    maintenance.runAll();
  }

  /** Waits until the thread is parked: a probe joining a load in flight waits on its future. */
  private static void awaitParked(AtomicReference<Thread> thread) {
    await().atMost(Duration.ofSeconds(5)).until(() -> thread.get() != null
        && thread.get().getState() == Thread.State.WAITING);
  }

  /** Holds the source's next load until the returned latch is counted down. */
  private CountDownLatch holdNextLoad() {
    source.entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    source.release = release;
    return release;
  }

  @Test
  void aFillBelowAVersionAHintAnnouncedIsNeverServed() {
    NamespaceCache<String, String> cache = start();
    source.rows.put("k", Versioned.of("v4", 4));
    assertThat(cache.get("k")).isEqualTo("v4");
    // Another instance commits v5, stores it in L2 and publishes: a real hint.
    redis.putEntry("k", "5|V|v5");
    source.rows.put("k", Versioned.of("v5", 5));
    hint(cache, 1, "k", 5);

    cache.fill("k", "v4", 4); // a putFromLoad of a row read before that commit

    assertThat(cache.getVersionedIfPresent("k")).isEqualTo(Versioned.of("v5", 5));
    assertThat(cache.get("k")).isEqualTo("v5");
  }

  @Test
  void aProbeNeverTakesALoadThatStartedBeforeAFlushItSaw() throws Exception {
    NamespaceCache<String, String> cache = start(threads, source);
    source.rows.put("k", Versioned.of("v1", 1));
    CountDownLatch release = holdNextLoad();
    CompletableFuture<String> slow = cache.getAsync("k"); // reads v1, then waits
    assertThat(source.entered.await(5, TimeUnit.SECONDS)).isTrue();
    source.rows.put("k", Versioned.of("v2", 2));
    cache.invalidateAll(); // the writer of v2 on this instance, after its commit

    AtomicReference<Thread> prober = new AtomicReference<>();
    Future<Versioned<String>> probe = threads.submit(() -> {
      prober.set(Thread.currentThread());
      return cache.getVersionedIfPresent("k");
    });
    awaitParked(prober); // the probe found the load in flight and waits on it
    release.countDown();

    assertThat(slow.get(5, TimeUnit.SECONDS)).as("its own caller asked before").isEqualTo("v1");
    Versioned<String> answer = probe.get(5, TimeUnit.SECONDS);
    assertThat(answer == null || answer.version() >= 2).as("probe answered %s", answer).isTrue();
  }

  @Test
  void aProbeThatFindsNothingKeepsTheFloorOfTheTombstoneItReplaced() {
    NamespaceCache<String, String> cache = start();
    redis.putEntry("k", "4|V|v4"); // a write this instance never heard of
    cache.put("k", "v3", 3); // refused by L2: L1 keeps a tombstone at 4
    source.rows.put("k", Versioned.of("v3", 3)); // a lagging replica
    redis.down = true;

    assertThat(cache.getIfPresent("k")).isNull(); // its L2 read fails
    long before = source.loads.get();
    assertThat(cache.get("k")).isEqualTo("v3"); // answered from the source, below the floor
    assertThat(cache.get("k")).isEqualTo("v3");
    assertThat(source.loads.get() - before).as("v3 is below the floor 4: never cached").isEqualTo(2);
  }

  @Test
  void aFailedLoadKeepsTheFloorOfTheTombstoneItReplaced() {
    AtomicBoolean failing = new AtomicBoolean();
    NamespaceCache<String, String> cache = start(Runnable::run, key -> {
      if (failing.get()) {
        throw new java.sql.SQLException("database down");
      }
      return source.load(key);
    });
    redis.putEntry("k", "4|V|v4");
    cache.put("k", "v3", 3); // L1: a tombstone at 4
    source.rows.put("k", Versioned.of("v3", 3));
    redis.down = true;
    failing.set(true);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> cache.get("k"))
        .hasMessageContaining("database down");
    failing.set(false);

    long before = source.loads.get();
    cache.get("k");
    cache.get("k");
    assertThat(source.loads.get() - before).as("the floor survived the failed load").isEqualTo(2);
  }

  @Test
  void aProbeThatJoinsAnotherCallersFailingLoadReportsNothingCachedInsteadOfItsError()
      throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    NamespaceCache<String, String> cache = start(threads, key -> {
      entered.countDown();
      release.await(5, TimeUnit.SECONDS);
      throw new java.sql.SQLException("database down");
    });
    CompletableFuture<String> failing = cache.getAsync("k");
    assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();

    AtomicReference<Thread> prober = new AtomicReference<>();
    Future<Object> probe = threads.submit(() -> {
      prober.set(Thread.currentThread());
      return cache.getIfPresent("k");
    });
    awaitParked(prober); // joined the failing load
    release.countDown();

    assertThat(failing).failsWithin(5, TimeUnit.SECONDS);
    assertThat(probe.get(5, TimeUnit.SECONDS)).isNull();
  }

  @Test
  void evictReadsL2UnderTheEpochL2HasNowSoItCoversWhatIsThere() {
    NamespaceCache<String, String> cache = start();
    // Another instance bumped the epoch and filled version 5 under it; this one has not heard.
    redis.data.put(redis.epochKey(), Long.toString(START + 1).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    redis.putEntry("k", "5|V|v5");

    cache.evict("k");

    assertThat(cache.status().epoch()).isEqualTo(START + 1);
    assertThat(redis.entry("k")).isEqualTo("6|T|");
  }
}
