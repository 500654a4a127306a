package dev.coherent.core.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coherent.core.Codec;
import dev.coherent.core.Codecs;
import dev.coherent.core.Hint;
import dev.coherent.core.NamespaceOptions;
import dev.coherent.core.Versioned;
import dev.coherent.core.VersionedLoader;
import dev.coherent.core.internal.reconcile.Reconciler;
import dev.coherent.core.internal.redis.HintCodec;
import dev.coherent.core.internal.redis.InMemoryL2Store;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One namespace against an in-memory stand-in for Redis that runs the same rules as the Lua
 * scripts (epoch guard, version CAS, sequence, publish) and can be switched off to simulate an
 * outage. The maintenance and reconcile executors are one manual executor and time is a fake
 * ticker, so nothing sleeps. Without a change log the reconcile action is the default local flush
 * and resync.
 */
class NamespaceCacheUnitTests {
  private static final String NS = "catalog:product";
  private static final String TENANT = "t1";
  private static final long START = 1_700_000_000_000L;

  /** Runs submitted tasks only when the test says so. */
  static final class ManualExecutor implements java.util.concurrent.Executor {
    final Queue<Runnable> tasks = new ArrayDeque<>();

    @Override
    public synchronized void execute(Runnable task) {
      tasks.add(task);
    }

    void runAll() {
      for (Runnable task; (task = poll()) != null; ) {
        task.run();
      }
    }

    private synchronized @Nullable Runnable poll() {
      return tasks.poll();
    }
  }

  /** A source of truth: key -> (value, version); a load can be held at a latch. */
  static final class Source implements VersionedLoader<String, String> {
    final Map<String, Versioned<String>> rows = new ConcurrentHashMap<>();
    final AtomicLong loads = new AtomicLong();
    volatile @Nullable CountDownLatch entered;
    volatile @Nullable CountDownLatch release;

    @Override
    public @Nullable Versioned<String> load(String key) throws Exception {
      Versioned<String> read = rows.get(key);
      loads.incrementAndGet();
      CountDownLatch gate = release;
      if (gate != null) {
        release = null;
        entered.countDown();
        gate.await(10, TimeUnit.SECONDS);
      }
      return read;
    }
  }

  private final InMemoryL2Store redis = new InMemoryL2Store("coherent", "pubsub", TENANT, NS);
  private final ManualExecutor maintenance = new ManualExecutor();
  private final ExecutorService loaders = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "test-loader");
    t.setDaemon(true);
    return t;
  });
  private final AtomicLong nanos = new AtomicLong();
  private final MeterRegistry meters = new SimpleMeterRegistry();
  private final Source source = new Source();
  private final HintCodec codec = new HintCodec();

  @AfterEach
  void stopLoaders() {
    loaders.shutdownNow();
  }

  private NamespaceCache<String, String> start(NamespaceOptions options) {
    NamespaceCache<String, String> cache = new NamespaceCache<>(NS, options, Codecs.string(),
        Function.identity(), source, context(), redis, codec, Reconciler.FLUSH);
    cache.start();
    cache.subscribed();
    maintenance.runAll();
    return cache;
  }

  private RuntimeContext context() {
    return new RuntimeContext("me", TENANT, meters, nanos::get, nanos::get,
        Clock.fixed(Instant.ofEpochMilli(START), ZoneOffset.UTC), () -> 0.5,
        // Loads run on the calling thread: an entry's deadline is set before get() returns, so
        // moving the fake ticker right after a get never races with it.
        Runnable::run, maintenance, maintenance, Duration.ofMillis(1), hint -> true);
  }

  private String keysHint(String origin, long epoch, long seq, String key, long version) {
    HintCodec.Template t = codec.keys(NS, TENANT, origin, 1, List.of(new Hint.KeyVersion(key, version)));
    return t.head() + epoch + t.middle() + seq + t.tail();
  }

  private String epochHint(long epoch, long seq) {
    HintCodec.Template t = codec.epoch(NS, TENANT, "other", 1);
    return t.head() + epoch + t.middle() + seq + t.tail();
  }

  private double count(String name, String... tags) {
    var search = meters.find(name).tag("namespace", NS).tags(tags);
    if (search.counter() != null) {
      return search.counter().count();
    }
    return search.functionCounter() == null ? 0 : search.functionCounter().count();
  }

  // ----------------------------------------------------------------------- the fake itself

  @Test
  void theFakeBehavesLikeTheScriptsForAPlainReadAndWrite() {
    NamespaceCache<String, String> cache = start(NamespaceOptions.create());
    assertThat(cache.status().epoch()).isEqualTo(START).isEqualTo(redis.epoch());
    source.rows.put("k", Versioned.of("v1", 1));

    assertThat(cache.get("k")).isEqualTo("v1");
    assertThat(redis.entry("k")).isEqualTo("1|V|v1");
    assertThat(redis.published).isEmpty(); // fills never publish

    cache.invalidate("k", 2);
    assertThat(redis.entry("k")).isEqualTo("2|T|");
    assertThat(redis.sequence()).isEqualTo(1);
    assertThat(redis.published).singleElement().asString()
        .startsWith("pubsub:v1:cache-invalidate:catalog:product:t1 {\"v\":1,")
        .endsWith(",\"epoch\":" + START + ",\"seq\":1}");
  }

  // ------------------------------------------------------------- loads in flight and floors

  /** Holds the next source load of the test at a latch; returns the latch that lets it go. */
  private CountDownLatch holdNextLoad() {
    source.entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    source.release = release;
    return release;
  }

  /** L1 holds a tombstone at v5 for "k", the source still v4: a load now claims with floor 5. */
  /** L1 holds a tombstone at 5 that the change log vouches for; the source lags at v4. */
  private NamespaceCache<String, String> tombstonedAt5WithoutL2() {
    NamespaceCache<String, String> cache = start(NamespaceOptions.builder().l2Enabled(false).build());
    source.rows.put("k", Versioned.of("v4", 4));
    assertThat(cache.get("k")).isEqualTo("v4");
    cache.applyChanges(List.of(new Hint.KeyVersion("k", 5)));
    return cache;
  }

  @Test
  void aHintThatL2DoesNotConfirmCostsOneL2ReadAndNoLoad() {
    NamespaceCache<String, String> cache = start(NamespaceOptions.create());
    source.rows.put("k", Versioned.of("v4", 4));
    assertThat(cache.get("k")).isEqualTo("v4"); // L2 holds 4|V|v4
    cache.onMessage(keysHint("other", START, 1, "k", 9_000_000_000_000_000_000L));
    maintenance.runAll();
    long loads = source.loads.get();

    // The first read finds v4 in L2, where a real writer would have stored its newer version.
    assertThat(cache.get("k")).isEqualTo("v4");
    assertThat(cache.get("k")).isEqualTo("v4");
    assertThat(source.loads.get()).isEqualTo(loads);
    assertThat(count("coherent.hints.unconfirmed", "kind", "key")).isEqualTo(1);
  }

  @Test
  void aHintThatNeitherL2NorTheSourceConfirmsCostsOneLoadNotOnePerRead() {
    NamespaceCache<String, String> cache = start(NamespaceOptions.create());
    source.rows.put("k", Versioned.of("v4", 4));
    assertThat(cache.get("k")).isEqualTo("v4");
    redis.data.keySet().removeIf(key -> key.endsWith(":k")); // L2 evicted the entry
    cache.onMessage(keysHint("other", START, 1, "k", 9_000_000_000_000_000_000L));
    maintenance.runAll();
    long loads = source.loads.get();

    // The first read misses L2 and finds v4 in the source: the hint was forged.
    assertThat(cache.get("k")).isEqualTo("v4");
    assertThat(cache.get("k")).isEqualTo("v4");
    assertThat(cache.get("k")).isEqualTo("v4");
    assertThat(source.loads.get()).isEqualTo(loads + 1);
    assertThat(count("coherent.hints.unconfirmed", "kind", "key")).isEqualTo(1);
  }

  @Test
  void aHintThatL2ConfirmsKeepsItsFloorAgainstALaggingSource() {
    NamespaceCache<String, String> cache = start(NamespaceOptions.create());
    source.rows.put("k", Versioned.of("v4", 4));
    assertThat(cache.get("k")).isEqualTo("v4");
    redis.putEntry("k", "5|T|"); // the writer's tombstone, stored before it published
    cache.onMessage(keysHint("other", START, 1, "k", 5));
    maintenance.runAll();
    long loads = source.loads.get();

    assertThat(cache.get("k")).as("the lagging source answers, nothing is cached").isEqualTo("v4");
    assertThat(cache.get("k")).isEqualTo("v4");
    assertThat(source.loads.get()).isEqualTo(loads + 2);
    assertThat(count("coherent.hints.unconfirmed", "kind", "key")).isZero();
  }

  @Test
  void aChangeL2HasNotReceivedFloorsLoadsOfAKeyL1DoesNotHold() {
    NamespaceCache<String, String> cache = start(NamespaceOptions.create());
    redis.putEntry("k", "4|V|v4"); // filled before a plain-SQL update to v5
    source.rows.put("k", Versioned.of("v5", 5));
    redis.down = true;
    cache.applyChanges(List.of(new Hint.KeyVersion("k", 5))); // Redis cannot take it now
    maintenance.runAll();
    redis.down = false;

    // L2 answers again but has not got the tombstone yet: its v4 is below the pending floor.
    assertThat(cache.getVersioned("k").version()).isEqualTo(5);
    maintenance.runAll();
    cache.maintain(); // the pending tombstone reaches L2
    assertThat(redis.entry("k")).isIn("5|T|", "5|V|v5");
    cache.flushLocal();
    assertThat(cache.getVersioned("k").version()).isEqualTo(5);
  }

  @Test
  void aChangePolledDuringALoadIsNotOvertakenByTheLoadsOlderResult() {
    NamespaceCache<String, String> cache = start(NamespaceOptions.create());
    source.rows.put("k", Versioned.of("v3", 3));
    assertThat(cache.get("k")).isEqualTo("v3"); // L2 holds 3|V|v3
    // A forged hint leaves a hinted-only floor far above: the next load's own floor is that.
    cache.onMessage(keysHint("other", START, 1, "k", 100));
    maintenance.runAll();
    source.rows.put("k", Versioned.of("v6", 6));
    // While the load reads L2, a poll applies a plain-SQL change to v6 that L2 has not received:
    // the load in flight (floor 100) keeps its entry, and L2 still answers v3.
    redis.duringNextRead = () -> cache.applyChanges(List.of(new Hint.KeyVersion("k", 6)));

    assertThat(cache.getVersioned("k").version()).as("the load's own caller").isEqualTo(3);
    assertThat(cache.getVersioned("k").version()).as("never served from L1 after the change")
        .isEqualTo(6);
  }

  @Test
  void aChangePolledAndWrittenToL2DuringALoadUnderAHintedFloorIsNotOvertaken() {
    NamespaceCache<String, String> cache = start(NamespaceOptions.create());
    source.rows.put("k", Versioned.of("v3", 3));
    assertThat(cache.get("k")).isEqualTo("v3");
    cache.onMessage(keysHint("other", START, 1, "k", 100)); // forged
    maintenance.runAll();
    source.rows.put("k", Versioned.of("v6", 6));
    // During the load's L2 read the change is polled and its tombstone already written to L2,
    // so nothing is pending any more when the load installs.
    redis.duringNextRead = () -> {
      cache.applyChanges(List.of(new Hint.KeyVersion("k", 6)));
      maintenance.runAll();
    };

    assertThat(cache.getVersioned("k").version()).as("the load's own caller").isEqualTo(3);
    assertThat(redis.entry("k")).isEqualTo("6|T|");
    assertThat(cache.getVersioned("k").version()).as("never served from L1 after the change")
        .isEqualTo(6);
  }

  @Test
  void aLoadThatReadsL2JustBeforeThisInstancesOwnInvalidationLandsDoesNotInstallTheOldValue() {
    NamespaceCache<String, String> cache = start(NamespaceOptions.create());
    redis.putEntry("k", "3|V|v3"); // filled earlier; this instance does not hold the key
    source.rows.put("k", Versioned.of("v4", 4));
    // The load runs between the invalidation's L1 step (nothing to tombstone) and its write.lua.
    List<Long> loadedBefore = new ArrayList<>();
    redis.beforeNextWrite = () -> loadedBefore.add(cache.getVersioned("k").version());

    cache.invalidate("k", 4);

    // The racing read overlaps the invalidate call: either version may answer it.
    assertThat(loadedBefore).hasSize(1).allSatisfy(v -> assertThat(v).isBetween(3L, 4L));
    assertThat(cache.getVersioned("k").version()).as("not served from L1").isEqualTo(4);
  }

  @Test
  void aPutBelowAVersionL2HasNotReceivedIsNotServed() {
    NamespaceCache<String, String> cache = start(NamespaceOptions.create());
    source.rows.put("k", Versioned.of("v7", 7));
    redis.down = true;
    cache.applyChanges(List.of(new Hint.KeyVersion("k", 7)));
    cache.put("k", "v6", 6); // a slow writer's older put
    redis.down = false;
    assertThat(cache.getVersioned("k").version()).isEqualTo(7);
  }

  @Test
  void aPutBelowTheFloorOfALoadInFlightDoesNotReplaceIt() throws Exception {
    NamespaceCache<String, String> cache = tombstonedAt5WithoutL2();
    source.rows.put("k", Versioned.of("v5", 5));
    CountDownLatch release = holdNextLoad();
    Future<String> load = loaders.submit(() -> cache.get("k"));
    assertThat(source.entered.await(5, TimeUnit.SECONDS)).isTrue();

    cache.put("k", "v3", 3); // a write that lands late: this instance already knows of v5
    release.countDown();

    assertThat(load.get(5, TimeUnit.SECONDS)).isEqualTo("v5");
    assertThat(cache.get("k")).as("v3 was never installed over the load").isEqualTo("v5");
  }

  @Test
  void aLateInvalidationBelowTheFloorOfALoadInFlightKeepsTheFloor() throws Exception {
    NamespaceCache<String, String> cache = tombstonedAt5WithoutL2();
    CountDownLatch release = holdNextLoad();
    Future<String> load = loaders.submit(() -> cache.get("k"));
    assertThat(source.entered.await(5, TimeUnit.SECONDS)).isTrue();

    cache.invalidate("k", 3); // an older invalidation, delivered late
    release.countDown();
    assertThat(load.get(5, TimeUnit.SECONDS)).as("the lagging source answers its caller")
        .isEqualTo("v4");
    long loads = source.loads.get();

    // The floor stayed at 5, so v4 (below it) is never cached: every read goes to the source.
    assertThat(cache.get("k")).isEqualTo("v4");
    assertThat(cache.get("k")).isEqualTo("v4");
    assertThat(source.loads.get()).isEqualTo(loads + 2);
  }

  @Test
  void aPutThatRedisRefusesIsNotServedFromL1() {
    NamespaceCache<String, String> cache = start(NamespaceOptions.create());
    // Another instance wrote v4; this one never held the key, so its hint changed nothing here.
    redis.putEntry("k", "4|V|v4");
    source.rows.put("k", Versioned.of("v4", 4));

    cache.put("k", "v3", 3);

    assertThat(redis.entry("k")).isEqualTo("4|V|v4");
    assertThat(cache.get("k")).isEqualTo("v4");
    assertThat(count("coherent.fill.races.prevented")).isEqualTo(1);
  }

  @Test
  void theSizeBoundNeverEvictsALoadInFlightSoLaterReadersStillJoinIt() throws Exception {
    NamespaceCache<String, String> cache =
        start(NamespaceOptions.builder().l2Enabled(false).l1MaximumSize(100).build());
    source.rows.put("held", Versioned.of("h1", 1));
    CountDownLatch release = holdNextLoad();
    Future<String> first = loaders.submit(() -> cache.get("held"));
    assertThat(source.entered.await(5, TimeUnit.SECONDS)).isTrue();

    List<String> churn = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      churn.add("other-" + i);
      source.rows.put("other-" + i, Versioned.of("o", 1));
    }
    for (int from = 0; from < churn.size(); from += 100) {
      cache.getAll(churn.subList(from, from + 100));
    }
    long loadsBefore = source.loads.get();
    CompletableFuture<String> second = cache.getAsync("held");
    release.countDown();

    assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo("h1");
    assertThat(second.get(5, TimeUnit.SECONDS)).isEqualTo("h1");
    assertThat(source.loads.get()).as("the second reader joined the first load")
        .isEqualTo(loadsBefore);
  }

  @Test
  void aGetAllAnswersItsCallersOnlyAfterEveryKeyOfTheBatchIsInL1() throws Exception {
    NamespaceCache<String, String> cache = start(NamespaceOptions.create());
    source.rows.put("a", Versioned.of("A", 1));
    source.rows.put("b", Versioned.of("B", 1));
    CountDownLatch release = holdNextLoad();
    Future<Map<String, String>> batch = loaders.submit(() -> cache.getAll(List.of("a", "b")));
    assertThat(source.entered.await(5, TimeUnit.SECONDS)).isTrue();

    // A caller joins the batch's load of "a" and, on the thread that completes it, reads "b".
    CompletableFuture<String> chained = cache.getAsync("a").thenApply(a -> a + cache.get("b"));
    release.countDown();

    assertThat(batch.get(5, TimeUnit.SECONDS)).containsEntry("a", "A").containsEntry("b", "B");
    assertThat(chained.get(5, TimeUnit.SECONDS)).isEqualTo("AB");
  }

  @Test
  void aCallerWhoJoinedALoadAfterAFlushDoesNotTakeTheValueRedisRefused() throws Exception {
    NamespaceCache<String, String> cache = start(NamespaceOptions.create());
    source.rows.put("k", Versioned.of("v1", 1));
    CountDownLatch release = holdNextLoad();
    Future<String> first = loaders.submit(() -> cache.get("k"));
    assertThat(source.entered.await(5, TimeUnit.SECONDS)).isTrue(); // it has read v1

    cache.flushLocal();
    CompletableFuture<String> second = cache.getAsync("k"); // joins the load after the flush
    // Meanwhile v9 commits elsewhere and reaches Redis; its hint is lost.
    source.rows.put("k", Versioned.of("v9", 9));
    redis.putEntry("k", "9|T|");
    release.countDown();

    assertThat(first.get(5, TimeUnit.SECONDS)).as("asked before v9 was known").isEqualTo("v1");
    assertThat(second.get(5, TimeUnit.SECONDS)).isEqualTo("v9");
  }

  @Test
  void afterAFailedInvalidateAllL2IsNotReadUntilTheEpochBumpReachesRedis() {
    NamespaceCache<String, String> cache = start(NamespaceOptions.create());
    source.rows.put("k", Versioned.of("v1", 1));
    assertThat(cache.get("k")).isEqualTo("v1");
    assertThat(redis.entry("k")).isEqualTo("1|V|v1");

    redis.down = true;
    cache.invalidateAll(); // the epoch bump cannot reach Redis: it stays pending
    redis.down = false;
    source.rows.put("k", Versioned.of("v2", 2));

    assertThat(cache.get("k")).as("not the old epoch's L2 entry").isEqualTo("v2");
    cache.maintain(); // the periodic task replays the bump
    maintenance.runAll();
    assertThat(redis.epoch()).isEqualTo(START + 1);
    assertThat(cache.get("k")).isEqualTo("v2");
  }

  @Test
  void closingFailsWaitingReadersAndServesNothingAfterwards() throws Exception {
    NamespaceCache<String, String> cache = start(NamespaceOptions.builder().l2Enabled(false).build());
    source.rows.put("cached", Versioned.of("c", 1));
    source.rows.put("k", Versioned.of("v1", 1));
    assertThat(cache.get("cached")).isEqualTo("c");
    CountDownLatch release = holdNextLoad();
    Future<String> owner = loaders.submit(() -> cache.get("k"));
    assertThat(source.entered.await(5, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<String> waiter = cache.getAsync("k");

    cache.close();

    assertThatThrownBy(() -> waiter.get(5, TimeUnit.SECONDS))
        .hasCauseInstanceOf(IllegalStateException.class)
        .hasMessageContaining("namespace catalog:product belongs to a closed runtime");
    assertThatThrownBy(() -> cache.get("cached")).isInstanceOf(IllegalStateException.class)
        .hasMessage("namespace catalog:product belongs to a closed runtime");
    assertThatThrownBy(() -> cache.put("k", "v2", 2)).isInstanceOf(IllegalStateException.class);
    release.countDown();
    assertThatThrownBy(() -> owner.get(5, TimeUnit.SECONDS))
        .hasCauseInstanceOf(IllegalStateException.class);
  }

  @Test
  void aPutThatRunsIntoCloseInstallsNothing() throws Exception {
    CountDownLatch encoding = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Codec<String> slow = new Codec<>() {
      @Override
      public byte[] encode(String value) {
        encoding.countDown();
        try {
          release.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return value.getBytes(UTF_8);
      }

      @Override
      public String decode(byte[] bytes) {
        return new String(bytes, UTF_8);
      }
    };
    NamespaceCache<String, String> cache = new NamespaceCache<>(NS, NamespaceOptions.create(), slow,
        Function.identity(), source, context(), redis, codec, Reconciler.FLUSH);
    cache.start();
    Future<?> put = loaders.submit(() -> {
      cache.put("k", "v", 1);
      return null;
    });
    assertThat(encoding.await(5, TimeUnit.SECONDS)).isTrue(); // it passed the open check

    cache.close();
    release.countDown();

    assertThatThrownBy(() -> put.get(5, TimeUnit.SECONDS))
        .hasCauseInstanceOf(IllegalStateException.class);
    assertThat(cache.localSize()).isZero();
    assertThatThrownBy(() -> cache.get("k")).isInstanceOf(IllegalStateException.class);
    assertThat(redis.published).as("nothing written after close").isEmpty();
  }

  // ----------------------------------------------------------------------------- bad keys

  @Test
  void aKeyThatEncodesOutsideOneTo1024CharactersIsRefusedOnEveryPathWithItsValueNamed() {
    NamespaceCache<String, String> cache = start(NamespaceOptions.create());
    for (String bad : List.of("", "k".repeat(1025))) {
      String message = "encodes to '" + bad + "'; an encoded key must have 1 to 1024 characters";
      assertThatThrownBy(() -> cache.get(bad)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(message);
      assertThatThrownBy(() -> cache.getVersioned(bad)).hasMessageContaining(message);
      assertThatThrownBy(() -> cache.getAsync(bad)).hasMessageContaining(message);
      assertThatThrownBy(() -> cache.put(bad, "v", 1)).hasMessageContaining(message);
      assertThatThrownBy(() -> cache.invalidate(bad, 1)).hasMessageContaining(message);
    }
    assertThat(source.loads.get()).as("nothing was loaded for a bad key").isZero();
    assertThat(cache.localSize()).isZero();
    assertThat(redis.published).isEmpty();

    source.rows.put("k".repeat(1024), Versioned.of("longest", 1));
    assertThat(cache.get("k".repeat(1024))).isEqualTo("longest");
  }

  @Test
  void aKeyEncoderThatReturnsNullIsRefusedWithTheKeyNamed() {
    NamespaceCache<String, String> cache = new NamespaceCache<>("other", NamespaceOptions.create(),
        Codecs.string(), key -> null, source, context(),
        new InMemoryL2Store("coherent", "pubsub", TENANT, "other"), codec, Reconciler.FLUSH);

    assertThatThrownBy(() -> cache.get("some-key")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("key some-key of namespace other encodes to 'null'; an encoded key must have 1"
            + " to 1024 characters");
  }

  @Test
  void getAllWithOneBadKeyClaimsNoneOfTheOthersSoTheyStillLoad() throws Exception {
    NamespaceCache<String, String> cache = start(NamespaceOptions.create());
    source.rows.put("a", Versioned.of("A", 1));

    assertThatThrownBy(() -> cache.getAll(List.of("a", "")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("encodes to ''");
    assertThat(cache.localSize()).as("no load-in-flight entry left behind").isZero();
    // A claim left behind would make this wait forever for a load nobody runs.
    assertThat(cache.getAsync("a").get(5, TimeUnit.SECONDS)).isEqualTo("A");
  }

  // ----------------------------------------------------------------------- fill race, L1

  @Test
  void anInvalidationDuringALoadReplacesItsEntrySoTheOldResultIsNeverServed() throws Exception {
    NamespaceCache<String, String> cache = start(NamespaceOptions.builder().l2Enabled(false).build());
    source.rows.put("k", Versioned.of("v1", 1));
    CountDownLatch release = holdNextLoad();

    Future<String> slow = loaders.submit(() -> cache.get("k"));
    assertThat(source.entered.await(5, TimeUnit.SECONDS)).isTrue();
    // v2 commits elsewhere and its hint arrives while the slow load still holds v1.
    source.rows.put("k", Versioned.of("v2", 2));
    cache.onMessage(keysHint("other", START, 1, "k", 2));
    maintenance.runAll(); // the drain applies the hint
    release.countDown();

    assertThat(slow.get(5, TimeUnit.SECONDS)).as("the slow load answers its own caller").isEqualTo("v1");
    assertThat(cache.get("k")).isEqualTo("v2");
    assertThat(cache.get("k")).isEqualTo("v2");
    assertThat(source.loads).hasValue(2);
  }

  // ----------------------------------------------------------------------- hints

  @Test
  void aSequenceGapRequestsAReconcileThatResynchronises() {
    NamespaceCache<String, String> cache = start(NamespaceOptions.create());
    cache.onMessage(keysHint("other", START, 1, "a", 1));
    assertThat(cache.status().lastSequence()).isEqualTo(1);

    cache.onMessage(keysHint("other", START, 3, "b", 1)); // 2 was lost

    assertThat(count("coherent.reconcile.gaps")).isEqualTo(1);
    assertThat(count("coherent.reconcile.requests", "reason", "gap")).isEqualTo(1);
    assertThat(cache.status().reconcileRequested()).isTrue();
    maintenance.runAll();
    assertThat(cache.status().reconcileRequested()).isFalse();
    assertThat(cache.status().lastSequence()).isEqualTo(redis.sequence()); // from Redis
    assertThat(count("coherent.flushes")).isEqualTo(1);
  }

  @Test
  void ownHintsAreIgnoredButTheirSequenceIsTracked() {
    NamespaceCache<String, String> cache = start(NamespaceOptions.create());
    cache.onMessage(keysHint("me", START, 1, "a", 1));
    assertThat(count("coherent.hints.ignored", "reason", "own")).isEqualTo(1);
    assertThat(cache.status().lastSequence()).isEqualTo(1);
  }

  @Test
  void epochHintsBeyondTheRateWaitForTheNextMaintenanceCheckAndNeverFlush() {
    NamespaceCache<String, String> cache = start(NamespaceOptions.builder().epochHintsPerSecond(2).build());
    cache.onMessage(epochHint(START + 1, 1));
    cache.onMessage(epochHint(START + 2, 2));
    cache.onMessage(epochHint(START + 3, 3));

    assertThat(count("coherent.hints.ignored", "reason", "epoch_rate_limited")).isEqualTo(1);
    assertThat(cache.status().reconcileRequested()).isFalse();
    maintenance.runAll(); // one check of Redis for the hints so far: all forged
    assertThat(cache.status().epoch()).isEqualTo(START);
    assertThat(count("coherent.epoch.changes")).isZero();
    assertThat(count("coherent.hints.unconfirmed", "kind", "epoch")).isEqualTo(1);
    assertThat(count("coherent.flushes")).isZero();
    cache.maintain(); // nothing left to check
    assertThat(count("coherent.hints.unconfirmed", "kind", "epoch")).isEqualTo(1);
  }

  @Test
  void anEpochHintOverTheRateIsStillAdoptedAtTheNextMaintenanceCheck() {
    NamespaceCache<String, String> cache = start(NamespaceOptions.builder().epochHintsPerSecond(1).build());
    cache.onMessage(epochHint(START + 7, 1)); // forged, within the rate: checked at once
    maintenance.runAll();
    // A real bump whose hint comes over the rate.
    redis.data.put("coherent:{" + TENANT + ":" + NS + "}:epoch",
        Long.toString(START + 1).getBytes(UTF_8));
    cache.onMessage(epochHint(START + 1, 2));
    maintenance.runAll();
    assertThat(cache.status().epoch()).isEqualTo(START);
    cache.maintain();
    assertThat(cache.status().epoch()).isEqualTo(START + 1);
  }

  @Test
  void anEpochHintIsAdoptedOnceRedisConfirmsIt() {
    NamespaceCache<String, String> cache = start(NamespaceOptions.create());
    source.rows.put("k", Versioned.of("v1", 1));
    assertThat(cache.get("k")).isEqualTo("v1");
    // Another instance's invalidateAll(): epoch.lua bumps the epoch, then publishes.
    redis.data.put("coherent:{" + TENANT + ":" + NS + "}:epoch",
        Long.toString(START + 1).getBytes(UTF_8));
    cache.onMessage(epochHint(START + 1, 1));
    assertThat(cache.status().epoch()).as("not before Redis confirms it").isEqualTo(START);
    maintenance.runAll();
    assertThat(cache.status().epoch()).isEqualTo(START + 1);
    long loads = source.loads.get();
    assertThat(cache.get("k")).isEqualTo("v1");
    assertThat(source.loads.get()).as("the old epoch's L1 entry is not served").isEqualTo(loads + 1);
  }

  @Test
  void aFullBufferFlushesL1AndRequestsAReconcile() {
    NamespaceCache<String, String> cache = start(NamespaceOptions.builder().hintBufferCapacity(2).build());
    source.rows.put("k", Versioned.of("v1", 1));
    assertThat(cache.get("k")).isEqualTo("v1");

    cache.onMessage(keysHint("other", START, 1, "a", 1));
    cache.onMessage(keysHint("other", START, 2, "b", 1));
    cache.onMessage(keysHint("other", START, 3, "c", 1)); // no drain ran: the buffer is full

    assertThat(count("coherent.hints.dropped")).isEqualTo(3); // a and b cleared, plus c
    assertThat(count("coherent.flushes")).isEqualTo(1);
    assertThat(count("coherent.reconcile.requests", "reason", "overflow")).isEqualTo(1);
    long loads = source.loads.get();
    // The flush made the L1 copy unservable: the next read misses L1 and is answered by L2.
    assertThat(cache.get("k")).isEqualTo("v1");
    assertThat(count("coherent.gets", "tier", "l1", "result", "miss")).isEqualTo(2);
    assertThat(count("coherent.gets", "tier", "l2", "result", "hit")).isEqualTo(1);
    assertThat(source.loads.get()).isEqualTo(loads);
  }

  // ----------------------------------------------------------------------- Redis outage

  @Test
  void anInvalidationMadeDuringAnOutageIsReplayedWhenRedisReturns() {
    NamespaceCache<String, String> cache = start(NamespaceOptions.create());
    redis.down = true;
    cache.invalidate("k", 5);
    assertThat(cache.status().degraded()).isTrue();
    cache.maintain(); // still down: the replay fails and is kept
    maintenance.runAll();
    redis.down = false;

    cache.maintain();
    maintenance.runAll();

    assertThat(redis.entry("k")).isEqualTo("5|T|");
    assertThat(redis.published).hasSize(1);
    assertThat(cache.status().degraded()).isFalse();
  }

  @Test
  void anInvalidateAllMadeDuringAnOutageIsReplayedIfRedisReturnsBeforeTheFirstRetry() {
    NamespaceCache<String, String> cache = start(NamespaceOptions.create());
    redis.down = true;
    cache.invalidateAll();
    maintenance.runAll();
    redis.down = false;

    cache.maintain();
    maintenance.runAll();

    assertThat(redis.epoch()).isEqualTo(START + 1);
    assertThat(cache.status().epoch()).isEqualTo(START + 1);
    assertThat(redis.published).singleElement().asString().contains("\"type\":\"EPOCH\"");
  }

  @Test
  void anInvalidateAllMadeDuringAnOutageSurvivesAFailedRetry() {
    NamespaceCache<String, String> cache = start(NamespaceOptions.create());
    redis.down = true;
    cache.invalidateAll();
    maintenance.runAll();
    cache.maintain(); // the maintenance thread retries while Redis is still down
    maintenance.runAll();
    redis.down = false;

    cache.maintain();
    maintenance.runAll();

    assertThat(redis.epoch()).as("the epoch bump reached Redis").isEqualTo(START + 1);
    assertThat(redis.published).as("one EPOCH hint").hasSize(1);
  }

  @Test
  void entriesLoadedFromTheSourceWhileTheSubscriberIsDownLiveOnlyTheDegradedTtl() {
    NamespaceCache<String, String> cache = start(NamespaceOptions.create());
    source.rows.put("k", Versioned.of("v1", 1));
    cache.subscriberDown();
    assertThat(cache.get("k")).isEqualTo("v1");

    source.rows.put("k", Versioned.of("v2", 2)); // its hint cannot arrive
    nanos.addAndGet(Duration.ofMillis(1001).toNanos());

    assertThat(cache.get("k")).isEqualTo("v2");
  }

  @Test
  void entriesReadFromL2WhileTheSubscriberIsDownLiveOnlyTheDegradedTtl() {
    NamespaceCache<String, String> cache = start(NamespaceOptions.create());
    redis.putEntry("k", "1|V|v1");
    cache.subscriberDown();
    assertThat(cache.get("k")).isEqualTo("v1");
    assertThat(source.loads).hasValue(0);

    redis.putEntry("k", "2|V|v2"); // written by another instance; its hint cannot arrive
    nanos.addAndGet(Duration.ofMillis(1001).toNanos());

    assertThat(cache.get("k")).isEqualTo("v2");
  }

  // ----------------------------------------------------------------------- bulk invalidation

  @Test
  void aReadAfterInvalidateAllDoesNotJoinALoadThatStartedBefore() throws Exception {
    NamespaceCache<String, String> cache = start(NamespaceOptions.builder().l2Enabled(false).build());
    source.rows.put("k", Versioned.of("v1", 1));
    CountDownLatch release = holdNextLoad();
    Future<String> before = loaders.submit(() -> cache.get("k"));
    assertThat(source.entered.await(5, TimeUnit.SECONDS)).isTrue();

    source.rows.put("k", Versioned.of("v2", 2)); // committed, then the whole namespace invalidated
    cache.invalidateAll();
    Future<String> after = loaders.submit(() -> cache.get("k"));
    String afterValue;
    try {
      afterValue = after.get(2, TimeUnit.SECONDS);
    } catch (TimeoutException joinedTheOldLoad) {
      release.countDown();
      afterValue = after.get(5, TimeUnit.SECONDS);
    }
    release.countDown();

    assertThat(before.get(5, TimeUnit.SECONDS)).isEqualTo("v1");
    assertThat(afterValue).isEqualTo("v2");
  }

  @Test
  void aBatchOfTheLargestLegalKeysIsSplitIntoHintsEveryReceiverAccepts() throws Exception {
    NamespaceCache<String, String> cache =
        start(NamespaceOptions.builder().maxKeysPerHint(10_000).build());
    java.util.Map<String, Long> batch = new java.util.LinkedHashMap<>();
    for (int i = 0; i < 2_000; i++) {
      batch.put(String.format("%01024d", i), (long) i + 1); // 1,024-character keys
    }
    cache.invalidateAll(batch);
    assertThat(redis.published).hasSizeGreaterThan(1);
    HintCodec codec = new HintCodec();
    int keys = 0;
    for (String message : redis.published) {
      String payload = message.substring(message.indexOf(' ') + 1);
      assertThat(payload.length()).isLessThanOrEqualTo(HintCodec.MAX_PAYLOAD_CHARS);
      keys += codec.parse(payload).keys().size();
    }
    assertThat(keys).isEqualTo(2_000);
  }
}
