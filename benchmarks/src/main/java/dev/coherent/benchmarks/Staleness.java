package dev.coherent.benchmarks;

import dev.coherent.core.Codecs;
import dev.coherent.core.CoherentRuntime;
import dev.coherent.core.NamespaceOptions;
import dev.coherent.core.NearCache;
import dev.coherent.core.Versioned;
import dev.coherent.devservices.Services;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.redisson.api.RLocalCachedMap;
import org.redisson.api.RedissonClient;
import org.redisson.api.options.LocalCachedMapOptions;
import org.redisson.api.options.LocalCachedMapOptions.ReconnectionStrategy;

/**
 * Measurement 4, staleness while B's subscriber is killed. A writes random keys of 200 (one write
 * every 2 ms) while every Pub/Sub connection is killed every 300 ms ({@code CLIENT KILL TYPE
 * pubsub}; clients reconnect and resubscribe by themselves, and hints published meanwhile are
 * lost). Then the kills stop and reads go on for a tail period while A keeps writing 10 hot keys
 * only, so a key whose invalidation was lost and that is not written again shows how long the
 * system stays wrong on its own. A reader on B walks all keys continuously.
 *
 * <p>Staleness of a read: if a newer version of the key had been written before the read
 * started, the time from the start of the first such write to the start of the read. The worst
 * over all reads is reported, with the number of keys still stale at the end (then the worst
 * figure is cut off by the end of the run, not bounded by the system).
 */
final class Staleness {
  static final int KEYS = 200;
  static final int HOT_KEYS = 10;
  static final long WRITE_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
  static final long KILL_EVERY_MILLIS = 300;
  /** Reads staler than this count as stale reads (normal propagation takes a few ms). */
  static final long STALE_READ_THRESHOLD_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  private Staleness() {}

  interface Writer {
    void write(String key, long version);
  }

  interface Reader {
    long version(String key);
  }

  /** What one system did. */
  record Outcome(double maxStalenessMs, long staleReads, long reads, int keysStaleAtEnd,
      int kills, long writes) {}

  static void run(Budget budget, Results results) {
    results.put("stalenessWindowMs", budget.stalenessWindowMillis());
    results.put("stalenessTailMs", budget.stalenessTailMillis());
    results.put("stalenessKeys", KEYS);
    results.put("stalenessKillEveryMs", KILL_EVERY_MILLIS);

    // Coherent: what the core has today without a change log (gap detection and a flush on
    // resubscription, L1 TTL clamped while the subscriber is down).
    String tenant = Fixtures.newTenant();
    MeterRegistry meters = new SimpleMeterRegistry();
    CoherentRuntime a = Fixtures.runtime("bench-stale-a", tenant);
    CoherentRuntime b = Fixtures.runtime("bench-stale-b", tenant, meters, x -> {});
    try {
      History history = new History(KEYS);
      NamespaceOptions options = NamespaceOptions.create();
      NearCache<String, String> na = a.namespace("bench:stale", Codecs.string(), options,
          key -> history.latest(key));
      NearCache<String, String> nb = b.namespace("bench:stale", Codecs.string(), options,
          key -> history.latest(key));
      Outcome o = measure(budget, history,
          (key, version) -> na.put(key, key + "|" + version, version),
          key -> {
            Versioned<String> v = nb.getVersioned(key);
            return v == null ? -1 : v.version();
          });
      record(results, "stalenessAfterKill", o);
      results.put("stalenessCoherentGapsDetected", Fixtures.sum(meters, "coherent.hints.gaps"));
      results.put("stalenessCoherentReconcileRequests",
          Fixtures.sum(meters, "coherent.reconcile.requests"));
      results.put("stalenessCoherentLocalFlushes", Fixtures.sum(meters, "coherent.flushes"));
    } finally {
      Fixtures.close(a, b);
    }

    for (ReconnectionStrategy strategy :
        new ReconnectionStrategy[] {ReconnectionStrategy.NONE, ReconnectionStrategy.LOAD}) {
      RedissonClient ra = Fixtures.redisson();
      RedissonClient rb = Fixtures.redisson();
      String name = "bench:stale:" + Fixtures.newTenant();
      try {
        History history = new History(KEYS);
        LocalCachedMapOptions<String, String> options =
            LocalCachedMapOptions.<String, String>name(name).reconnectionStrategy(strategy);
        RLocalCachedMap<String, String> ma = ra.getLocalCachedMap(options);
        RLocalCachedMap<String, String> mb = rb.getLocalCachedMap(
            LocalCachedMapOptions.<String, String>name(name).reconnectionStrategy(strategy));
        try {
          Outcome o = measure(budget, history,
              (key, version) -> ma.fastPut(key, key + "|" + version),
              key -> Propagation.versionOf(mb.get(key)));
          record(results, strategy == ReconnectionStrategy.NONE
              ? "redissonStalenessAfterKill" : "redissonLoadStalenessAfterKill", o);
        } finally {
          ma.delete();
        }
      } finally {
        Fixtures.shutdown(ra, rb);
      }
    }
    for (String prefix : new String[] {"stalenessAfterKill", "redissonStalenessAfterKill",
        "redissonLoadStalenessAfterKill"}) {
      double stale = results.number(prefix + "KeysStaleAtEnd");
      if (stale > 0) {
        results.note(String.format("Staleness (%s): %d of %d keys were still stale when the run"
            + " ended %d ms after the last kill; the max staleness is cut off by the end of the run,"
            + " not bounded by the system.", prefix, (long) stale, KEYS,
            budget.stalenessTailMillis()));
      }
    }
  }

  private static void record(Results results, String prefix, Outcome o) {
    results.put(prefix + "MaxMs", o.maxStalenessMs());
    results.put(prefix + "StaleReads", o.staleReads());
    results.put(prefix + "Reads", o.reads());
    results.put(prefix + "KeysStaleAtEnd", o.keysStaleAtEnd());
    results.put(prefix + "Kills", o.kills());
    results.put(prefix + "Writes", o.writes());
  }

  /**
   * The versions written per key with the time each write started. One writer appends; readers
   * read {@code count} first (a volatile read), then only entries below it.
   */
  static final class History {
    final String[] keys;
    final long[][] versions;
    final long[][] started;
    final AtomicInteger[] counts;

    History(int keys) {
      this.keys = new String[keys];
      this.versions = new long[keys][16];
      this.started = new long[keys][16];
      this.counts = new AtomicInteger[keys];
      for (int i = 0; i < keys; i++) {
        this.keys[i] = "item:" + i;
        counts[i] = new AtomicInteger();
      }
    }

    /** Writer only. Arrays are replaced, never changed in place below count, when they grow. */
    void append(int k, long version, long startedNanos) {
      int n = counts[k].get();
      if (n == versions[k].length) {
        versions[k] = java.util.Arrays.copyOf(versions[k], n * 2);
        started[k] = java.util.Arrays.copyOf(started[k], n * 2);
      }
      versions[k][n] = version;
      started[k][n] = startedNanos;
      counts[k].set(n + 1); // publishes the entry (and any grown array) to readers
    }

    int index(String key) {
      return Integer.parseInt(key.substring(key.indexOf(':') + 1));
    }

    Versioned<String> latest(String key) {
      int k = index(key);
      int n = counts[k].get();
      long v = n == 0 ? 0 : versions[k][n - 1];
      return Versioned.of(key + "|" + v, v);
    }

    /** Staleness in ns of having read {@code seen} at {@code readStart} (0 when fresh). */
    long staleness(int k, int count, long seen, long readStart) {
      long[] vs = versions[k];
      long[] ts = started[k];
      int first = -1;
      for (int i = count - 1; i >= 0 && vs[i] > seen; i--) {
        first = i;
      }
      return first < 0 ? 0 : Math.max(0, readStart - ts[first]);
    }
  }

  static Outcome measure(Budget budget, History history, Writer a, Reader b) {
    SplittableRandom random = new SplittableRandom(7);
    long[] version = {0};
    for (int k = 0; k < KEYS; k++) {
      long v = ++version[0];
      a.write(history.keys[k], v);
      history.append(k, v, System.nanoTime());
    }
    for (int k = 0; k < KEYS; k++) {
      Propagation.awaitVersion(b::version, history.keys[k], history.versions[k][0]);
    }
    long start = System.nanoTime();
    long windowEnd = start + TimeUnit.MILLISECONDS.toNanos(budget.stalenessWindowMillis());
    long end = windowEnd + TimeUnit.MILLISECONDS.toNanos(budget.stalenessTailMillis());
    AtomicInteger kills = new AtomicInteger();
    long[] writes = {0};
    Thread writer = new Thread(() -> {
      long next = System.nanoTime();
      while (true) {
        long now = System.nanoTime();
        if (now >= end) {
          return;
        }
        int k = now < windowEnd ? random.nextInt(KEYS) : random.nextInt(HOT_KEYS);
        long v = ++version[0];
        long t0 = System.nanoTime();
        a.write(history.keys[k], v);
        history.append(k, v, t0);
        writes[0]++;
        next += WRITE_EVERY_NANOS;
        LockSupport.parkNanos(next - System.nanoTime());
      }
    }, "staleness-writer");
    Thread killer = new Thread(() -> {
      while (System.nanoTime() < windowEnd) {
        Services.redis().killPubSubClients();
        kills.incrementAndGet();
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(KILL_EVERY_MILLIS));
      }
    }, "staleness-killer");
    writer.start();
    killer.start();
    long maxStaleness = 0;
    long staleReads = 0;
    long reads = 0;
    while (System.nanoTime() < end) {
      for (int k = 0; k < KEYS; k++) {
        int count = history.counts[k].get();
        long readStart = System.nanoTime();
        long seen = b.version(history.keys[k]);
        long staleness = history.staleness(k, count, seen, readStart);
        reads++;
        if (staleness > STALE_READ_THRESHOLD_NANOS) {
          staleReads++;
        }
        maxStaleness = Math.max(maxStaleness, staleness);
      }
      LockSupport.parkNanos(100_000);
    }
    join(writer);
    join(killer);
    int staleAtEnd = 0;
    for (int k = 0; k < KEYS; k++) {
      int count = history.counts[k].get();
      long readStart = System.nanoTime();
      long seen = b.version(history.keys[k]);
      long staleness = history.staleness(k, count, seen, readStart);
      maxStaleness = Math.max(maxStaleness, staleness);
      if (seen < history.versions[k][count - 1]) {
        staleAtEnd++;
      }
    }
    return new Outcome(maxStaleness / 1e6, staleReads, reads, staleAtEnd, kills.get(), writes[0]);
  }

  private static void join(Thread t) {
    try {
      t.join(TimeUnit.SECONDS.toMillis(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
