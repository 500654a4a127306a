package dev.coherent.core.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.coherent.core.ChangeLogListener;
import dev.coherent.core.ChangeLogOptions;
import dev.coherent.core.Codecs;
import dev.coherent.core.CoherentRuntime;
import dev.coherent.core.Hint;
import dev.coherent.core.Meters;
import dev.coherent.core.NamespaceOptions;
import dev.coherent.core.NearCache;
import dev.coherent.core.Runtimes;
import dev.coherent.devservices.Services;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Each trigger of a reconcile, with the scheduled tick far away (10 minutes) so that only the
 * mechanism under test can make the instance fresh.
 */
class ReconcilerIntegrationTests {
  private static final Duration NEVER = Duration.ofMinutes(10);
  private static final Duration SOON = Duration.ofSeconds(10);

  @RegisterExtension final Runtimes runtimes = new Runtimes();

  private CatalogFixture fixture;
  private final MeterRegistry meters = new SimpleMeterRegistry();

  @BeforeEach
  void setUp() {
    fixture = new CatalogFixture(10);
  }

  @AfterEach
  void tearDown() {
    fixture.close();
  }

  private CoherentRuntime runtime(String id, Consumer<CoherentRuntime.Builder> config) {
    return runtimes.start(id, b -> {
      b.meterRegistry(meters).reconcileInterval(NEVER).validationSampleSize(0);
      config.accept(b);
    });
  }

  private NearCache<String, String> items(CoherentRuntime runtime) {
    return runtime.namespace(CatalogFixture.NAMESPACE, Codecs.string(), NamespaceOptions.create(),
        fixture.loader());
  }

  private ChangeLogOptions changeLog() {
    return ChangeLogOptions.builder(fixture.dataSource()).build();
  }

  @Test
  void outOfOrderCommitsAreAppliedByTheNextPoll() throws Exception {
    CoherentRuntime runtime = runtime("victim", b -> b.changeLog(changeLog()).hintFilter(h -> false));
    NearCache<String, String> victim = items(runtime);
    assertThat(victim.get("1")).isEqualTo("item-1");
    assertThat(victim.get("2")).isEqualTo("item-2");
    try (Connection t1 = fixture.dataSource().getConnection();
        Connection t2 = fixture.dataSource().getConnection()) {
      t1.setAutoCommit(false);
      t2.setAutoCommit(false);
      rename(t1, 1, "one"); // smaller txid ...
      rename(t2, 2, "two");
      t2.commit(); // ... commits last
      runtime.reconcileNow();
      assertThat(victim.get("2")).isEqualTo("two");
      assertThat(victim.get("1")).isEqualTo("item-1"); // T1 is not committed: item-1 is right
      t1.commit();
      runtime.reconcileNow();
      assertThat(victim.get("1")).isEqualTo("one");
    }
    assertThat(Meters.count(meters, "coherent.reconcile.runs", "result", "ok")).isGreaterThanOrEqualTo(2);
    assertThat(Meters.count(meters, "coherent.reconcile.applied", "namespace", "items")).isEqualTo(2);
    assertThat(meters.find("coherent.reconcile.lag").timer().count()).isEqualTo(2);
  }

  @Test
  void changeLogListenersHearEveryAppliedRowAndALostLog() throws Exception {
    CoherentRuntime runtime = runtime("listener", b -> b.changeLog(changeLog()));
    NearCache<String, String> cache = items(runtime);
    java.util.List<Hint.KeyVersion> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
    AtomicInteger everything = new AtomicInteger();
    cache.addChangeLogListener(new ChangeLogListener() {
      @Override
      public void changed(java.util.List<Hint.KeyVersion> changes) {
        heard.addAll(changes);
      }

      @Override
      public void everythingChanged() {
        everything.incrementAndGet();
      }
    });
    cache.addChangeLogListener(new ChangeLogListener() { // a failing listener stops nothing
      @Override
      public void changed(java.util.List<Hint.KeyVersion> changes) {
        throw new IllegalStateException("listener bug");
      }

      @Override
      public void everythingChanged() {
        throw new IllegalStateException("listener bug");
      }
    });
    long v3 = fixture.update("3", "three"); // a plain SQL write: no hint, no put
    long v4 = fixture.update("4", "four");
    runtime.reconcileNow();
    assertThat(heard).contains(new Hint.KeyVersion("3", v3), new Hint.KeyVersion("4", v4));
    assertThat(cache.get("3")).isEqualTo("three");

    // Rows pruned before this instance read them: it is told anything may have changed.
    fixture.update("5", "soon pruned");
    try (Connection c = fixture.dataSource().getConnection();
        java.sql.Statement s = c.createStatement()) {
      s.execute("UPDATE coherent_change_log SET changed_at = now() - interval '2 days'");
      s.execute("SELECT coherent_prune_change_log(interval '1 day')");
    }
    runtime.reconcileNow();
    assertThat(everything).hasValue(1);
    assertThat(heard).noneMatch(change -> change.key().equals("5"));
  }

  @Test
  void aListenerAddedAfterRowsWereAppliedIsToldEverythingChanged() {
    CoherentRuntime runtime = runtime("late", b -> b.changeLog(changeLog()));
    NearCache<String, String> cache = items(runtime);
    AtomicInteger everything = new AtomicInteger();
    ChangeLogListener late = new ChangeLogListener() {
      @Override
      public void changed(java.util.List<Hint.KeyVersion> changes) {}

      @Override
      public void everythingChanged() {
        everything.incrementAndGet();
      }
    };
    cache.addChangeLogListener(late); // nothing applied yet: nothing to tell
    runtime.reconcileNow();
    assertThat(everything).hasValue(0);
    fixture.update("6", "six");
    runtime.reconcileNow(); // applied while the second listener below did not exist
    AtomicInteger missed = new AtomicInteger();
    cache.addChangeLogListener(new ChangeLogListener() {
      @Override
      public void changed(java.util.List<Hint.KeyVersion> changes) {}

      @Override
      public void everythingChanged() {
        missed.incrementAndGet();
      }
    });
    org.awaitility.Awaitility.await().atMost(SOON).until(() -> missed.get() == 1);
    assertThat(everything).hasValue(0);
  }

  private static void rename(Connection c, long id, String name) throws Exception {
    try (PreparedStatement ps = c.prepareStatement("UPDATE items SET name = ? WHERE id = ?")) {
      ps.setString(1, name);
      ps.setLong(2, id);
      ps.executeUpdate();
    }
  }

  @Test
  void aSequenceGapReconcilesAtOnce() {
    AtomicInteger seen = new AtomicInteger();
    // Drops exactly the first hint: the second reveals the gap.
    CoherentRuntime victimRuntime = runtime("victim",
        b -> b.changeLog(changeLog()).hintFilter(h -> seen.incrementAndGet() != 1));
    NearCache<String, String> victim = items(victimRuntime);
    NearCache<String, String> writer = items(runtime("writer", b -> {}));
    assertThat(victim.get("3")).isEqualTo("item-3");
    long lost = fixture.update("3", "three");
    writer.invalidate("3", lost); // this hint is lost
    long next = fixture.update("4", "four");
    writer.invalidate("4", next); // this one arrives with a gap in the sequence
    await().atMost(SOON).until(() -> "three".equals(victim.get("3")));
    assertThat(Meters.count(meters, "coherent.reconcile.gaps", "namespace", "items")).isGreaterThanOrEqualTo(1);
    assertThat(Meters.count(meters, "coherent.reconcile.requests", "namespace", "items",
        "reason", "gap")).isGreaterThanOrEqualTo(1);
  }

  @Test
  void aResubscriptionReconcilesAtOnce() {
    CoherentRuntime victimRuntime = runtime("victim", b -> b.changeLog(changeLog()));
    NearCache<String, String> victim = items(victimRuntime);
    assertThat(victim.get("5")).isEqualTo("item-5");
    fixture.update("5", "five"); // plain SQL: no hint, only the change log knows
    Services.redis().killPubSubClients();
    await().atMost(SOON).until(() -> "five".equals(victim.get("5")));
    assertThat(Meters.count(meters, "coherent.reconcile.reconnects")).isGreaterThanOrEqualTo(1);
    assertThat(Meters.count(meters, "coherent.reconcile.requests", "namespace", "items",
        "reason", "resubscribed")).isGreaterThanOrEqualTo(1);
  }

  @Test
  void aSilentSubscriberThatDoesNotAnswerPingReconciles() {
    CoherentRuntime victimRuntime = runtime("victim",
        b -> b.changeLog(changeLog()).livenessTimeout(Duration.ofMillis(300)));
    NearCache<String, String> victim = items(victimRuntime);
    assertThat(victim.get("6")).isEqualTo("item-6");
    fixture.update("6", "six");
    Services.redis().pause(Duration.ofSeconds(2));
    await().atMost(SOON).until(() -> "six".equals(victim.get("6")));
    assertThat(Meters.count(meters, "coherent.reconcile.requests", "namespace", "items",
        "reason", "liveness")).isGreaterThanOrEqualTo(1);
    // Leave Redis unpaused for the next test.
    await().atMost(SOON).until(Services.redis()::isReachable);
  }

  @Test
  void withoutAChangeLogASequenceBehindRedisFlushes() {
    CoherentRuntime victimRuntime = runtime("victim",
        b -> b.reconcileInterval(Duration.ofMillis(250)).hintFilter(h -> false));
    NearCache<String, String> victim = items(victimRuntime);
    NearCache<String, String> writer = items(runtime("writer", b -> {}));
    assertThat(victim.get("7")).isEqualTo("item-7");
    long v = fixture.update("7", "seven");
    writer.invalidate("7", v);
    await().atMost(SOON).until(() -> "seven".equals(victim.get("7")));
    assertThat(Meters.count(meters, "coherent.reconcile.requests", "namespace", "items",
        "reason", "sequence_behind")).isGreaterThanOrEqualTo(1);
    assertThat(Meters.count(meters, "coherent.reconcile.flushes", "namespace", "items")).isGreaterThanOrEqualTo(1);
  }

  @Test
  void validationSamplingDetectsAStaleEntry() {
    MeterRegistry victimMeters = new SimpleMeterRegistry();
    CoherentRuntime victimRuntime = runtimes.start("victim", b -> b.meterRegistry(victimMeters)
        .reconcileInterval(Duration.ofMillis(250)).validationSampleSize(100)
        .hintFilter(h -> false));
    NearCache<String, String> victim = items(victimRuntime);
    NearCache<String, String> writer = items(runtime("writer", b -> {}));
    for (int id = 1; id <= 10; id++) {
      victim.get(Integer.toString(id));
    }
    long v = fixture.update("8", "eight");
    writer.put("8", "eight", v);
    await().atMost(SOON).until(() ->
        Meters.count(victimMeters, "coherent.stale.detected", "namespace", "items") >= 1);
    assertThat(victim.get("8")).isEqualTo("eight");
  }
}
