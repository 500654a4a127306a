package dev.coherent.benchmarks.hibernate;

import dev.coherent.benchmarks.hibernate.HibernateSetup.Cache;
import java.util.concurrent.TimeUnit;
import org.hibernate.Session;
import org.hibernate.stat.CacheRegionStatistics;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * Measurement 8, Hibernate: {@code session.find(Product.class, id)} of a hot id in a fresh session
 * (open, find, close) per operation, with Coherent as the second-level cache (an L1 hit), with
 * hibernate-jcache on Caffeine's JCache (a local hit: the speed to match; once with the region
 * configured by reference, as Caffeine configures a cache by default, once as Hibernate's {@code
 * missing_cache_strategy=create} makes it: store-by-value, a serialization copy per read), and with no
 * second-level cache (a {@code SELECT} by primary key). Each runs in its own fork with its own
 * session factory over the same seeded PostgreSQL table; the ids cycle over {@link
 * HibernateSetup#HOT_IDS} hot ids, all cached before the first iteration.
 *
 * <p>The benchmark checks itself after every iteration, from Hibernate's statistics (see {@link
 * HibernateBench}): with a cache, the region's hits grew by exactly the number of finds, with no
 * miss, no put and no SQL statement prepared; without one, one statement per find and no
 * second-level hit. A failed check fails the benchmark. Each fork appends its totals to the file
 * named by {@code -Dcoherent.bench.hibernate.proof}, which the group reads back into the results.
 * The query cache stays off here, as it was when the find figures were first measured.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class HibernateFindBenchmark {
  static final String REGION = Product.class.getName();
  private static final Long[] IDS = new Long[HibernateSetup.HOT_IDS];

  static {
    for (int i = 0; i < IDS.length; i++) {
      IDS[i] = (long) (i + 1);
    }
  }

  /** {@code session.find} of the next hot id; hits, misses and puts of the entity's region. */
  static final class FindBench extends HibernateBench {
    private int next;

    FindBench(Cache cache) {
      super("find", cache, false);
    }

    @Override
    long op() {
      Long id = IDS[next];
      if (++next == IDS.length) {
        next = 0;
      }
      ops++;
      try (Session session = sf.openSession()) {
        Product p = session.find(Product.class, id);
        return p.priceCents + p.version;
      }
    }

    @Override
    int keys() {
      return IDS.length;
    }

    private CacheRegionStatistics regionStats() {
      return stats.getDomainDataRegionStatistics(REGION);
    }

    @Override
    long hits() {
      return cache == Cache.NONE ? stats.getSecondLevelCacheHitCount() : regionStats().getHitCount();
    }

    @Override
    long misses() {
      return regionStats().getMissCount();
    }

    @Override
    long puts() {
      return regionStats().getPutCount();
    }

    @Override
    String region() {
      return REGION;
    }
  }

  @State(Scope.Benchmark)
  public static class CoherentState extends HibernateBench.BenchState {
    public CoherentState() {
      super(new FindBench(Cache.COHERENT));
    }
  }

  @State(Scope.Benchmark)
  public static class JcacheState extends HibernateBench.BenchState {
    public JcacheState() {
      super(new FindBench(Cache.JCACHE));
    }
  }

  @State(Scope.Benchmark)
  public static class JcacheCreatedState extends HibernateBench.BenchState {
    public JcacheCreatedState() {
      super(new FindBench(Cache.JCACHE_CREATED));
    }
  }

  @State(Scope.Benchmark)
  public static class NoCacheState extends HibernateBench.BenchState {
    public NoCacheState() {
      super(new FindBench(Cache.NONE));
    }
  }

  @Benchmark
  public long coherentFindHit(CoherentState s) {
    return s.b.op();
  }

  @Benchmark
  public long jcacheFindHit(JcacheState s) {
    return s.b.op();
  }

  @Benchmark
  public long jcacheByValueFindHit(JcacheCreatedState s) {
    return s.b.op();
  }

  @Benchmark
  public long noCacheFind(NoCacheState s) {
    return s.b.op();
  }
}
