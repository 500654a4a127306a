package dev.coherent.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.coherent.core.Codecs;
import dev.coherent.core.Hint;
import dev.coherent.core.NamespaceOptions;
import dev.coherent.core.Versioned;
import dev.coherent.core.VersionedLoader;
import dev.coherent.core.internal.reconcile.Reconciler;
import dev.coherent.core.internal.redis.HintCodec;
import dev.coherent.core.internal.redis.RedisL2Store;
import dev.coherent.devservices.Services;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Floods one namespace with 100,000 hints while its drain cannot run (a manual executor stands in
 * for the maintenance thread): the buffer stays within its capacity, the overflow is counted, L1
 * is flushed and a reconcile is requested, and nothing stale is served afterwards.
 */
class DropPolicyIntegrationTests {
  /** Runs submitted tasks only when the test says so. */
  static final class ManualExecutor implements Executor {
    final Queue<Runnable> tasks = new ArrayDeque<>();

    @Override
    public synchronized void execute(Runnable task) {
      tasks.add(task);
    }

    synchronized void runAll() {
      Runnable task;
      while ((task = tasks.poll()) != null) {
        task.run();
      }
    }
  }

  private RedisClient client;
  private StatefulRedisConnection<String, byte[]> connection;
  private final ManualExecutor maintenance = new ManualExecutor();
  private final MeterRegistry meters = new SimpleMeterRegistry();
  private final Map<String, Versioned<String>> database = new ConcurrentHashMap<>();
  private final AtomicInteger loads = new AtomicInteger();
  private NamespaceCache<String, String> cache;
  /** Another instance on the same Redis (not subscribed): its writes reach L2 like real ones. */
  private NamespaceCache<String, String> writer;
  private final String tenant = "t" + UUID.randomUUID().toString().substring(0, 8);

  @BeforeEach
  void setUp() {
    client = RedisClient.create(Services.redis().uri());
    connection = client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
    RuntimeContext ctx = new RuntimeContext("victim", tenant, meters, Ticker.systemTicker(), Ticker.systemTicker(), Clock.systemUTC(),
        () -> 0.5,
        Runnable::run, maintenance, maintenance, Duration.ofMillis(5), (Hint h) -> true);
    VersionedLoader<String, String> loader = key -> {
      loads.incrementAndGet();
      return database.get(key);
    };
    cache = new NamespaceCache<>("flood", NamespaceOptions.builder().hintBufferCapacity(64).build(),
        Codecs.string(), Function.identity(), loader, ctx,
        new RedisL2Store(connection.sync(), "coherent", "pubsub", tenant, "flood"), new HintCodec(),
        Reconciler.FLUSH);
    cache.start();
    RuntimeContext writerCtx = new RuntimeContext("writer", tenant, new SimpleMeterRegistry(),
        Ticker.systemTicker(), Ticker.systemTicker(),
        Clock.systemUTC(),
        () -> 0.5, Runnable::run, Runnable::run, Runnable::run, Duration.ofMillis(5),
        (Hint h) -> true);
    writer = new NamespaceCache<>("flood", NamespaceOptions.create(), Codecs.string(),
        Function.identity(), loader, writerCtx,
        new RedisL2Store(connection.sync(), "coherent", "pubsub", tenant, "flood"), new HintCodec(),
        Reconciler.FLUSH);
    writer.start();
  }

  @AfterEach
  void tearDown() {
    connection.close();
    client.shutdown();
  }

  private double count(String name) {
    var counter = meters.find(name).tag("namespace", "flood").counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void aFloodIntoATinyBufferStaysBoundedAndServesNothingStale() {
    database.put("hot", Versioned.of("hot-1", 1));
    assertThat(cache.get("hot")).isEqualTo("hot-1");
    maintenance.runAll();

    HintCodec codec = new HintCodec();
    long epoch = cache.status().epoch();
    long seq = cache.status().lastSequence();
    int maxPending = 0;
    for (int i = 0; i < 100_000; i++) {
      String key = i == 50_000 ? "hot" : "k" + i;
      if (i == 50_000) {
        // The write whose hint is lost in the flood: committed, tombstoned in L2, published.
        database.put("hot", Versioned.of("hot-2", 2));
        writer.invalidate("hot", 2);
      }
      HintCodec.Template t = codec.keys("flood", tenant, "writer", 1,
          List.of(new Hint.KeyVersion(key, 2)));
      cache.onMessage(t.head() + epoch + t.middle() + (++seq) + t.tail());
      maxPending = Math.max(maxPending, (int) meters.find("coherent.hints.pending").gauge().value());
    }
    // Bounded: never more pending than the capacity, whatever arrived.
    assertThat(maxPending).isLessThanOrEqualTo(64);
    assertThat(count("coherent.hints.dropped")).isGreaterThan(99_000);
    assertThat(count("coherent.flushes")).isGreaterThan(0);
    assertThat(cache.status().reconcileRequested()).isTrue();

    // The hint for "hot" was dropped, but the flush made the old entry unservable.
    assertThat(cache.get("hot")).isEqualTo("hot-2");
    maintenance.runAll(); // drain and reconcile run now
    assertThat(cache.status().reconcileRequested()).isFalse();
    assertThat(cache.get("hot")).isEqualTo("hot-2");
  }

  @Test
  void hintsForTheSameKeyCoalesceToTheHighestVersion() {
    database.put("k", Versioned.of("k-5", 5));
    HintCodec codec = new HintCodec();
    long epoch = cache.status().epoch();
    long seq = cache.status().lastSequence();
    assertThat(cache.get("k")).isEqualTo("k-5");
    for (int version = 1; version <= 10; version++) {
      HintCodec.Template t = codec.keys("flood", tenant, "writer", 1,
          List.of(new Hint.KeyVersion("k", version)));
      cache.onMessage(t.head() + epoch + t.middle() + (++seq) + t.tail());
    }
    assertThat(count("coherent.hints.coalesced")).isEqualTo(9);
    assertThat(count("coherent.hints.dropped")).isZero();
    database.put("k", Versioned.of("k-10", 10));
    writer.invalidate("k", 10); // what the real publisher of version 10 stored in L2 first
    maintenance.runAll();
    assertThat(count("coherent.hints.applied")).isEqualTo(1);
    assertThat(cache.get("k")).isEqualTo("k-10");
  }
}
