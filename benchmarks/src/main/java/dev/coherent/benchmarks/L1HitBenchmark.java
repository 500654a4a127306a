package dev.coherent.benchmarks;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.coherent.core.Codecs;
import dev.coherent.core.CoherentRuntime;
import dev.coherent.core.NamespaceOptions;
import dev.coherent.core.NearCache;
import dev.coherent.core.Versioned;
import dev.coherent.core.VersionedLoader;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.redisson.api.RLocalCachedMap;
import org.redisson.api.RedissonClient;
import org.redisson.api.options.LocalCachedMapOptions;

/**
 * Measurement 1, L1 hit throughput: every key is in the local cache, reads follow a Zipfian
 * distribution over 100,000 keys (precomputed indices). Coherent {@code get} vs raw Caffeine
 * {@code getIfPresent} vs Redisson {@code RLocalCachedMap.get}; run with 1 and 2 threads by
 * {@link BenchmarkMain}. With 1 thread, three more Caffeine baselines: counting hits, and
 * configured as a near cache (size bound, jittered TTL, hit counting) on its default and on a
 * coarse clock. Each system's state is set up only for its own benchmark, and every state ends its
 * set-up with {@link #settleHeap()}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class L1HitBenchmark {
  public static final int KEYS = 100_000;
  /** 2^20 precomputed indices, about 10 times the key count, masked by the cursor. */
  static final int SAMPLES = 1 << 20;
  static final int MASK = SAMPLES - 1;
  /**
   * The size bound of every local cache here: the keys fill 80 % of it. Caffeine starts recording
   * reads for its eviction policy (its frequency sketch) only once an insert finds the cache at
   * least half full; past that point, as a bounded cache in service is, every read pays for it.
   * At exactly half (an earlier version used twice the key count) raw Caffeine crossed the line on
   * its last insert while Coherent's L1, whose loads in flight weigh nothing when inserted, did
   * not, and Coherent measured as fast as raw Caffeine for that reason alone.
   */
  static final long CAPACITY = KEYS + KEYS / 4;
  static final String[] KEY_NAMES = new String[KEYS];
  static final int[] INDICES = Zipf.indices(KEYS, SAMPLES, Zipf.DEFAULT_EXPONENT, 42);

  static {
    for (int i = 0; i < KEYS; i++) {
      KEY_NAMES[i] = "product:" + i;
    }
  }

  static String valueOf(String key) {
    return "{\"id\":\"" + key + "\",\"name\":\"benchmark product\",\"price\":1999}";
  }

  /** Young collections that {@link #settleHeap()} waits for. */
  static final int SETTLING_COLLECTIONS = 3;
  static volatile Object sink;

  /**
   * Allocates short-lived garbage until the collector has run {@link #SETTLING_COLLECTIONS} times,
   * so that the cache just built is measured in the layout a cache that has served for a while
   * has. A young collection copies live objects in the order it traces them, which tends to put a
   * map node next to the objects it points to; right after a setup, each object still sits where it
   * was allocated. That matters most for Coherent: a load installs its entry over the placeholder
   * the miss left, so the entry was allocated far from its node. Measured on this project's VM
   * without settling, raw Caffeine ran at 10.5 M ops/s and Coherent at 5.0 M; settled, at 15.7 M
   * and 8.2 M (1 thread, JMH, 2 and 3 forks). Every state here settles, so the ratios compare like
   * with like.
   *
   * @throws IllegalStateException if the collector did not run within four heaps of allocation
   */
  static void settleHeap() {
    long start = collections();
    long budget = 4 * Runtime.getRuntime().maxMemory();
    for (long allocated = 0; allocated < budget; allocated += 64 * 1024) {
      sink = new byte[64 * 1024];
      if ((allocated & ((1 << 24) - 1)) == 0 && collections() - start >= SETTLING_COLLECTIONS) {
        sink = null;
        return;
      }
    }
    throw new IllegalStateException("the garbage collector did not run " + SETTLING_COLLECTIONS
        + " times in " + budget + " bytes of allocation; the L1 figures need a collector that"
        + " copies young objects (the JVM default, G1)");
  }

  /** Collections run so far by all of the JVM's collectors. */
  static long collections() {
    long count = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      count += Math.max(0, gc.getCollectionCount());
    }
    return count;
  }

  /** Each thread walks the index array from its own random start. */
  @State(Scope.Thread)
  public static class Cursor {
    int next = ThreadLocalRandom.current().nextInt(SAMPLES);

    String key() {
      return KEY_NAMES[INDICES[next++ & MASK]];
    }
  }

  @State(Scope.Benchmark)
  public static class CaffeineState {
    Cache<String, String> cache;

    @Setup(Level.Trial)
    public void setUp() {
      cache = Caffeine.newBuilder().maximumSize(CAPACITY).build();
      for (String key : KEY_NAMES) {
        cache.put(key, valueOf(key));
      }
      settleHeap();
    }
  }

  /**
   * A second baseline: Caffeine with {@code recordStats()}, which counts every hit in a
   * {@code LongAdder} as Coherent does for its {@code coherent.gets} meter. It is how Caffeine runs
   * when its hit ratio is exported (Micrometer's {@code CaffeineCacheMetrics} requires it).
   */
  @State(Scope.Benchmark)
  public static class CaffeineRecordingStatsState {
    Cache<String, String> cache;

    @Setup(Level.Trial)
    public void setUp() {
      cache = Caffeine.newBuilder().maximumSize(CAPACITY).recordStats().build();
      for (String key : KEY_NAMES) {
        cache.put(key, valueOf(key));
      }
      settleHeap();
    }
  }

  /**
   * Caffeine set up to do what Coherent's L1 does on a hit, as a service would configure it as a
   * near cache of its own: the same size bound, a per-entry TTL with the jitter of Coherent's
   * defaults (5 minutes, +-20 %, through an {@link Expiry}) and hit counting, filled and settled.
   * An expiring Caffeine cache reads {@code ticker} on every read.
   */
  static Cache<String, String> nearCache(Ticker ticker) {
    long ttl = NamespaceOptions.DEFAULT_L1_TTL.toNanos();
    long spread = (long) (2 * NamespaceOptions.DEFAULT_TTL_JITTER * ttl);
    Random random = new Random(42);
    Cache<String, String> cache = Caffeine.newBuilder()
        .maximumSize(CAPACITY)
        .ticker(ticker)
        .expireAfter(new Expiry<String, String>() {
          @Override
          public long expireAfterCreate(String key, String value, long currentTime) {
            return ttl - spread / 2 + (long) (random.nextDouble() * spread);
          }

          @Override
          public long expireAfterUpdate(String key, String value, long currentTime,
              long currentDuration) {
            return expireAfterCreate(key, value, currentTime);
          }

          @Override
          public long expireAfterRead(String key, String value, long currentTime,
              long currentDuration) {
            return currentDuration;
          }
        })
        .recordStats()
        .build();
    for (String key : KEY_NAMES) {
      cache.put(key, valueOf(key));
    }
    settleHeap();
    return cache;
  }

  /**
   * A third baseline: {@link #nearCache} on Caffeine's default ticker, {@code System.nanoTime()},
   * which Coherent keeps off its hit path (docs/architecture.md, "The cost of an L1 hit").
   */
  @State(Scope.Benchmark)
  public static class CaffeineNearCacheState {
    Cache<String, String> cache;

    @Setup(Level.Trial)
    public void setUp() {
      cache = nearCache(Ticker.systemTicker());
    }
  }

  /**
   * The baseline's stand-in for the clock Coherent's L1 reads on a hit
   * ({@link CoherentRuntime.Builder#l1ClockResolution}): the system time as of its last refresh,
   * which a thread of its own takes every {@code period}, so a read is one volatile load and
   * never calls {@code System.nanoTime()}. Built here from Caffeine's {@link Ticker} and a
   * scheduler (public pieces only), not Coherent's own class; what it stands for is that clock's
   * cost on a read, not its precision. Thread-safe: one writer (the refresher), a volatile field.
   */
  static final class RefreshedTicker implements Ticker, AutoCloseable {
    private final ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(
        r -> {
          Thread t = new Thread(r, "benchmark-coarse-clock");
          t.setDaemon(true);
          return t;
        });
    private volatile long now = System.nanoTime();

    RefreshedTicker(Duration period) {
      refresher.scheduleAtFixedRate(() -> now = System.nanoTime(), period.toNanos(),
          period.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public long read() {
      return now;
    }

    @Override
    public void close() {
      refresher.shutdownNow();
    }
  }

  /**
   * A fourth baseline: {@link #nearCache} on a coarse clock like Coherent's, a
   * {@link RefreshedTicker} refreshed every {@link CoherentRuntime.Builder#DEFAULT_L1_CLOCK_RESOLUTION}:
   * Caffeine with every trick Coherent plays on a hit, and without its versions, stamps and
   * fill-race protection.
   */
  @State(Scope.Benchmark)
  public static class CaffeineNearCacheCoarseState {
    Cache<String, String> cache;
    RefreshedTicker clock;

    @Setup(Level.Trial)
    public void setUp() {
      clock = new RefreshedTicker(CoherentRuntime.Builder.DEFAULT_L1_CLOCK_RESOLUTION);
      cache = nearCache(clock);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      clock.close();
    }
  }

  @State(Scope.Benchmark)
  public static class CoherentState {
    CoherentRuntime runtime;
    NearCache<String, String> cache;
    SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @Setup(Level.Trial)
    public void setUp() {
      runtime = Fixtures.runtime("bench-l1", Fixtures.newTenant(), meters, b -> {});
      VersionedLoader<String, String> loader = key -> Versioned.of(valueOf(key), 1);
      // L2 off: only saves the setup the fill of 100,000 L2 entries; an L1 hit never touches L2.
      cache = runtime.namespace("bench:l1", Codecs.string(),
          NamespaceOptions.builder().l1MaximumSize(CAPACITY).l2Enabled(false).build(), loader);
      List<String> all = Arrays.asList(KEY_NAMES);
      for (int from = 0; from < KEYS; from += 5_000) {
        cache.getAll(all.subList(from, Math.min(KEYS, from + 5_000)));
      }
      settleHeap();
      if (cache.localSize() < KEYS) {
        throw new IllegalStateException("Coherent L1 holds " + cache.localSize() + " of " + KEYS
            + " keys after preloading; the benchmark would measure misses");
      }
    }

    /** Fails the benchmark if reads missed L1 after the preload: then it measured loads, not hits. */
    @TearDown(Level.Trial)
    public void tearDown() {
      double misses = Fixtures.count(meters, "coherent.gets", "tier", "l1", "result", "miss");
      double hits = Fixtures.count(meters, "coherent.gets", "tier", "l1", "result", "hit");
      runtime.close();
      if (misses > KEYS + hits / 1000) {
        throw new IllegalStateException("Coherent L1 missed " + (long) (misses - KEYS) + " times in "
            + (long) hits + " hits after the preload; this is not an L1-hit figure");
      }
    }
  }

  @State(Scope.Benchmark)
  public static class RedissonState {
    RedissonClient client;
    RLocalCachedMap<String, String> map;

    @Setup(Level.Trial)
    public void setUp() {
      client = Fixtures.redisson();
      map = client.getLocalCachedMap(
          LocalCachedMapOptions.<String, String>name("bench:l1:" + Fixtures.newTenant())
              .cacheSize(0) // unbounded: every key stays local
              .evictionPolicy(LocalCachedMapOptions.EvictionPolicy.NONE));
      Map<String, String> chunk = new HashMap<>();
      for (String key : KEY_NAMES) {
        chunk.put(key, valueOf(key));
        if (chunk.size() == 5_000) {
          map.putAll(chunk);
          chunk.clear();
        }
      }
      if (!chunk.isEmpty()) {
        map.putAll(chunk);
      }
      if (map.getCachedMap().size() < KEYS) {
        map.preloadCache();
      }
      settleHeap();
      int cached = map.getCachedMap().size();
      if (cached < KEYS) {
        throw new IllegalStateException("Redisson's local cache holds " + cached + " of " + KEYS
            + " keys after preloading; the benchmark would measure misses");
      }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      try {
        map.delete();
      } finally {
        Fixtures.shutdown(client);
      }
    }
  }

  @Benchmark
  public String caffeine(CaffeineState state, Cursor cursor) {
    return state.cache.getIfPresent(cursor.key());
  }

  @Benchmark
  public String caffeineRecordingStats(CaffeineRecordingStatsState state, Cursor cursor) {
    return state.cache.getIfPresent(cursor.key());
  }

  @Benchmark
  public String caffeineNearCache(CaffeineNearCacheState state, Cursor cursor) {
    return state.cache.getIfPresent(cursor.key());
  }

  @Benchmark
  public String caffeineNearCacheCoarse(CaffeineNearCacheCoarseState state, Cursor cursor) {
    return state.cache.getIfPresent(cursor.key());
  }

  @Benchmark
  public String coherent(CoherentState state, Cursor cursor) {
    return state.cache.get(cursor.key());
  }

  @Benchmark
  public String redisson(RedissonState state, Cursor cursor) {
    return state.map.get(cursor.key());
  }
}
