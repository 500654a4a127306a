package dev.coherent.benchmarks;

import dev.coherent.core.Codecs;
import dev.coherent.core.CoherentRuntime;
import dev.coherent.core.NamespaceOptions;
import dev.coherent.core.NearCache;
import dev.coherent.core.Versioned;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import org.redisson.api.RLocalCachedMap;
import org.redisson.api.RedissonClient;
import org.redisson.api.options.LocalCachedMapOptions;

/**
 * Measurement 3, invalidation propagation: instance A writes a key B holds in its local cache;
 * the time from the start of A's write until B's read returns the new value (so it includes the
 * write itself, the hint, applying it, and B's refill from Redis). B polls with a short park
 * between reads so the poller does not starve Redis and the event loops on 2 cores. One write at
 * a time, over 64 keys in turn. Coherent (put with an increasing version) vs Redisson's
 * RLocalCachedMap (fastPut on one client, get on another; its default INVALIDATE sync).
 */
final class Propagation {
  static final int KEYS = 64;
  static final long POLL_PARK_NANOS = 20_000;
  static final long TIMEOUT_NANOS = Duration.ofSeconds(5).toNanos();

  private Propagation() {}

  /** Reads the version B currently serves. */
  interface Reader {
    long version(String key);
  }

  /** Makes A write {@code key} at {@code version}. */
  interface Writer {
    void write(String key, long version);
  }

  static void run(Budget budget, Results results) {
    int writes = budget.propagationWrites();
    results.put("propagationWrites", writes);
    results.put("propagationPollParkUs", POLL_PARK_NANOS / 1000);

    String tenant = Fixtures.newTenant();
    CoherentRuntime a = Fixtures.runtime("bench-prop-a", tenant);
    CoherentRuntime b = Fixtures.runtime("bench-prop-b", tenant);
    try {
      coherent(writes, a, b).record(results, "propagation");
    } finally {
      Fixtures.close(a, b);
    }

    RedissonClient ra = Fixtures.redisson();
    RedissonClient rb = Fixtures.redisson();
    try {
      String name = "bench:prop:" + Fixtures.newTenant();
      RLocalCachedMap<String, String> ma =
          ra.getLocalCachedMap(LocalCachedMapOptions.<String, String>name(name));
      RLocalCachedMap<String, String> mb =
          rb.getLocalCachedMap(LocalCachedMapOptions.<String, String>name(name));
      try {
        Timings t = measure(writes,
            (key, version) -> ma.fastPut(key, key + "|" + version),
            key -> versionOf(mb.get(key)));
        t.record(results, "redissonPropagation");
      } finally {
        ma.delete();
      }
    } finally {
      Fixtures.shutdown(ra, rb);
    }
    double p99 = results.number("propagationP99Ms");
    results.note(String.format("Propagation: Coherent p99 %.2f ms (target under 5 ms: %s), Redisson"
        + " p99 %.2f ms.", p99, p99 < 5 ? "met" : "NOT met",
        results.number("redissonPropagationP99Ms")));
  }

  /**
   * The Coherent side of the measurement: A writes, B reads, in namespace {@code bench:prop} of
   * two runtimes of one tenant (standalone or cluster alike).
   */
  static Timings coherent(int writes, CoherentRuntime a, CoherentRuntime b) {
    NamespaceOptions options = NamespaceOptions.create();
    NearCache<String, String> na = a.namespace("bench:prop", Codecs.string(), options,
        key -> Versioned.of(key + "|0", 0));
    NearCache<String, String> nb = b.namespace("bench:prop", Codecs.string(), options,
        key -> Versioned.of(key + "|0", 0));
    return measure(writes,
        (key, version) -> na.put(key, key + "|" + version, version),
        key -> versionOf(nb.get(key)));
  }

  record Timings(Stats stats, int timeouts) {
    /** Puts p50, p99, max, mean (ms) and the timeouts into {@code results} as {@code prefix...}. */
    void record(Results results, String prefix) {
      results.put(prefix + "P50Ms", stats.percentileMs(50));
      results.put(prefix + "P99Ms", stats.percentileMs(99));
      results.put(prefix + "MaxMs", stats.maxMs());
      results.put(prefix + "MeanMs", stats.meanMs());
      results.put(prefix + "Timeouts", timeouts);
    }
  }

  static Timings measure(int writes, Writer a, Reader b) {
    String[] keys = new String[KEYS];
    long[] versions = new long[KEYS];
    for (int i = 0; i < KEYS; i++) {
      keys[i] = "item:" + i;
      versions[i] = 1;
      a.write(keys[i], 1);
    }
    // B caches every key at version 1 (and the subscription is proven live by a first round).
    for (int i = 0; i < KEYS; i++) {
      awaitVersion(b, keys[i], 1);
    }
    int warmup = Math.min(200, writes / 5);
    Stats stats = new Stats();
    int timeouts = 0;
    for (int i = 0; i < warmup + writes; i++) {
      int k = i % KEYS;
      long version = ++versions[k];
      long started = System.nanoTime();
      a.write(keys[k], version);
      long seen = awaitVersion(b, keys[k], version);
      if (i >= warmup) {
        if (seen < 0) {
          timeouts++;
          stats.add(TIMEOUT_NANOS);
        } else {
          stats.add(seen - started);
        }
      }
    }
    return new Timings(stats, timeouts);
  }

  /** Polls B until it serves {@code version} or newer; the time it did, or -1 on timeout. */
  static long awaitVersion(Reader b, String key, long version) {
    long deadline = System.nanoTime() + TIMEOUT_NANOS;
    for (; ; ) {
      long v = b.version(key);
      long now = System.nanoTime();
      if (v >= version) {
        return now;
      }
      if (now > deadline) {
        return -1;
      }
      LockSupport.parkNanos(POLL_PARK_NANOS);
    }
  }

  static long versionOf(String value) {
    if (value == null) {
      return -1;
    }
    return Long.parseLong(value.substring(value.lastIndexOf('|') + 1));
  }
}
