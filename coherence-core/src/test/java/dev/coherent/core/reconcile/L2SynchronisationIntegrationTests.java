package dev.coherent.core.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.coherent.core.ChangeLogOptions;
import dev.coherent.core.Codecs;
import dev.coherent.core.CoherentRuntime;
import dev.coherent.core.Meters;
import dev.coherent.core.NamespaceOptions;
import dev.coherent.core.NearCache;
import dev.coherent.core.Runtimes;
import dev.coherent.devservices.Services;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The namespace's L2 synchronisation point ({@code <base>:synced}) against real Redis and
 * PostgreSQL: instances raise it once L2 has what they read from the change log, and an instance
 * whose Redis comes back with an older point (a restore from disk, a failover to a replica that
 * had not received everything) replays the change log from there, so a tombstone Redis lost is
 * written again before anyone serves the old value.
 */
class L2SynchronisationIntegrationTests {
  private static final int ROWS = 80;

  @RegisterExtension final Runtimes runtimes = new Runtimes();

  private CatalogFixture fixture;
  private RedisClient client;
  private StatefulRedisConnection<String, String> connection;
  private RedisCommands<String, String> redis;

  @BeforeEach
  void setUp() {
    fixture = new CatalogFixture(ROWS);
    client = RedisClient.create(Services.redis().uri());
    connection = client.connect();
    redis = connection.sync();
  }

  @AfterEach
  void tearDown() {
    connection.close();
    client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
    fixture.close();
  }

  private NearCache<String, String> items(String id, MeterRegistry meters) {
    return items(id, meters, ChangeLogOptions.DEFAULT_PAGE_SIZE);
  }

  private NearCache<String, String> items(String id, MeterRegistry meters, int pageSize) {
    CoherentRuntime runtime = runtimes.start(id, b -> b.meterRegistry(meters)
        .reconcileInterval(Duration.ofMillis(250)).validationSampleSize(0)
        .changeLog(ChangeLogOptions.builder(fixture.dataSource()).pageSize(pageSize).build()));
    return runtime.namespace(CatalogFixture.NAMESPACE, Codecs.string(), NamespaceOptions.create(),
        fixture.loader());
  }

  private String base() {
    return "coherent:{" + runtimes.tenant() + ":" + CatalogFixture.NAMESPACE + "}";
  }

  private String entryKey(String key) {
    return base() + ":e" + redis.get(base() + ":epoch") + ":" + key;
  }

  private long synced() {
    String value = redis.get(base() + ":synced");
    return value == null ? -1 : Long.parseLong(value);
  }

  @Test
  void anInstanceRaisesThePointOnceL2HasWhatItRead() {
    items("a", new SimpleMeterRegistry());
    await().atMost(Duration.ofSeconds(10)).until(() -> synced() > 0);
    long before = synced();
    long v2 = fixture.update("1", "one");
    await().atMost(Duration.ofSeconds(10)).until(() -> synced() > before);
    assertThat(redis.get(entryKey("1"))).isEqualTo(v2 + "|T|");
  }

  /**
   * The whole fleet is down while a batch job updates rows with plain SQL; Redis stays up, so L2
   * still holds every old value and no instance is left to tombstone it. The first instance back
   * replays the change log from the point before it serves anything from L2; with 5-row pages the
   * replay takes more than one step (10 pages a tick), and the namespace reads L2 only after it.
   */
  @Test
  void aNewInstanceReplaysWhatChangedWhileNoInstanceRan() {
    NearCache<String, String> a = items("a", new SimpleMeterRegistry());
    for (int id = 1; id <= ROWS; id++) {
      assertThat(a.get(Integer.toString(id))).isEqualTo("item-" + id); // every row in L2
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> synced() > 0);
    runtimes.closeAll();
    long point = synced();

    for (int id = 1; id <= 60; id++) {
      fixture.update(Integer.toString(id), "batch-" + id);
    }
    assertThat(synced()).as("nobody raised the point").isEqualTo(point);
    assertThat(redis.get(entryKey("1"))).as("L2 still holds the old value").isEqualTo("1|V|item-1");

    // Every commit is now older than the bound (250 ms + a poll) would allow a new read to miss.
    LockSupport.parkNanos(Duration.ofSeconds(1).toNanos());

    MeterRegistry meters = new SimpleMeterRegistry();
    NearCache<String, String> c = items("c", meters, 5);
    for (int id = 1; id <= ROWS; id++) {
      String key = Integer.toString(id);
      assertThat(c.getVersioned(key).version()).as("row %s", key).isEqualTo(fixture.latest(key));
    }
    // The replay ends, its tombstones reach L2, and the point rises past the batch.
    await().atMost(Duration.ofSeconds(10)).until(() -> synced() > point);
    for (int id = 1; id <= 60; id++) {
      String stored = redis.get(entryKey(Integer.toString(id)));
      assertThat(stored).as("row %d in L2", id).startsWith("2|");
    }
    c.flushLocal(); // from L2 now
    for (int id = 1; id <= ROWS; id++) {
      String key = Integer.toString(id);
      assertThat(c.getVersioned(key).version()).as("row %s", key).isEqualTo(fixture.latest(key));
    }
  }

  @Test
  void aPointThatVanishedWhileEntriesStayedBumpsTheEpoch() {
    MeterRegistry meters = new SimpleMeterRegistry();
    NearCache<String, String> a = items("a", meters);
    assertThat(a.get("1")).isEqualTo("item-1");
    await().atMost(Duration.ofSeconds(10)).until(() -> synced() > 0);
    long epoch = a.status().epoch();

    redis.del(base() + ":synced"); // evicted, or a restore from before it existed
    fixture.update("2", "two"); // the next poll tries to raise it

    await().atMost(Duration.ofSeconds(10))
        .until(() -> Meters.count(meters, "coherent.l2.regressions") >= 1);
    await().atMost(Duration.ofSeconds(10)).until(() -> a.status().epoch() != epoch);
    assertThat(Meters.count(meters, "coherent.epoch.bumps", "namespace", CatalogFixture.NAMESPACE))
        .isEqualTo(1);
    await().atMost(Duration.ofSeconds(10)).until(() -> synced() > 0); // recorded again after it
    assertThat(a.getVersioned("2").version()).isEqualTo(fixture.latest("2"));
  }

  @Test
  void aRedisThatCameBackOlderIsBroughtUpToDateFromTheChangeLog() {
    MeterRegistry meters = new SimpleMeterRegistry();
    NearCache<String, String> a = items("a", meters);
    assertThat(a.get("1")).isEqualTo("item-1"); // L2 holds 1|V|item-1
    long v2 = fixture.update("1", "one");
    await().atMost(Duration.ofSeconds(10))
        .until(() -> (v2 + "|T|").equals(redis.get(entryKey("1"))));
    await().atMost(Duration.ofSeconds(10)).until(() -> synced() > 0);

    // Redis is restored from a snapshot taken before the tombstone and before the point rose.
    redis.set(entryKey("1"), "1|V|item-1");
    redis.set(base() + ":synced", "1");
    fixture.update("2", "two"); // any later change: the next poll raises the point again

    await().atMost(Duration.ofSeconds(10))
        .until(() -> Meters.count(meters, "coherent.l2.regressions") >= 1);
    await().atMost(Duration.ofSeconds(10))
        .until(() -> (v2 + "|T|").equals(redis.get(entryKey("1"))));
    // A new instance (empty L1, the point already raised again) reads what the database says.
    NearCache<String, String> c = items("c", new SimpleMeterRegistry());
    assertThat(c.getVersioned("1").version()).isEqualTo(v2);
    assertThat(a.getVersioned("1").version()).isEqualTo(v2);
  }
}
