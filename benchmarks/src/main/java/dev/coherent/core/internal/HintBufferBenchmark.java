package dev.coherent.core.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Measurement 7b, the cost of the coalescing hint buffer: one hint's 256 keys offered to the
 * core's own {@link HintBuffer} and drained into an L1-like map, vs the same 256 invalidations
 * applied directly, vs a batch where half the keys repeat (what coalescing saves). Lives in the
 * core's internal package because {@code HintBuffer} is package-private: this measures the real
 * class, not a copy. {@code singleKey} vs {@code singleKeyAfterBurst} shows what one drain costs
 * once a burst has grown the buffer's map (a ConcurrentHashMap never shrinks). Single-threaded: the cross-thread hand-off (Pub/Sub event loop to the
 * maintenance thread) is part of the end-to-end hint throughput run, not of this figure.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class HintBufferBenchmark {
  static final int BATCH = 256;
  static final int KEYS = 100_000;

  String[] keys;
  ConcurrentMap<String, Long> l1;
  HintBuffer buffer;
  /** A buffer that once held 10,000 pending keys (a burst), drained since. */
  HintBuffer afterBurst;
  long version;
  int next;

  @Setup(Level.Trial)
  public void setUp() {
    keys = new String[KEYS];
    Cache<String, Long> cache = Caffeine.newBuilder().maximumSize(2L * KEYS).build();
    for (int i = 0; i < KEYS; i++) {
      keys[i] = "product:" + i;
      cache.put(keys[i], 0L);
    }
    l1 = cache.asMap();
    buffer = new HintBuffer(10_000);
    afterBurst = new HintBuffer(10_000);
    for (int i = 0; i < 10_000; i++) {
      afterBurst.offer(keys[i], 1);
    }
    afterBurst.drain((k, v) -> { });
  }

  /** What applying an invalidation does to L1: a conditional replace under the map's lock. */
  void apply(String key, long v) {
    l1.computeIfPresent(key, (k, current) -> v > current ? v : current);
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public int direct() {
    long v = ++version;
    for (int i = 0; i < BATCH; i++) {
      apply(keys[next++ % KEYS], v);
    }
    return next;
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public int buffered() {
    long v = ++version;
    for (int i = 0; i < BATCH; i++) {
      buffer.offer(keys[next++ % KEYS], v);
    }
    return buffer.drain(this::apply);
  }

  /** One key per hint (one drain per key), on a buffer that never held many keys. */
  @Benchmark
  public int singleKey() {
    buffer.offer(keys[next++ % KEYS], ++version);
    return buffer.drain(this::apply);
  }

  /** The same after a burst: the drained buffer's table kept the size the burst gave it. */
  @Benchmark
  public int singleKeyAfterBurst() {
    afterBurst.offer(keys[next++ % KEYS], ++version);
    return afterBurst.drain(this::apply);
  }

  /** Half the offers repeat a key of the same batch: coalesced, applied once. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public int bufferedHalfDuplicates() {
    long v = ++version;
    int base = next;
    for (int i = 0; i < BATCH; i++) {
      int k = (i & 1) == 0 ? next++ : base + (i >> 2);
      buffer.offer(keys[k % KEYS], v);
    }
    return buffer.drain(this::apply);
  }
}
