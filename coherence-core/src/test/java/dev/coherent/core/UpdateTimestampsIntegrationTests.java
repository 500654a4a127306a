package dev.coherent.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.coherent.devservices.RedisService;
import dev.coherent.devservices.Services;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The shared update timestamps against real Redis, with two runtimes as two instances whose own
 * clocks disagree by hours: an update that completes after a "transaction" began on the other
 * instance is never stamped below that transaction's now(); unknown never reads as old.
 */
class UpdateTimestampsIntegrationTests {
  @RegisterExtension final Runtimes runtimes = new Runtimes();
  private final RedisService redis = Services.redis();

  @AfterEach
  void redisIsBack() {
    if (!redis.isReachable()) {
      redis.start();
    }
  }

  /** A runtime whose wall clock and ticker are both far off the other's. */
  private UpdateTimestamps instance(String id, Duration skew) {
    long offset = skew.toNanos();
    return runtimes.start(id, b -> b
            .clock(Clock.offset(Clock.systemUTC(), skew))
            .ticker(() -> System.nanoTime() + offset))
        .updateTimestamps("queries");
  }

  @Test
  void anUpdateAfterATransactionBeganIsStampedAtOrAboveItsNowWhateverTheClocksSay() {
    UpdateTimestamps a = instance("a", Duration.ofHours(3));
    UpdateTimestamps b = instance("b", Duration.ofHours(-2));
    await().atMost(Duration.ofSeconds(5)).until(() -> a.now() > 0 && b.now() > 0);
    for (int i = 0; i < 200; i++) {
      long began = (i % 2 == 0 ? a : b).now(); // a transaction begins on one instance...
      long stamped = (i % 2 == 0 ? b : a).update("Item", 0); // ...an update completes on the other
      assertThat(stamped).isGreaterThanOrEqualTo(began);
      assertThat(a.lastUpdate("Item")).isEqualTo(stamped);
      assertThat(b.lastUpdate("Item")).isEqualTo(stamped);
    }
    // Neither estimate is an hour off the other, although the instances' clocks are 5 hours apart.
    assertThat(Math.abs(a.now() - b.now())).isLessThan(TimeUnit.SECONDS.toMicros(1));
  }

  @Test
  void anEstimateRunningAheadOfRedisIsPulledBackAtEachCalibration() {
    // A ticker 1 % fast: ten times the drift allowance, so the estimate runs ahead between
    // calibrations; each calibration must notice and take Redis's reading, or it drifts on.
    UpdateTimestamps fast = runtimes.start("fast", b -> b.ticker(() ->
            (long) (System.nanoTime() * 1.01)))
        .updateTimestamps("queries");
    UpdateTimestamps normal = instance("normal", Duration.ZERO);
    await().atMost(Duration.ofSeconds(5)).until(() -> fast.now() > 0 && normal.now() > 0);
    long start = normal.now();
    await().atMost(Duration.ofSeconds(15)).until(() -> normal.now() - start > 6_000_000);
    long ahead = fast.now() - normal.update("probe", 0); // the stamp is Redis's clock, or later
    // About a calibration period's 1 % (10 ms); drifting on, it would be 40 to 60 ms by now.
    assertThat(ahead).isLessThan(25_000);
  }

  @Test
  void aSpaceWithoutATimestampReadsAsUpdatedNowAndKeepsThatValue() {
    UpdateTimestamps a = instance("a", Duration.ZERO);
    UpdateTimestamps b = instance("b", Duration.ofMinutes(7));
    long began = b.now();
    long first = a.lastUpdate("never_written");
    assertThat(first).isGreaterThanOrEqualTo(began).isNotEqualTo(UpdateTimestamps.UNKNOWN);
    assertThat(b.lastUpdate("never_written")).isEqualTo(first);
    // After the data is lost (FLUSHALL), it reads as updated now again, not as the old value.
    redis.flushAll();
    long afterFlush = b.lastUpdate("never_written");
    assertThat(afterFlush).isGreaterThan(first);
  }

  @Test
  void theLastWriteWinsEvenWhenItIsLower() {
    UpdateTimestamps a = instance("a", Duration.ZERO);
    await().atMost(Duration.ofSeconds(5)).until(() -> a.now() > 0);
    long until = a.now() + TimeUnit.SECONDS.toMicros(60); // "being written, stale until then"
    assertThat(a.update("Item", until)).isEqualTo(until);
    assertThat(a.lastUpdate("Item")).isEqualTo(until);
    long done = a.update("Item", 0); // "written, at the shared clock's now"
    assertThat(done).isLessThan(until);
    assertThat(a.lastUpdate("Item")).isEqualTo(done);
  }

  @Test
  void aTouchNeverLowersATimestamp() {
    UpdateTimestamps a = instance("a", Duration.ZERO);
    await().atMost(Duration.ofSeconds(5)).until(() -> a.now() > 0);
    long until = a.now() + TimeUnit.SECONDS.toMicros(60); // a writer's "being written until"
    a.update("Item", until);
    assertThat(a.touch("Item", 0)).isEqualTo(until);
    assertThat(a.lastUpdate("Item")).isEqualTo(until);
    long later = until + 5;
    assertThat(a.touch("Item", later)).isEqualTo(later);
    assertThat(a.touch("Other", 0)).isGreaterThanOrEqualTo(a.now() - 1000);
  }

  @Test
  void whenRedissClockGoesBackTheSharedClockGoesOnFromItsFloorAtItsRate() {
    UpdateTimestamps a = instance("a", Duration.ZERO);
    long stamped = a.update("Item", 0);
    // As if TIME had gone back 10 s: the floor is now 10 s ahead of it.
    long floor = stamped + TimeUnit.SECONDS.toMicros(10);
    try (io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(redis.uri());
        var connection = client.connect()) {
      connection.sync().set("coherent:{" + runtimes.tenant() + ":ts:queries}:clock",
          floor + " 0");
    }
    long first = a.update("Item", 0);
    long localStart = a.now();
    await().atMost(Duration.ofSeconds(5)).until(() -> a.now() - localStart > 100_000);
    long second = a.update("Item", 0);
    assertThat(first).isGreaterThan(floor);
    // It advances at TIME's rate (about 100 ms here), not by 1 µs a call.
    assertThat(second - first).isGreaterThan(TimeUnit.MILLISECONDS.toMicros(50));
  }

  @Test
  void whileRedisRefusesWritesReadsAnswerUnknownThoughGetStillWorks() {
    UpdateTimestamps a = instance("a", Duration.ZERO);
    UpdateTimestamps reader = instance("reader", Duration.ZERO); // never writes itself
    long stamped = a.update("Item", 0);
    assertThat(reader.lastUpdate("Item")).isEqualTo(stamped);
    try (io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(redis.uri());
        var connection = client.connect()) {
      var admin = connection.sync();
      String policy = admin.configGet("maxmemory-policy").get("maxmemory-policy");
      try {
        admin.configSet("maxmemory-policy", "noeviction");
        admin.configSet("maxmemory", "1"); // out of memory: every write refused, GET answered
        assertThat(a.update("Item", 0)).isEqualTo(UpdateTimestamps.UNKNOWN);
        // The reader notices at its next calibration (each second), not only at its own writes.
        await().atMost(Duration.ofSeconds(5)).until(() ->
            reader.lastUpdate("Item") == UpdateTimestamps.UNKNOWN);
      } finally {
        admin.configSet("maxmemory", "0");
        admin.configSet("maxmemory-policy", policy);
      }
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> a.pendingUpdates() == 0
        && reader.lastUpdate("Item") != UpdateTimestamps.UNKNOWN);
    assertThat(reader.lastUpdate("Item")).isGreaterThan(stamped); // a's update, written late
  }

  @Test
  void anUpdateRedisDidNotTakeMakesTheWritersOwnReadsUnknownUntilItIsWritten() {
    assumeTrue(redis.canStopAndStart(), "needs a Redis this JVM can stop and start");
    UpdateTimestamps a = instance("a", Duration.ZERO);
    redis.stop();
    assertThat(a.update("Item", 0)).isEqualTo(UpdateTimestamps.UNKNOWN);
    redis.start();
    // Until the replay, Redis's value (here: none, read as now) would miss the update: unknown.
    assertThat(a.lastUpdate("Item")).isEqualTo(UpdateTimestamps.UNKNOWN);
    await().atMost(Duration.ofSeconds(20)).until(() -> a.pendingUpdates() == 0);
    assertThat(a.lastUpdate("Item")).isNotEqualTo(UpdateTimestamps.UNKNOWN);
  }

  @Test
  void whileRedisIsDownEverythingIsUnknownAndUpdatesAreWrittenWhenItIsBack() {
    assumeTrue(redis.canStopAndStart(), "needs a Redis this JVM can stop and start");
    UpdateTimestamps a = instance("a", Duration.ZERO);
    UpdateTimestamps b = instance("b", Duration.ofHours(1));
    long before = a.update("Item", 0);
    redis.stop();
    assertThat(b.lastUpdate("Item")).isEqualTo(UpdateTimestamps.UNKNOWN);
    assertThat(a.update("Item", 0)).isEqualTo(UpdateTimestamps.UNKNOWN);
    assertThat(a.pendingUpdates()).isEqualTo(1);
    redis.start();
    long afterRestart = b.now();
    await().atMost(Duration.ofSeconds(20)).until(() -> a.pendingUpdates() == 0);
    // b answers again once its own calibration succeeded (within a maintenance tick); the update
    // made during the outage is stamped when it was written, after Redis came back.
    await().atMost(Duration.ofSeconds(10)).until(() ->
        b.lastUpdate("Item") != UpdateTimestamps.UNKNOWN);
    long replayed = b.lastUpdate("Item");
    assertThat(replayed).isGreaterThan(before);
    assertThat(replayed).isGreaterThanOrEqualTo(afterRestart);
  }

  @Test
  void aPausedRedisIsUnknownNotOld() {
    UpdateTimestamps a = instance("a", Duration.ZERO);
    a.update("Item", 0);
    redis.pause(Duration.ofSeconds(2));
    await().atMost(Duration.ofSeconds(1)).until(() ->
        a.lastUpdate("Item") == UpdateTimestamps.UNKNOWN);
    await().atMost(Duration.ofSeconds(10)).until(() ->
        a.lastUpdate("Item") != UpdateTimestamps.UNKNOWN);
  }

  @Test
  void badArgumentsAreRefusedWithTheValueAndWhatIsValid() {
    UpdateTimestamps a = instance("a", Duration.ZERO);
    assertThatThrownBy(() -> a.lastUpdate(""))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 to 512 characters");
    assertThatThrownBy(() -> a.update("Item", -1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1")
        .hasMessageContaining("from 0 to 2^53");
    assertThatThrownBy(() -> runtimes.start("c").updateTimestamps("bad scope"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'bad scope'");
  }
}
