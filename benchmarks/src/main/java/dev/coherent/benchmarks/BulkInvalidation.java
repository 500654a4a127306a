package dev.coherent.benchmarks;

import dev.coherent.core.Codecs;
import dev.coherent.core.CoherentRuntime;
import dev.coherent.core.NamespaceOptions;
import dev.coherent.core.NearCache;
import dev.coherent.core.Versioned;
import dev.coherent.core.VersionedLoader;
import io.lettuce.core.RedisClient;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Measurement 6, bulk invalidation of a namespace of 100,000 entries held in L1 by two runtimes.
 * {@code invalidateAll()} (an epoch bump) vs deleting the keys one by one (100,000
 * {@code invalidate} calls) vs the batched {@code invalidateAll(Map)} (one hint per 256 keys).
 * Messages are counted by a raw Pub/Sub listener on the namespace's channel; "every instance
 * misses" is B having adopted the new epoch (epoch bump) or applied (or dropped and flushed)
 * every key's hint.
 */
final class BulkInvalidation {
  static final String NAMESPACE = "bench:bulk";
  static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(120);

  private BulkInvalidation() {}

  /** Source of truth: every key has the current generation as its version. */
  static final class Generations implements VersionedLoader<String, String> {
    volatile long generation = 1;

    @Override
    public Versioned<String> load(String key) {
      return Versioned.of(key + "@" + generation, generation);
    }
  }

  static void run(Budget budget, Results results) {
    int size = budget.bulkEntries();
    results.put("bulkEntries", size);
    String tenant = Fixtures.newTenant();
    MeterRegistry metersB = new SimpleMeterRegistry();
    CoherentRuntime a = Fixtures.runtime("bench-bulk-a", tenant);
    CoherentRuntime b = Fixtures.runtime("bench-bulk-b", tenant, metersB, x -> {});
    RedisClient client = RedisClient.create(Fixtures.redisUrl());
    StatefulRedisPubSubConnection<String, String> listener = client.connectPubSub();
    try {
      AtomicLong messages = new AtomicLong();
      listener.addListener(new RedisPubSubAdapter<>() {
        @Override
        public void message(String channel, String message) {
          messages.incrementAndGet();
        }
      });
      listener.sync().subscribe("pubsub:v1:cache-invalidate:" + NAMESPACE + ":" + tenant);

      Generations source = new Generations();
      NamespaceOptions options = NamespaceOptions.builder().l1MaximumSize(2L * size).build();
      NearCache<String, String> na = a.namespace(NAMESPACE, Codecs.string(), options, source);
      NearCache<String, String> nb = b.namespace(NAMESPACE, Codecs.string(), options, source);
      List<String> keys = new ArrayList<>(size);
      for (int i = 0; i < size; i++) {
        keys.add("k" + i);
      }

      // Warm-up on a small namespace: scripts loaded into Redis, code paths compiled.
      NearCache<String, String> wa = a.namespace(NAMESPACE + "-warmup", Codecs.string(), options, source);
      NearCache<String, String> wb = b.namespace(NAMESPACE + "-warmup", Codecs.string(), options, source);
      for (int round = 0; round < 3; round++) {
        load(keys.subList(0, 2_000), wa, wb);
        long before = wb.status().epoch();
        wa.invalidateAll();
        await(() -> wb.status().epoch() != before);
        Map<String, Long> few = new LinkedHashMap<>();
        for (String key : keys.subList(0, 1_000)) {
          wa.invalidate(key, 10 + round);
          few.put(key, 20L + round);
        }
        wa.invalidateAll(few);
      }

      // 1. invalidateAll(): one epoch bump.
      long loadNanos = load(keys, na, nb);
      results.put("bulkLoadBothMs", loadNanos / 1e6);
      source.generation = 2;
      long epochBefore = nb.status().epoch();
      settle(messages);
      long m0 = messages.get();
      long t0 = System.nanoTime();
      na.invalidateAll();
      long called = System.nanoTime();
      long seen = await(() -> nb.status().epoch() != epochBefore);
      settle(messages);
      results.put("epochInvalidationMessages", messages.get() - m0);
      results.put("epochInvalidationCallMs", (called - t0) / 1e6);
      results.put("epochInvalidationMs", seen < 0 ? Double.NaN : (seen - t0) / 1e6);
      results.put("epochInvalidationVerifiedMisses", verify(keys, nb, "@2"));

      // 2. One invalidate(key, version) per key.
      List<String> perKey = keys.subList(0, Math.min(size, budget.bulkPerKeyEntries()));
      results.put("perKeyInvalidationKeys", perKey.size());
      load(perKey, na, nb);
      source.generation = 3;
      double appliedBefore = Fixtures.sum(metersB, "coherent.hints.applied");
      double droppedBefore = Fixtures.sum(metersB, "coherent.hints.dropped");
      settle(messages);
      m0 = messages.get();
      t0 = System.nanoTime();
      for (String key : perKey) {
        na.invalidate(key, 3);
      }
      called = System.nanoTime();
      seen = await(() -> Fixtures.sum(metersB, "coherent.hints.applied") - appliedBefore
          + Fixtures.sum(metersB, "coherent.hints.dropped") - droppedBefore >= perKey.size());
      settle(messages);
      results.put("perKeyInvalidationMessages", messages.get() - m0);
      results.put("perKeyInvalidationCallsMs", (called - t0) / 1e6);
      results.put("perKeyInvalidationMs", seen < 0 ? Double.NaN : (seen - t0) / 1e6);
      results.put("perKeyInvalidationDroppedOnB",
          Fixtures.sum(metersB, "coherent.hints.dropped") - droppedBefore);
      results.put("perKeyInvalidationVerifiedMisses", verify(perKey, nb, "@3"));
      if (perKey.size() < size) {
        results.note(String.format("Bulk invalidation: the one-by-one baseline deleted %,d of the"
            + " %,d keys in this mode (each is a Redis round trip); its time is for those keys.",
            perKey.size(), size));
      }

      // 3. invalidateAll(Map): tombstones in batches, one hint per maxKeysPerHint keys.
      load(keys, na, nb);
      source.generation = 4;
      double appliedBefore2 = Fixtures.sum(metersB, "coherent.hints.applied");
      double droppedBefore2 = Fixtures.sum(metersB, "coherent.hints.dropped");
      settle(messages);
      m0 = messages.get();
      Map<String, Long> batch = new LinkedHashMap<>();
      for (String key : keys) {
        batch.put(key, 4L);
      }
      t0 = System.nanoTime();
      na.invalidateAll(batch);
      called = System.nanoTime();
      seen = await(() -> Fixtures.sum(metersB, "coherent.hints.applied") - appliedBefore2
          + Fixtures.sum(metersB, "coherent.hints.dropped") - droppedBefore2 >= size);
      settle(messages);
      results.put("batchInvalidationMessages", messages.get() - m0);
      results.put("batchInvalidationCallMs", (called - t0) / 1e6);
      results.put("batchInvalidationMs", seen < 0 ? Double.NaN : (seen - t0) / 1e6);
      results.put("batchInvalidationDroppedOnB",
          Fixtures.sum(metersB, "coherent.hints.dropped") - droppedBefore2);
      results.put("batchInvalidationVerifiedMisses", verify(keys, nb, "@4"));
    } finally {
      listener.close();
      client.shutdown();
      Fixtures.close(a, b);
    }
  }

  /** Loads every key on both runtimes (A from the source, B from L2); the time it took. */
  private static long load(List<String> keys, NearCache<String, String> na,
      NearCache<String, String> nb) {
    long t0 = System.nanoTime();
    for (NearCache<String, String> n : List.of(na, nb)) {
      for (int from = 0; from < keys.size(); from += 5_000) {
        n.getAll(keys.subList(from, Math.min(keys.size(), from + 5_000)));
      }
    }
    long took = System.nanoTime() - t0;
    if (keys.size() > 2_000 && nb.localSize() < keys.size()) {
      throw new IllegalStateException("B's L1 holds " + nb.localSize() + " of " + keys.size()
          + " entries after loading");
    }
    return took;
  }

  /** How many of 1,000 sampled keys B now reads at the new generation (all of them, if it missed). */
  private static int verify(List<String> keys, NearCache<String, String> nb, String suffix) {
    int fresh = 0;
    int step = Math.max(1, keys.size() / 1000);
    for (int i = 0; i < keys.size(); i += step) {
      String v = nb.get(keys.get(i));
      if (v != null && v.endsWith(suffix)) {
        fresh++;
      }
    }
    return fresh;
  }

  /** Waits until no message arrived for 100 ms (so counts do not leak between phases). */
  private static void settle(AtomicLong messages) {
    long last = messages.get();
    long quietSince = System.nanoTime();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() - quietSince < TimeUnit.MILLISECONDS.toNanos(100)
        && System.nanoTime() < deadline) {
      LockSupport.parkNanos(5_000_000);
      long now = messages.get();
      if (now != last) {
        last = now;
        quietSince = System.nanoTime();
      }
    }
  }

  /** Polls until the condition holds; the time it did, or -1 on timeout. */
  private static long await(BooleanSupplier condition) {
    long deadline = System.nanoTime() + TIMEOUT_NANOS;
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return System.nanoTime();
      }
      LockSupport.parkNanos(50_000);
    }
    return -1;
  }
}
