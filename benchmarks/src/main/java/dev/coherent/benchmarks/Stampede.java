package dev.coherent.benchmarks;

import dev.coherent.core.Codecs;
import dev.coherent.core.CoherentRuntime;
import dev.coherent.core.NamespaceOptions;
import dev.coherent.core.NearCache;
import dev.coherent.core.Versioned;
import dev.coherent.core.VersionedLoader;
import io.lettuce.core.RedisClient;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.redisson.api.RLocalCachedMap;
import org.redisson.api.RedissonClient;
import org.redisson.api.map.MapLoader;
import org.redisson.api.options.LocalCachedMapOptions;

/**
 * Measurement 5, stampede: 2 instances x 500 threads released at once on one cold key whose load
 * takes 50 ms. Loader calls per round and the latency of every get (from the release to its
 * return). Variants: Coherent without and with the cluster lease; Redisson's RLocalCachedMap
 * with a {@link MapLoader} (its read-through, which takes a per-key RLock around the load);
 * naive cache-aside over Lettuce (GET, on a miss load and SET). A new key every round.
 */
final class Stampede {
  static final int THREADS_PER_INSTANCE = 500;
  static final long LOAD_MILLIS = 50;
  static final long ROUND_TIMEOUT_SECONDS = 60;

  private Stampede() {}

  /** One variant's figures over all rounds. */
  record Outcome(double meanLoaderCalls, int maxLoaderCalls, Stats latencies, int failures) {}

  /** A slow source of truth that counts its calls. */
  static final class SlowSource {
    final AtomicInteger calls = new AtomicInteger();

    String load(String key) {
      calls.incrementAndGet();
      try {
        Thread.sleep(LOAD_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return "value-of-" + key;
    }
  }

  static void run(Budget budget, Results results) throws Exception {
    int rounds = budget.stampedeRounds();
    results.put("stampedeRounds", rounds);
    results.put("stampedeGetsPerRound", 2 * THREADS_PER_INSTANCE);
    results.put("stampedeLoadMs", LOAD_MILLIS);
    ExecutorService poolA = pool("a");
    ExecutorService poolB = pool("b");
    try {
      // Coherent, without and with the lease, on the same two runtimes.
      String tenant = Fixtures.newTenant();
      CoherentRuntime a = Fixtures.runtime("bench-stampede-a", tenant);
      CoherentRuntime b = Fixtures.runtime("bench-stampede-b", tenant);
      try {
        for (boolean lease : new boolean[] {false, true}) {
          SlowSource source = new SlowSource();
          VersionedLoader<String, String> loader = key -> Versioned.of(source.load(key), 1);
          NamespaceOptions options = lease
              ? NamespaceOptions.builder().lease(Duration.ofSeconds(5), Duration.ofSeconds(2)).build()
              : NamespaceOptions.create();
          String ns = lease ? "bench:stampede-lease" : "bench:stampede";
          NearCache<String, String> na = a.namespace(ns, Codecs.string(), options, loader);
          NearCache<String, String> nb = b.namespace(ns, Codecs.string(), options, loader);
          Outcome o = rounds(rounds, poolA, poolB, source, na::get, nb::get);
          record(results, lease ? "stampedeLease" : "stampede", o);
        }
      } finally {
        Fixtures.close(a, b);
      }

      // Redisson: RLocalCachedMap read-through with a MapLoader.
      RedissonClient ra = Fixtures.redisson();
      RedissonClient rb = Fixtures.redisson();
      String name = "bench:stampede:" + Fixtures.newTenant();
      try {
        SlowSource source = new SlowSource();
        MapLoader<String, String> loader = new MapLoader<>() {
          @Override
          public String load(String key) {
            return source.load(key);
          }

          @Override
          public Iterable<String> loadAllKeys() {
            return List.of();
          }
        };
        RLocalCachedMap<String, String> ma = ra.getLocalCachedMap(
            LocalCachedMapOptions.<String, String>name(name).loader(loader));
        RLocalCachedMap<String, String> mb = rb.getLocalCachedMap(
            LocalCachedMapOptions.<String, String>name(name).loader(loader));
        try {
          record(results, "redissonStampede", rounds(rounds, poolA, poolB, source, ma::get, mb::get));
        } finally {
          ma.delete();
        }
      } finally {
        Fixtures.shutdown(ra, rb);
      }

      // Naive cache-aside: GET, on a miss load and SET; no coalescing at all.
      RedisClient client = RedisClient.create(Fixtures.redisUrl());
      try (StatefulRedisConnection<String, String> ca = client.connect();
          StatefulRedisConnection<String, String> cb = client.connect()) {
        SlowSource source = new SlowSource();
        String prefix = "bench:naive:" + Fixtures.newTenant() + ":";
        Outcome o = rounds(rounds, poolA, poolB, source,
            key -> cacheAside(ca.sync(), prefix + key, source),
            key -> cacheAside(cb.sync(), prefix + key, source));
        record(results, "naiveStampede", o);
      } finally {
        client.shutdown();
      }
    } finally {
      poolA.shutdownNow();
      poolB.shutdownNow();
    }
    results.note(String.format("Stampede: loader calls per round of 1,000 cold gets: Coherent %.1f"
        + " without the lease, %.1f with it; Redisson read-through %.1f; naive cache-aside %.1f.",
        results.number("stampedeLoaderCalls"), results.number("stampedeLeaseLoaderCalls"),
        results.number("redissonStampedeLoaderCalls"), results.number("naiveStampedeLoaderCalls")));
  }

  private static String cacheAside(RedisCommands<String, String> redis, String key, SlowSource source) {
    String v = redis.get(key);
    if (v == null) {
      v = source.load(key);
      redis.set(key, v, SetArgs.Builder.ex(3600));
    }
    return v;
  }

  private static void record(Results results, String prefix, Outcome o) {
    results.put(prefix + "LoaderCalls", o.meanLoaderCalls());
    results.put(prefix + "LoaderCallsMax", o.maxLoaderCalls());
    results.put(prefix + "P50Ms", o.latencies().percentileMs(50));
    results.put(prefix + "P99Ms", o.latencies().percentileMs(99));
    results.put(prefix + "MaxMs", o.latencies().maxMs());
    results.put(prefix + "Failures", o.failures());
  }

  private static ExecutorService pool(String name) {
    AtomicInteger n = new AtomicInteger();
    ThreadPoolExecutor pool = (ThreadPoolExecutor) Executors.newFixedThreadPool(
        THREADS_PER_INSTANCE, r -> {
          Thread t = new Thread(r, "stampede-" + name + "-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    pool.prestartAllCoreThreads();
    return pool;
  }

  static Outcome rounds(int rounds, ExecutorService poolA, ExecutorService poolB,
      SlowSource source, Function<String, String> getA, Function<String, String> getB)
      throws InterruptedException {
    Stats all = new Stats();
    int totalCalls = 0;
    int maxCalls = 0;
    int failures = 0;
    for (int round = 0; round < rounds; round++) {
      String key = "hot:" + round;
      int before = source.calls.get();
      CountDownLatch ready = new CountDownLatch(2 * THREADS_PER_INSTANCE);
      CountDownLatch go = new CountDownLatch(1);
      long[] released = new long[1];
      List<Future<Long>> futures = new ArrayList<>();
      for (int i = 0; i < 2 * THREADS_PER_INSTANCE; i++) {
        Function<String, String> get = i % 2 == 0 ? getA : getB;
        ExecutorService pool = i % 2 == 0 ? poolA : poolB;
        futures.add(pool.submit(() -> {
          ready.countDown();
          go.await();
          Objects.requireNonNull(get.apply(key), "value");
          return System.nanoTime();
        }));
      }
      ready.await();
      released[0] = System.nanoTime();
      go.countDown();
      long deadline = released[0] + TimeUnit.SECONDS.toNanos(ROUND_TIMEOUT_SECONDS);
      for (Future<Long> f : futures) {
        try {
          long done = f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
          all.add(done - released[0]);
        } catch (Exception e) {
          failures++;
          f.cancel(true);
        }
      }
      int calls = source.calls.get() - before;
      totalCalls += calls;
      maxCalls = Math.max(maxCalls, calls);
    }
    return new Outcome((double) totalCalls / rounds, maxCalls, all, failures);
  }
}
