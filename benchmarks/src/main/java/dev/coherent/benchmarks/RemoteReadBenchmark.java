package dev.coherent.benchmarks;

import dev.coherent.core.Codecs;
import dev.coherent.core.CoherentRuntime;
import dev.coherent.core.NamespaceOptions;
import dev.coherent.core.NearCache;
import dev.coherent.core.Versioned;
import dev.coherent.core.VersionedLoader;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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

/**
 * Measurement 2, remote read: a Coherent {@code get} that misses L1 and hits L2 vs a plain Lettuce
 * {@code GET} of the very same Redis keys (so the same bytes travel). The reading namespace has an
 * L1 of one entry and walks 10,000 keys in order, so every read misses L1; a runtime with a large
 * L1 filled L2 beforehand and was closed. Each side runs in its own fork with only its own client
 * open (no idle Coherent runtime beside the Lettuce baseline).
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RemoteReadBenchmark {
  static final int KEYS = 10_000;
  static final String NAMESPACE = "bench:remote";

  static String valueOf(String key) {
    // ~200 bytes: a small JSON document, typical of an entity cache.
    return "{\"id\":\"" + key + "\",\"name\":\"benchmark product with a longer name\","
        + "\"description\":\"" + "x".repeat(100) + "\",\"price\":1999,\"stock\":12}";
  }

  static String[] keys() {
    String[] keys = new String[KEYS];
    for (int i = 0; i < KEYS; i++) {
      keys[i] = "product:" + i;
    }
    return keys;
  }

  /** Fills L2 of a fresh tenant with every key through a runtime that is closed afterwards. */
  static String filledTenant() {
    String tenant = Fixtures.newTenant();
    VersionedLoader<String, String> loader = key -> Versioned.of(valueOf(key), 1);
    try (CoherentRuntime filler = Fixtures.runtime("bench-remote-filler", tenant)) {
      NearCache<String, String> fill = filler.namespace(NAMESPACE, Codecs.string(),
          NamespaceOptions.builder().l1MaximumSize(2L * KEYS).build(), loader);
      List<String> all = Arrays.asList(keys());
      for (int from = 0; from < KEYS; from += 5_000) {
        fill.getAll(all.subList(from, Math.min(KEYS, from + 5_000)));
      }
    }
    return tenant;
  }

  /** A reader whose L1 holds one entry, over an L2 that holds every key. */
  @State(Scope.Benchmark)
  public static class CoherentState {
    String[] keys;
    CoherentRuntime reader;
    NearCache<String, String> cache;
    int next;

    @Setup(Level.Trial)
    public void setUp() {
      keys = keys();
      reader = Fixtures.runtime("bench-remote-reader", filledTenant());
      cache = reader.namespace(NAMESPACE, Codecs.string(),
          NamespaceOptions.builder().l1MaximumSize(1).build(), key -> {
            throw new IllegalStateException("L2 should have held " + key);
          });
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      reader.close();
    }
  }

  /** A plain Lettuce connection and the L2 keys Coherent wrote, discovered with SCAN. */
  @State(Scope.Benchmark)
  public static class LettuceState {
    RedisClient client;
    StatefulRedisConnection<String, byte[]> connection;
    RedisCommands<String, byte[]> redis;
    String[] l2Keys;
    int next;

    @Setup(Level.Trial)
    public void setUp() {
      String tenant = filledTenant();
      client = RedisClient.create(Fixtures.redisUrl());
      connection = client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
      redis = connection.sync();
      List<String> found = new ArrayList<>();
      ScanIterator<String> scan = ScanIterator.scan(redis,
          ScanArgs.Builder.matches("*{" + tenant + ":" + NAMESPACE + "}*").limit(1000));
      while (scan.hasNext()) {
        String k = scan.next();
        if (k.matches(".*:e\\d+:product:\\d+")) {
          found.add(k);
        }
      }
      if (found.size() != KEYS) {
        throw new IllegalStateException("found " + found.size() + " Coherent L2 entries of "
            + KEYS + " with SCAN; the Lettuce baseline would not read the same bytes");
      }
      l2Keys = found.toArray(new String[0]);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      connection.close();
      client.shutdown();
    }
  }

  @Benchmark
  public String coherentL1MissL2Hit(CoherentState s) {
    String key = s.keys[s.next++ % KEYS];
    return s.cache.get(key);
  }

  @Benchmark
  public byte[] lettuceGet(LettuceState s) {
    return s.redis.get(s.l2Keys[s.next++ % KEYS]);
  }
}
