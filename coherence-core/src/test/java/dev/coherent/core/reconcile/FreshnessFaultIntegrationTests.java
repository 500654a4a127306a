package dev.coherent.core.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.coherent.core.ChangeLogOptions;
import dev.coherent.core.Codecs;
import dev.coherent.core.CoherentRuntime;
import dev.coherent.core.NamespaceOptions;
import dev.coherent.core.NearCache;
import dev.coherent.core.Runtimes;
import dev.coherent.core.Versioned;
import dev.coherent.devservices.RedisService;
import dev.coherent.devservices.Services;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The freshness guarantee under faults: with any number of hints lost, a read on any instance
 * returns a version at least as new as every version committed more than {@code reconcileInterval
 * + one poll} ago. Each test runs a stream of 1,000 updates against real PostgreSQL and Redis
 * while a victim instance reads continuously, checks every read, and reports the worst staleness
 * it observed (target/staleness-report.txt).
 */
class FreshnessFaultIntegrationTests {
  static final Duration INTERVAL = Duration.ofMillis(500);
  /** The interval plus one poll; the poll allowance is generous for a loaded 2-core CI machine. */
  static final Duration BOUND = INTERVAL.plusMillis(1000);
  static final int ROWS = 200;
  private static final int UPDATES = 1000;

  @RegisterExtension final Runtimes runtimes = runtimes();

  CatalogFixture fixture;
  private String testName;
  private final Queue<Throwable> readerErrors = new ConcurrentLinkedQueue<>();
  private final Faults redis = faults();

  /**
   * The fault operations a scenario uses, on standalone Redis here and on the cluster in {@link
   * ClusterFreshnessFaultIntegrationTests} (the same scenarios across both configurations).
   */
  interface Faults {
    long killPubSubClients();

    void pause(Duration duration);

    boolean canStopAndStart();

    /** Stops the Redis that holds the namespace (a standalone server, the namespace's master). */
    void stop();

    void start();

    boolean isReachable();
  }

  Runtimes runtimes() {
    return new Runtimes();
  }

  Faults faults() {
    RedisService service = Services.redis();
    return new Faults() {
      @Override
      public long killPubSubClients() {
        return service.killPubSubClients();
      }

      @Override
      public void pause(Duration duration) {
        service.pause(duration);
      }

      @Override
      public boolean canStopAndStart() {
        return service.canStopAndStart();
      }

      @Override
      public void stop() {
        service.stop();
      }

      @Override
      public void start() {
        service.start();
      }

      @Override
      public boolean isReachable() {
        return service.isReachable();
      }
    };
  }

  /** The fixture's namespace as a Redis hash tag: its slot on a cluster. */
  String hashTag() {
    return "{" + runtimes.tenant() + ":" + CatalogFixture.NAMESPACE + "}";
  }

  @BeforeEach
  void setUp(TestInfo info) {
    fixture = new CatalogFixture(ROWS);
    testName = info.getTestMethod().orElseThrow().getName();
  }

  @AfterEach
  void tearDown() {
    if (!redis.isReachable() && redis.canStopAndStart()) {
      redis.start();
    }
    fixture.close();
  }

  NearCache<String, String> instance(String id, boolean withChangeLog,
      Consumer<CoherentRuntime.Builder> extra) {
    CoherentRuntime runtime = runtimes.start(id, b -> {
      b.reconcileInterval(INTERVAL).livenessTimeout(Duration.ofSeconds(1));
      if (withChangeLog) {
        b.changeLog(ChangeLogOptions.builder(fixture.dataSource()).build());
      }
      extra.accept(b);
    });
    return runtime.namespace(CatalogFixture.NAMESPACE, Codecs.string(), NamespaceOptions.create(),
        fixture.loader());
  }

  /**
   * Writes {@link #UPDATES} updates (published through {@code writer} unless it is null: then the
   * writer "crashed after commit" or is psql) while reader threads check every read of {@code
   * victims}; {@code fault} runs beside the writes until they end. Then every key must become
   * fresh on every victim within the bound.
   */
  void run(NearCache<String, String> writer, List<NearCache<String, String>> victims,
      Runnable fault) throws Exception {
    for (NearCache<String, String> victim : victims) {
      for (int id = 1; id <= ROWS; id++) {
        victim.get(Integer.toString(id)); // warm L1
      }
    }
    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicLong violations = new AtomicLong();
    List<Thread> readers = new ArrayList<>();
    for (NearCache<String, String> victim : victims) {
      Thread reader = new Thread(() -> {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (writing.get()) {
          String key = Integer.toString(1 + random.nextInt(ROWS));
          long start = System.nanoTime();
          try {
            Versioned<String> read = victim.getVersioned(key);
            if (fixture.observe(key, start, read) > BOUND.toNanos()) {
              violations.incrementAndGet();
            }
          } catch (Throwable t) {
            readerErrors.add(t);
          }
        }
      }, "reader");
      reader.start();
      readers.add(reader);
    }
    Thread faults = new Thread(() -> {
      while (writing.get()) {
        fault.run();
      }
    }, "fault");
    faults.start();
    try {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      for (int i = 0; i < UPDATES; i++) {
        String key = Integer.toString(1 + random.nextInt(ROWS));
        long version = fixture.update(key, "name-" + i);
        if (writer != null) {
          writer.invalidate(key, version);
        }
        LockSupport.parkNanos(Duration.ofMillis(3).toNanos()); // ~3 s of writes
      }
    } finally {
      writing.set(false);
      faults.join();
      for (Thread reader : readers) {
        reader.join();
      }
    }
    assertThat(readerErrors).as("exceptions that reached callers").isEmpty();
    // After the last write every key is fresh on every victim within the bound.
    await().atMost(BOUND.plusSeconds(5)).untilAsserted(() -> {
      for (NearCache<String, String> victim : victims) {
        for (int id = 1; id <= ROWS; id++) {
          String key = Integer.toString(id);
          assertThat(victim.getVersioned(key).version()).isEqualTo(fixture.latest(key));
        }
      }
    });
    CatalogFixture.report(testName, fixture.worstStalenessMillis(), BOUND.toMillis(), fixture.reads());
    assertThat(violations).as("reads staler than the bound (worst %d ms)",
        fixture.worstStalenessMillis()).hasValue(0);
  }

  static void pause(long millis) {
    LockSupport.parkNanos(Duration.ofMillis(millis).toNanos());
  }

  @Test
  void everyHintDroppedFreshFromTheChangeLogAlone() throws Exception {
    NearCache<String, String> writer = instance("writer", false, b -> {});
    NearCache<String, String> victim = instance("victim", true, b -> b.hintFilter(h -> false));
    run(writer, List.of(victim), () -> pause(50));
  }

  @Test
  void subscriberKilledOverAndOverWhileAnotherInstanceWrites() throws Exception {
    NearCache<String, String> writer = instance("writer", false, b -> {});
    NearCache<String, String> victim = instance("victim", true, b -> {});
    run(writer, List.of(victim), () -> {
      redis.killPubSubClients();
      pause(100); // Lettuce reconnects within ~100 ms; keep it down most of the time
    });
  }

  @Test
  void updatesMadeWithPlainSqlReachEveryInstance() throws Exception {
    NearCache<String, String> a = instance("a", true, b -> {});
    NearCache<String, String> b = instance("b", true, x -> {});
    run(null, List.of(a, b), () -> pause(50));
  }

  @Test
  void aWriterThatCrashesAfterCommitBeforePublishingIsCaughtByTheChangeLog() throws Exception {
    // The "writer" commits through the application path but never gets to publish: its process
    // died between the database commit and the Redis call.
    NearCache<String, String> victim = instance("victim", true, b -> {});
    NearCache<String, String> survivor = instance("survivor", true, b -> {});
    run(null, List.of(victim, survivor), () -> pause(50));
  }

  @Test
  void redisStoppedAndRestartedLosingItsData() throws Exception {
    assumeTrue(redis.canStopAndStart(), "needs a Redis this JVM can stop and start");
    NearCache<String, String> writer = instance("writer", false, b -> {});
    NearCache<String, String> victim = instance("victim", true, b -> {});
    AtomicBoolean done = new AtomicBoolean();
    run(writer, List.of(victim), () -> {
      if (done.compareAndSet(false, true)) {
        pause(500);
        redis.stop();
        pause(1500);
        redis.start();
      } else {
        pause(50);
      }
    });
    assertThat(redis.isReachable()).isTrue();
  }

  @Test
  void redisPausedLongerThanTheLivenessTimeout() throws Exception {
    NearCache<String, String> writer = instance("writer", false, b -> {});
    NearCache<String, String> victim = instance("victim", true, b -> {});
    AtomicBoolean done = new AtomicBoolean();
    run(writer, List.of(victim), () -> {
      if (done.compareAndSet(false, true)) {
        pause(300);
        redis.pause(Duration.ofSeconds(2));
        pause(2500);
      } else {
        pause(50);
      }
    });
  }

  @Test
  void withoutAChangeLogTheRedisSideChecksStillBoundStaleness() throws Exception {
    // No PostgreSQL for the victim: its subscriber is killed repeatedly, and what brings it back
    // is resubscription (reconcile = local flush), sequence checks and the degraded TTL.
    NearCache<String, String> writer = instance("writer", false, b -> {});
    NearCache<String, String> victim = instance("victim", false, b -> {});
    run(writer, List.of(victim), () -> {
      redis.killPubSubClients();
      pause(200);
    });
  }
}
